"""The ranking pages, at the site root, in the "assessment" namespace that the bulletins' pages
share (joined in diaodu/urls.py)."""

from django.urls import path

from diaodu.assessment import views

urlpatterns = [
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/publish/", views.publish, name="publish"),
    path("rankings/export.xlsx", views.ranking_export, name="export"),
    path("rankings/<int:pk>/summons.docx", views.ranking_summons, name="summons"),
    path("rankings/schemes/", views.schemes, name="schemes"),
    path("rankings/schemes/new/", views.scheme_new, name="scheme-new"),
    path("rankings/schemes/<int:pk>/delete/", views.scheme_delete, name="scheme-delete"),
]
