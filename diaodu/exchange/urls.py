from django.urls import path

from diaodu.exchange import views

app_name = "exchange"

urlpatterns = [
    path("import/", views.import_start, name="import"),
    path("import/template.xlsx", views.import_template, name="template"),
    path("import/city-template.xlsx", views.import_city_template, name="city-template"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    path("import/<int:pk>/apply/", views.import_apply, name="import-apply"),
    path("import/<int:pk>/columns/", views.import_columns, name="import-columns"),
    path("import/<int:pk>/problems.xlsx", views.import_problems, name="import-problems"),
]
