"""The figures pages aggregate are kept (diaodu/core/kept.py), never stale: on a generated province,
after every step of a random sequence of services and daily jobs, what is kept equals what is
computed afresh (the nightly check finds no drift); a write that says nothing is found."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache

from diaodu.assessment import indicators, live
from diaodu.assessment.choices import Group
from diaodu.assessment.periods import Window
from diaodu.bench.generator import generate
from diaodu.core import kept
from diaodu.core.tasks import check_kept
from diaodu.inspections.services import do_record_inspection
from diaodu.monitoring import figures, ledger
from diaodu.monitoring.lights import refresh_lights
from diaodu.monitoring.snapshots import take
from diaodu.org.choices import Role
from diaodu.org.models import Unit, User
from diaodu.problems import services as problems
from diaodu.projects.choices import Stage
from diaodu.projects.models import Project
from diaodu.projects.services import do_set_stage
from diaodu.reporting import services as reporting
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod
from diaodu.reporting.totals import refresh_summaries

TODAY = date(2026, 11, 20)
pytestmark = pytest.mark.today(TODAY.isoformat())


@pytest.fixture
def province(db, settings):
    settings.DIAODU_KEEP_FIGURES = True  # as with a cache every process shares
    generate(projects=40, today=TODAY)
    cache.clear()
    return User.objects.get(username="hq")


def _pick(rng, queryset):
    """One of the rows, chosen by the sequence's own random numbers (None if there are none)."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    return queryset.model.objects.get(pk=rng.choice(ids)) if ids else None


def _owner_of(project):
    return User.objects.filter(role=Role.OWNER, unit_id=project.owner_id, is_active=True).first()


def _file(rng, hq):
    """An owner files this month's report and submits it."""
    period = ReportingPeriod.objects.monthly().filter(start__lte=TODAY).order_by("-start").first()
    filed = ProgressReport.objects.filter(period=period).values("project_id")
    project = _pick(
        rng,
        Project.objects.exclude(pk__in=filed).filter(
            stage__in=[Stage.NEW, Stage.CONTINUING], owner__isnull=False
        ),
    )
    owner = project and _owner_of(project)
    if owner is None:
        return "nothing to file"
    invested = f"{rng.randint(1, 500)}"
    report = reporting.do_save_report(owner, project, period, {"invested": invested}).report
    reporting.do_submit_report(owner, report)
    return f"filed {project.pk}"


def _review(rng, hq):
    report = _pick(rng, ProgressReport.objects.filter(status=ReportStatus.SUBMITTED))
    if report is None:
        return "nothing to review"
    if rng.random() < 0.7:
        reporting.do_approve_report(hq, report)
        return f"approved {report.pk}"
    reporting.do_return_report(hq, report, "数据有误，请核实")
    return f"returned {report.pk}"


def _raise(rng, hq):
    project = _pick(rng, Project.objects.all())
    unit = _pick(rng, Unit.objects.all())
    problems.do_raise_problem(
        hq,
        project,
        description="用地指标未落实",
        responsible_unit=unit,
        deadline=TODAY + timedelta(days=rng.randint(-20, 20)),
    )
    return f"raised on {project.pk}"


def _assign(rng, hq):
    project = _pick(rng, Project.objects.all())
    problems.do_assign_task(
        hq,
        content="协调解决施工用电问题",
        lead_unit=_pick(rng, Unit.objects.all()),
        deadline=TODAY + timedelta(days=rng.randint(-20, 20)),
        project=project,
    )
    return f"task on {project.pk}"


def _stage(rng, hq):
    project = _pick(rng, Project.objects.exclude(stage=Stage.CANCELLED))
    stage = rng.choice([Stage.CONTINUING, Stage.COMPLETED, Stage.PREPARATION])
    do_set_stage(hq, project, stage, reason="调度会确定")
    return f"stage of {project.pk}"


def _inspect(rng, hq):
    project = _pick(rng, Project.objects.all())
    do_record_inspection(
        hq,
        project,
        date=TODAY,
        inspectors="督查组",
        findings="现场施工人员不足",
        rating=rng.choice(["good", "fair", "poor"]),
        verified_percent=Decimal(rng.randint(0, 100)),
        today=TODAY,
    )
    return f"inspected {project.pk}"


def _nightly(rng, hq):
    refresh_summaries()
    refresh_lights(today=TODAY)
    take(TODAY, today=TODAY)
    return "nightly jobs"


STEPS = [_file, _file, _review, _review, _raise, _assign, _stage, _inspect, _nightly]


