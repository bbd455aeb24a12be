"""The URL wiring of the whole site: every app's pages under their paths and names."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from diaodu.assessment import urls as assessment_urls
from diaodu.bulletins import urls as bulletin_urls
from diaodu.core import pwa
from diaodu.core.health import health
from diaodu.monitoring import urls as monitoring_urls
from diaodu.org import sso
from diaodu.org import views as org_views
from diaodu.problems import urls as problem_urls
from diaodu.projects import urls as project_urls
from diaodu.site import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("login/", sso.SignInView.as_view(), name="login"),
    # Single sign-on through the unified identity platform (OpenID Connect; docs/sso.md).
    path("login/oidc/", sso.oidc_start, name="oidc-login"),
    path("login/oidc/callback/", sso.oidc_callback, name="oidc-callback"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", org_views.PasswordChangeView.as_view(), name="password_change"),
    path("audit/", org_views.audit_list, name="audit"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The ledger (monitoring) and the project's own pages (projects) under one namespace.
    path(
        "projects/",
        include((monitoring_urls.ledger_patterns + project_urls.urlpatterns, "projects")),
    ),
    path("approvals/", include("diaodu.projects.approval_urls")),
    path("reporting/", include("diaodu.reporting.urls")),
    path("", include(monitoring_urls)),
    # The work list (site) joins the problems' pages: it also lists reports to file.
    path(
        "",
        include(
            (
                [path("inbox/", site_views.work, name="inbox"), *problem_urls.urlpatterns],
                "problems",
            )
        ),
    ),
    path("exchange/", include("diaodu.exchange.urls")),
    path("meetings/", include("diaodu.meetings.urls")),
    path("inspections/", include("diaodu.inspections.urls")),
    # The rankings (assessment) and the bulletins (bulletins) under one namespace.
    path("", include((assessment_urls.urlpatterns + bulletin_urls.urlpatterns, "assessment"))),
    path("notifications/", include("diaodu.notifications.urls")),
    path("api/", include("diaodu.api_urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "diaodu/favicon.svg")),
    # The site installed on a phone's home screen: manifest, service worker (at the root, so
    # that it serves every page) and the page shown without a connection (diaodu/core/pwa.py).
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
]

# Nothing under MEDIA_URL is served as it is, in any mode: every uploaded file goes through a
# view that checks who may see it (diaodu.core.downloads.protected_file_response).
