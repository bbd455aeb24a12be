from django.urls import path

from diaodu.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.period_list, name="periods"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/export.xlsx", views.period_export, name="period-export"),
    path("periods/<int:pk>/fill/", views.period_fill, name="fill"),
    path("periods/<int:pk>/fill/<int:project_pk>/", views.period_fill_row, name="fill-row"),
    path("periods/<int:pk>/template.xlsx", views.period_template, name="template"),
    path("periods/<int:pk>/upload/", views.period_upload, name="upload"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/photos/", views.report_photo, name="photo"),
    path("photos/<int:pk>/", views.photo_file, name="photo-file"),
    path("reports/<int:pk>/<str:action>/", views.report_action, name="action"),
]
