"""The bulletin pages, at the site root. They keep the names they had in the "assessment"
namespace, which they share with the ranking pages (joined in diaodu/urls.py)."""

from django.urls import path

from diaodu.bulletins import views

urlpatterns = [
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/issue/", views.bulletin_issue, name="bulletin-issue"),
    path("bulletins/preview/", views.bulletin_preview, name="bulletin-preview"),
    path("bulletins/<int:pk>/download/", views.bulletin_download, name="bulletin-download"),
    path("bulletins/<int:pk>/pdf/", views.bulletin_pdf, name="bulletin-pdf"),
]
