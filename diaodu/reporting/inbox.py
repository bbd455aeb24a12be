"""What waits for a user: reports to file and reports to review."""

from django.db.models import Exists, OuterRef

from diaodu.projects.models import Project
from diaodu.reporting import services
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod

SHOWN = 20


def to_file(user) -> list[tuple]:
    """(period, project, report or None) for open periods where the user's report is not in."""
    if not user.is_authenticated or user.is_headquarters:
        return []
    items = []
    periods = ReportingPeriod.objects.open().select_related("program").order_by("due_date")
    for period in periods:
        done = ProgressReport.objects.filter(
            project=OuterRef("pk"),
            period=period,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED],
        )
        projects = (
            Project.objects.visible_to(user)
            .filter(pk__in=period.projects_due().values("pk"))
            .exclude(Exists(done))
            .select_related("owner")
        )
        items += [(period, p) for p in projects if services.can_file(user, p)]
        if len(items) >= SHOWN:
            break
    return items[:SHOWN]


def to_review(user):
    """Submitted reports the user may approve or return."""
    if not user.is_authenticated:
        return []
    reports = (
        ProgressReport.objects.visible_to(user)
        .filter(status=ReportStatus.SUBMITTED)
        .select_related("project", "period__program")
        .order_by("submitted_at")
    )
    return [r for r in reports[:200] if services.can_review(user, r.project)][:SHOWN]
