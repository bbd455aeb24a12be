"""The bulletin pages, included by diaodu.assessment.urls (app "assessment", site root)."""

from django.urls import path

from diaodu.assessment import bulletin_views as views

urlpatterns = [
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/issue/", views.bulletin_issue, name="bulletin-issue"),
    path("bulletins/preview/", views.bulletin_preview, name="bulletin-preview"),
    path("bulletins/<int:pk>/download/", views.bulletin_download, name="bulletin-download"),
]
