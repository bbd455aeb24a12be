from django.urls import path

from diaodu.problems import views

app_name = "problems"

urlpatterns = [
    path("problems/", views.problem_list, name="problems"),
    path("problems/export.xlsx", views.problem_export, name="problem-export"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problems/<int:pk>/<str:action>/", views.problem_action, name="problem-action"),
    path("projects/<int:project_pk>/problems/new/", views.problem_new, name="problem-new"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/new/", views.task_new, name="task-new"),
    path("tasks/export.xlsx", views.task_export, name="task-export"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/notice.docx", views.task_notice, name="task-notice"),
    path("tasks/<int:pk>/<str:action>/", views.task_action, name="task-action"),
    path("projects/<int:project_pk>/tasks/new/", views.task_new, name="task-new-project"),
    path("units/counts/", views.unit_counts, name="unit-counts"),
    path("units/<int:pk>/overdue-notice.docx", views.unit_overdue_notice, name="unit-notice"),
]
