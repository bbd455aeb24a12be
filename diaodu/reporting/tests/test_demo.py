"""The demo city's reporting: a year of monthly reports, some late, missing and returned."""

from datetime import timedelta

from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from diaodu.demo import builder
from diaodu.projects.models import Project
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod
from diaodu.reporting.totals import project_totals


def test_a_year_of_reports_with_late_missing_and_returned(demo_city):
    today = demo_city.today
    reports = ProgressReport.objects.all()
    assert reports.filter(status=ReportStatus.APPROVED).count() > 500
    assert reports.filter(status=ReportStatus.RETURNED).exists()
    assert any(r.is_late for r in reports.filter(status=ReportStatus.APPROVED)[:300])
    monthly = ReportingPeriod.objects.monthly().filter(start__year=today.year)
    assert monthly.count() == today.month
    last_month = monthly.get(start=(today.replace(day=1) - timedelta(days=1)).replace(day=1))
    projects = last_month.projects_due().exclude(stage="reserve").count()
    assert last_month.reports.count() < projects  # some missing


def test_one_filing_per_project_and_month(demo_city):
    """No project has two reports carrying investment for one month; updates carry none."""
    twice = (
        ProgressReport.objects.filter(period__kind="monthly")
        .values("project_id", "period__start")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not twice.exists()
    assert not ProgressReport.objects.filter(period__kind="update", invested__gt=0).exists()
    assert not ReportingPeriod.objects.filter(program__cadence="monthly").exists()


def test_year_to_date_on_the_project_page_is_the_sum_of_approved_reports(demo_city):
    year = demo_city.today.year
    project = Project.objects.filter(stage="continuing").first()
    client = Client()
    client.login(username="hq", password=builder.PASSWORD)
    response = client.get(f"/projects/{project.pk}/")
    totals = response.context["totals"]
    assert totals["year_to_date"] == project_totals(project, year)["year_to_date"] > 0
    approved = ProgressReport.objects.filter(
        project=project,
        status=ReportStatus.APPROVED,
        period__kind="monthly",
        period__start__year=year,
    )
    assert totals["year_to_date"] == sum(r.invested for r in approved)


def test_owner_can_fill_the_open_period(demo_city):
    period = ReportingPeriod.objects.open().monthly().get(start=demo_city.today.replace(day=1))
    client = Client()
    client.login(username="owner", password=builder.PASSWORD)
    response = client.get(f"/reporting/periods/{period.pk}/fill/")
    projects = [row["project"].pk for row in response.context["rows"]]
    assert len(projects) >= 3
    assert len(projects) == len(set(projects))  # each project once


def test_open_periods_command_is_idempotent(demo_city, capsys):
    today = demo_city.today
    before = set(ReportingPeriod.objects.values_list("pk", flat=True))
    call_command("open_periods", "--date", today.isoformat())
    assert set(ReportingPeriod.objects.values_list("pk", flat=True)) == before
    assert "0" in capsys.readouterr().out
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    call_command("open_periods", "--date", (next_month + timedelta(days=1)).isoformat())
    # The one monthly period of the next month, and the update periods of the weekly and
    # biweekly programmes of the year.
    opened = ReportingPeriod.objects.exclude(pk__in=before)
    assert opened.monthly().get().start == next_month
    assert {p.program.cadence for p in opened.exclude(kind="monthly")} <= {"weekly", "biweekly"}
