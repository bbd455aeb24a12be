"""The demo city's reporting: a year of monthly reports, some late, missing and returned."""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from diaodu.demo import builder
from diaodu.projects.models import Project
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod
from diaodu.reporting.totals import project_totals

TODAY = date(2026, 11, 20)


@pytest.fixture
def demo(db):
    with time_machine.travel(TODAY):
        builder.build(TODAY)


def test_a_year_of_reports_with_late_missing_and_returned(demo):
    reports = ProgressReport.objects.all()
    assert reports.filter(status=ReportStatus.APPROVED).count() > 500
    assert reports.filter(status=ReportStatus.RETURNED).exists()
    assert any(r.is_late for r in reports.filter(status=ReportStatus.APPROVED)[:300])
    monthly = ReportingPeriod.objects.monthly().filter(start__year=2026)
    assert monthly.count() == 11
    october = monthly.get(start=date(2026, 10, 1))
    projects = october.projects_due().exclude(stage="reserve").count()
    assert october.reports.count() < projects  # some missing


def test_one_filing_per_project_and_month(demo):
    """No project has two reports carrying investment for one month; updates carry none."""
    from django.db.models import Count

    twice = (
        ProgressReport.objects.filter(period__kind="monthly")
        .values("project_id", "period__start")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not twice.exists()
    assert not ProgressReport.objects.filter(period__kind="update", invested__gt=0).exists()
    assert not ReportingPeriod.objects.filter(program__cadence="monthly").exists()


def test_year_to_date_on_the_project_page_is_the_sum_of_approved_reports(demo):
    project = Project.objects.filter(stage="continuing").first()
    client = Client()
    client.login(username="hq", password="diaodu-demo")
    with time_machine.travel(TODAY):
        response = client.get(f"/projects/{project.pk}/")
    totals = response.context["totals"]
    assert totals["year_to_date"] == project_totals(project, 2026)["year_to_date"] > 0
    approved = ProgressReport.objects.filter(
        project=project,
        status=ReportStatus.APPROVED,
        period__kind="monthly",
        period__start__year=2026,
    )
    assert totals["year_to_date"] == sum(r.invested for r in approved)


def test_owner_can_fill_the_open_period(demo):
    period = ReportingPeriod.objects.open().monthly().get(start=date(2026, 11, 1))
    client = Client()
    client.login(username="owner", password="diaodu-demo")
    response = client.get(f"/reporting/periods/{period.pk}/fill/")
    projects = [row["project"].pk for row in response.context["rows"]]
    assert len(projects) >= 3
    assert len(projects) == len(set(projects))  # each project once


def test_open_periods_command_is_idempotent(demo, capsys):
    call_command("open_periods", "--date", "2026-11-20")
    assert "0" in capsys.readouterr().out
    call_command("open_periods", "--date", "2026-12-02")
    # The one monthly period of December, and the update periods of the weekly and biweekly
    # programmes of the year.
    december = ReportingPeriod.objects.filter(opened_at__date__gte=date(2026, 11, 30))
    assert december.monthly().get().start == date(2026, 12, 1)
    assert {p.program.cadence for p in december.exclude(kind="monthly")} <= {"weekly", "biweekly"}
