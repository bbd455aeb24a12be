"""What waits for a user: reports to file and reports to review."""

from django.db.models import Exists, OuterRef, Q

from diaodu.org.choices import Role
from diaodu.projects.models import Project
from diaodu.reporting import services
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod

SHOWN = 20


def to_file(user) -> list[tuple]:
    """(period, project) for open periods where the user's report is not in, at most SHOWN.

    Only an owner files (services.can_file; headquarters files on an owner's behalf from the
    period's page, not from its work list): its own projects, chosen in the database, so that
    a region's or a department's work list reads no project here."""
    if not user.is_authenticated or not user.is_active or user.is_headquarters:
        return []
    if user.role != Role.OWNER or user.unit_id is None:
        return []
    items: list[tuple] = []
    periods = ReportingPeriod.objects.open().select_related("program").order_by("due_date")
    for period in periods:
        done = ProgressReport.objects.filter(
            project=OuterRef("pk"),
            period=period,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED],
        )
        projects = (
            Project.objects.visible_to(user)
            .filter(period.due(), owner_id=user.unit_id)
            .exclude(Exists(done))
            .select_related("owner")
        )[: SHOWN - len(items)]
        items += [(period, p) for p in projects if services.can_file(user, p)]
        if len(items) >= SHOWN:
            break
    return items[:SHOWN]


def _reviewable(user) -> Q | None:
    """services.can_review as a condition on reports (None: none)."""
    if user.is_headquarters:
        return Q()
    if user.unit_id is None:
        return None
    if user.role == Role.REGION:
        return Q(project__region_id__in=user.scope_unit_ids)
    if user.role == Role.DEPARTMENT:
        return Q(project__region__isnull=True, project__lead_unit_id=user.unit_id)
    return None


def to_review(user):
    """Submitted reports the user may approve or return, the longest waiting first."""
    if not user.is_authenticated or not user.is_active:
        return []
    condition = _reviewable(user)
    if condition is None:
        return []
    reports = (
        ProgressReport.objects.visible_to(user)
        .filter(condition, status=ReportStatus.SUBMITTED)
        .select_related("project", "period__program")
        .order_by("submitted_at", "pk")
    )
    return [r for r in reports[:SHOWN] if services.can_review(user, r.project)]