def test_no_drift_after_a_random_sequence_of_services(province):
    hq = province
    department = User.objects.filter(role=Role.DEPARTMENT, is_active=True).first()
    region = User.objects.filter(role=Role.REGION, is_active=True).first()
    month = Window.month_of(TODAY).previous()
    rng = random.Random(20261120)
    done = []
    # What people open: the queue computes it after a change.
    figures.figures(hq, TODAY.year)
    figures.figures(region, TODAY.year)
    live.values(month, Group.REGION, TODAY)
    whole = ledger.ledger(hq, {}, TODAY.year)[1]
    ledger.totals(whole, TODAY.year)
    for _step in range(16):
        assert len(kept.warm(TODAY)) == 4
        # A scope the queue does not compute: kept when first read.
        figures.figures(department, TODAY.year)
        done.append(rng.choice(STEPS)(rng, hq))
        assert kept.check(TODAY)["drift"] == [], done
        for user in (hq, region, department):
            assert figures.figures(user, TODAY.year) == figures.compute(user, TODAY.year), done
        assert live.values(month, Group.REGION, TODAY) == indicators.compute(
            month, Group.REGION, TODAY
        ), done
        assert ledger.totals(whole, TODAY.year) == ledger._totals(whole, TODAY.year), done
    assert any(d.startswith("approved") for d in done), done


def test_a_write_that_says_nothing_is_found_and_replaced(province, caplog):
    hq = province
    figures.figures(hq, TODAY.year)  # headquarters opened the dashboard: kept
    Project.objects.filter(stage=Stage.CONTINUING).update(stage=Stage.COMPLETED)  # no signal
    found = check_kept.apply().get()
    assert found["drift"] and found["compared"] >= len(found["drift"])
    assert "differ from the data" in caplog.text
    # Replaced: the pages read what the data says, and the next check finds nothing.
    assert kept.check(TODAY)["drift"] == []
    assert figures.figures(hq, TODAY.year) == figures.compute(hq, TODAY.year)


def test_without_a_shared_cache_nothing_is_kept_or_checked(province, settings):
    settings.DIAODU_KEEP_FIGURES = False
    assert kept.check(TODAY) == {"compared": 0, "drift": []}
    hq = province
    assert figures.figures(hq, TODAY.year) == figures.compute(hq, TODAY.year)


def test_last_months_bulletin_reads_the_portfolio_kept(province, django_assert_num_queries):
    window = Window.month_of(TODAY).previous()
    as_of = indicators.period_end(window, TODAY)
    live.portfolio(window, as_of)  # someone issued the bulletin, or previewed it
    kept.changed()
    assert any(item.startswith(f"portfolio:{window.code}") for item in kept.warm(TODAY))
    with django_assert_num_queries(0):
        read = live.portfolio(window, as_of)
    assert read == indicators.portfolio(window, as_of)


def test_the_queue_computes_only_what_someone_read_within_the_day(province):
    hq = province
    kept.warm(TODAY)
    assert kept.warm(TODAY) == []  # nobody has opened anything yet
    figures.figures(hq, TODAY.year)
    kept.changed()
    assert kept.warm(TODAY) == [f"dashboard:all:{TODAY.year}:-"]


def test_the_whole_ledger_reads_its_totals_and_counts_kept(province, django_assert_max_num_queries):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from diaodu.projects.filters import ProjectFilterSet

    hq = province
    client = Client()
    client.force_login(hq)
    url = reverse("projects:list")
    # The filters' options are kept once written (core.widgets.light_choices): written first,
    # so that what the second visit saves is the totals.
    for field in ProjectFilterSet({}, queryset=Project.objects.all()).form:
        str(field)
    with CaptureQueriesContext(connection) as first:
        computed = client.get(url).context["totals"]
    with CaptureQueriesContext(connection) as again:
        read = client.get(url).context["totals"]
    assert read == computed
    assert len(again) == len(first) - 4  # the three totals and the counts per region
    # A filtered ledger sums its own rows.
    region = User.objects.filter(role=Role.REGION).first().unit
    filtered = client.get(url, {"region": region.pk}).context["totals"]
    assert filtered.count < computed.count


def test_a_periods_counts_are_kept_for_those_who_see_everything(province):
    from diaodu.reporting import progress

    hq = province
    period = ReportingPeriod.objects.open().order_by("pk").first()
    computed = progress.period_counts(progress.due_projects(period, hq), period)
    assert progress.counts_for(period, hq) == computed
    assert any(item.startswith(f"period:{period.pk}:-") for item in kept.warm(TODAY))
    # A report filed moves the version on: the counts read next are the data's.
    _file(random.Random(1), hq)
    fresh = progress.period_counts(progress.due_projects(period, hq), period)
    assert progress.counts_for(period, hq) == fresh
    assert kept.check(TODAY)["drift"] == []
