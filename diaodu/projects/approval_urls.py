from django.urls import path

from diaodu.projects import approval_views as views

app_name = "approvals"

urlpatterns = [
    path("", views.approval_list, name="list"),
    path("export.xlsx", views.approval_export, name="export"),
    path("new/", views.approval_new, name="new"),
    path("<int:pk>/", views.approval_detail, name="detail"),
    path("<int:pk>/edit/", views.approval_edit, name="edit"),
    path("<int:pk>/attachment/", views.approval_attachment, name="attachment"),
]
