from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from diaodu.core import views as core_views
from diaodu.core.health import health
from diaodu.dashboard import views as dashboard_views
from diaodu.org import views as org_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", org_views.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("projects/", include("diaodu.projects.urls")),
    path("approvals/", include("diaodu.projects.approval_urls")),
    path("reporting/", include("diaodu.reporting.urls")),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("map/", dashboard_views.project_map, name="map"),
    path("battle-map/", dashboard_views.battle_map, name="battle-map"),
    path("projects/<int:pk>/schedule/", dashboard_views.project_schedule, name="schedule"),
    path("", include("diaodu.problems.urls")),
    path("exchange/", include("diaodu.exchange.urls")),
    path("meetings/", include("diaodu.meetings.urls")),
    path("inspections/", include("diaodu.inspections.urls")),
    path("", include("diaodu.assessment.urls")),
    path("notifications/", include("diaodu.notifications.urls")),
    path("api/", include("diaodu.api_urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "diaodu/favicon.svg")),
]

# Nothing under MEDIA_URL is served as it is, in any mode: every uploaded file goes through a
# view that checks who may see it (diaodu.core.downloads.protected_file_response).
