"""The monitoring app's pages. `ledger_patterns` join the projects' own under "projects/"."""

from django.urls import path

from diaodu.monitoring import changes_views, views

ledger_patterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.project_export, name="export"),
]

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/forecast-late/", views.dashboard_forecast_late, name="forecast-late"),
    path("map/", views.project_map, name="map"),
    path("battle-map/", views.battle_map, name="battle-map"),
    path("changes/", changes_views.changes_page, name="changes"),
    path("projects/<int:pk>/schedule/", views.project_schedule, name="schedule"),
]
