"""The API: one router; every capability adds its resources here."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from diaodu.assessment.api import RankingViewSet, SchemeViewSet, indicators_api
from diaodu.bulletins.api import BulletinViewSet
from diaodu.core.api import NotFoundView
from diaodu.exchange.api import ImportViewSet
from diaodu.inspections.api import InspectionViewSet
from diaodu.meetings.api import MeetingViewSet
from diaodu.monitoring.api import ProjectViewSet, battle_map_api, dashboard_api
from diaodu.monitoring.changes_views import changes_api
from diaodu.notifications.api import DeliveryViewSet, NotificationViewSet
from diaodu.oc4ids.api import ProjectPackageView
from diaodu.org.api import AuditEventViewSet, UnitViewSet
from diaodu.problems.api import ProblemViewSet, TaskViewSet
from diaodu.projects.api import (
    AnnualPlanViewSet,
    FundingLineViewSet,
    MilestoneViewSet,
    ProgramViewSet,
)
from diaodu.projects.approval_api import ApprovalViewSet
from diaodu.reporting.api import PeriodViewSet, ProjectSnapshotViewSet, ReportViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("units", UnitViewSet, basename="unit")
router.register("programs", ProgramViewSet, basename="program")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("funding-lines", FundingLineViewSet, basename="funding-line")
router.register("plans", AnnualPlanViewSet, basename="plan")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("periods", PeriodViewSet, basename="period")
router.register("reports", ReportViewSet, basename="report")
router.register("snapshots", ProjectSnapshotViewSet, basename="snapshot")
router.register("problems", ProblemViewSet, basename="problem")
router.register("tasks", TaskViewSet, basename="task")
router.register("imports", ImportViewSet, basename="import")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("rankings", RankingViewSet, basename="ranking")
router.register("schemes", SchemeViewSet, basename="scheme")
router.register("bulletins", BulletinViewSet, basename="bulletin")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("dashboard/", dashboard_api, name="api-dashboard"),
    path("battle-map/", battle_map_api, name="api-battle-map"),
    path("changes/", changes_api, name="api-changes"),
    path("indicators/", indicators_api, name="api-indicators"),
    path("oc4ids/", ProjectPackageView.as_view(), name="oc4ids"),
    path("", include(router.urls)),
    # Any other address (an unknown resource, an id that is no number): a 404 in JSON.
    re_path(r"^.*/$", NotFoundView.as_view(), name="api-not-found"),
]
