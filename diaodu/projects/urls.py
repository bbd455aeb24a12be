from django.urls import path

from diaodu.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.project_export, name="export"),
    path("new/", views.project_new, name="new"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/programs/", views.project_programs, name="programs"),
    path("<int:pk>/plans/<int:year>/", views.plan_edit, name="plan"),
    path("<int:pk>/milestones/new/", views.milestone_new, name="milestone-new"),
    path("<int:pk>/milestones/<int:milestone_pk>/", views.milestone_edit, name="milestone"),
    path("<int:pk>/milestones/<int:milestone_pk>/met/", views.milestone_met, name="milestone-met"),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/delete/",
        views.milestone_delete,
        name="milestone-delete",
    ),
    path(
        "<int:pk>/milestones/<int:milestone_pk>/evidence/",
        views.milestone_evidence,
        name="milestone-evidence",
    ),
    path("<int:pk>/funding/new/", views.funding_new, name="funding-new"),
    path("<int:pk>/funding/<int:line_pk>/", views.funding_edit, name="funding"),
]
