"""The reports waiting in a work list are chosen in the database: the same reports, in the same
order, as the permission rules (services.can_file, can_review) picked from every visible one;
neither list reads more rows or queries as the reports grow."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diaodu.factories import ProgressReportFactory, ProjectFactory, ReportingPeriodFactory
from diaodu.projects.models import Project
from diaodu.reporting import inbox, services
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod

USERS = ["hq", "leader", "inspector", "jiefang", "gaoxin", "jiaotong", "owner", "nobody"]


def _reports(city, count: int, seed: int = 0) -> None:
    """Projects of every region, owner and lead unit (some city-level), each with this month's
    report in some state, submitted at moments that repeat."""
    rng = random.Random(seed)
    period = ReportingPeriodFactory()
    now = timezone.now()
    for i in range(count):
        project = ProjectFactory(
            name=f"项目{seed}-{i}",
            region=rng.choice([city.jiefang, city.street, city.gaoxin, None]),
            owner=rng.choice([city.touzi, None]),
            lead_unit=rng.choice([city.jiaotong, city.ziran]),
        )
        project.programs.set([city.program])
        status = rng.choice(list(ReportStatus))
        ProgressReportFactory(
            project=project,
            period=period,
            status=status,
            submitted_at=now - timedelta(hours=rng.randint(0, 5)) if status != "draft" else None,
        )


def _reviewable(user) -> list[int]:
    """As the work list chose them before: every visible submitted report, kept if the user may
    review it."""
    reports = (
        ProgressReport.objects.visible_to(user)
        .filter(status=ReportStatus.SUBMITTED)
        .select_related("project")
        .order_by("submitted_at", "pk")
    )
    return [r.pk for r in reports if services.can_review(user, r.project)][: inbox.SHOWN]


def _to_file(user) -> list[tuple[int, int]]:
    items: list[tuple[int, int]] = []
    if user.is_headquarters:  # files from the period's page, not from a work list
        return items
    for period in ReportingPeriod.objects.open().order_by("due_date"):
        done = ProgressReport.objects.filter(
            project=OuterRef("pk"), period=period, status__in=["submitted", "approved"]
        )
        projects = (
            Project.objects.visible_to(user)
            .filter(pk__in=period.projects_due().values("pk"))
            .exclude(Exists(done))
        )
        items += [(period.pk, p.pk) for p in projects if services.can_file(user, p)]
    return items[: inbox.SHOWN]


@pytest.mark.parametrize("username", USERS)
def test_the_reports_waiting_are_those_the_rules_pick(city, username, monkeypatch):
    monkeypatch.setattr(inbox, "SHOWN", 7)
    _reports(city, 40, seed=len(username))
    user = getattr(city.users, username)
    assert [r.pk for r in inbox.to_review(user)] == _reviewable(user)
    assert [(period.pk, p.pk) for period, p in inbox.to_file(user)] == _to_file(user)


def test_an_owner_has_reports_to_file_and_a_region_reports_to_review(city):
    _reports(city, 40)
    assert inbox.to_file(city.users.owner)
    assert inbox.to_review(city.users.jiefang) and inbox.to_review(city.users.hq)
    assert inbox.to_file(city.users.hq) == inbox.to_file(city.users.jiefang) == []


@pytest.mark.parametrize("username", ["hq", "jiefang", "jiaotong", "owner"])
def test_the_lists_read_a_fixed_number_of_queries(city, username):
    user = getattr(city.users, username)
    _reports(city, 5)

    def count():
        with CaptureQueriesContext(connection) as done:
            inbox.to_file(user)
            inbox.to_review(user)
        return len(done)

    count()  # the user's units read once, as once a request
    few = count()
    _reports(city, 40, seed=1)
    assert count() == few


@pytest.mark.parametrize("username", USERS)
def test_the_projects_one_may_file_for_are_those_can_file_picks(city, username):
    """The filing page counts and cuts its pages in the database (services.fileable): the same
    projects as can_file picks one by one, for every kind of user, an inactive one too."""
    _reports(city, 30, seed=3)
    user = getattr(city.users, username)
    every = Project.objects.order_by("pk")
    picked = [p.pk for p in every if services.can_file(user, p)]
    assert list(services.fileable(user, every).values_list("pk", flat=True)) == picked
    user.is_active = False
    assert not services.fileable(user, every).exists()
