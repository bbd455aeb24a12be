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
    monthly = ReportingPeriod.objects.filter(program__code="city", program__year=2026)
    assert monthly.count() == 11
    october = monthly.get(start=date(2026, 10, 1))
    projects = Project.objects.filter(programs=october.program).exclude(stage="reserve").count()
    assert october.reports.count() < projects  # some missing


def test_year_to_date_on_the_project_page_is_the_sum_of_approved_reports(demo):
    project = Project.objects.filter(stage="continuing").first()
    client = Client()
    client.login(username="hq", password="diaodu-demo")
    with time_machine.travel(TODAY):
        response = client.get(f"/projects/{project.pk}/")
    totals = response.context["totals"]
    stream = project_totals(project, 2026)
    assert totals["year_to_date"] == stream["year_to_date"] > 0
    approved = ProgressReport.objects.filter(
        project=project,
        status=ReportStatus.APPROVED,
        period__program__year=2026,
        period__program__cadence="monthly",
    ).order_by("period__program_id")
    first_program = approved.first().period.program_id
    assert totals["year_to_date"] == sum(
        r.invested for r in approved if r.period.program_id == first_program
    )


def test_owner_can_fill_the_open_period(demo):
    period = ReportingPeriod.objects.open().get(program__code="city", start=date(2026, 11, 1))
    client = Client()
    client.login(username="owner", password="diaodu-demo")
    response = client.get(f"/reporting/periods/{period.pk}/fill/")
    assert len(response.context["rows"]) >= 3


def test_open_periods_command_is_idempotent(demo, capsys):
    call_command("open_periods", "--date", "2026-11-20")
    assert "0" in capsys.readouterr().out
    call_command("open_periods", "--date", "2026-12-02")
    assert ReportingPeriod.objects.filter(start=date(2026, 12, 1)).count() == 3
