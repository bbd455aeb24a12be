from django.urls import path

from diaodu.projects import views

# The ledger (the list and its export) joins these under the same "projects" namespace from
# diaodu/urls.py: it belongs to the monitoring app, which reads the reports.
app_name = "projects"

urlpatterns = [
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
