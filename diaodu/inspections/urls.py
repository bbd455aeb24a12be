from django.urls import path

from diaodu.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("export.xlsx", views.inspection_export, name="export"),
    path("new/", views.inspection_new, name="new"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/photos/", views.inspection_photo, name="photo"),
    path("photos/<int:pk>/", views.photo_file, name="photo-file"),
]
