"""Upgrading to one filing a month: the reports of a project for one month become one, and
nothing typed is lost (reporting.0007_one_filing_per_month)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from diaodu.tests.migrations import migrate, migrate_to_latest

BEFORE = [("reporting", "0005_covering_indexes")]
AFTER = [("reporting", "0008_period_constraints")]


@pytest.fixture
def old_apps(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate_to_latest()


def test_duplicate_monthly_reports_are_merged_and_kept_in_history(old_apps):
    Unit = old_apps.get_model("org", "Unit")
    Program = old_apps.get_model("projects", "Program")
    Project = old_apps.get_model("projects", "Project")
    Period = old_apps.get_model("reporting", "ReportingPeriod")
    Report = old_apps.get_model("reporting", "ProgressReport")
    Photo = old_apps.get_model("reporting", "ReportPhoto")
    owner = Unit.objects.create(name="建投", code="jt", kind="enterprise")
    project = Project.objects.create(name="焦北学校", owner=owner)
    alone = Project.objects.create(name="只在周调度的项目", owner=owner)
    provincial = Program.objects.create(name="省重点", code="p", year=2026, cadence="monthly")
    city = Program.objects.create(name="550", code="c", year=2026, cadence="monthly")
    weekly = Program.objects.create(name="三十工程", code="w", year=2026, cadence="weekly")
    project.programs.set([provincial, city, weekly])
    alone.programs.set([weekly])
    opened = timezone.make_aware(datetime(2026, 10, 1, 8))

    def period(program, start, end, due):
        return Period.objects.create(
            program=program, start=start, end=end, due_date=due, opened_at=opened
        )

    october = [period(p, date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 25))
               for p in (provincial, city)]  # fmt: skip
    week = period(weekly, date(2026, 10, 5), date(2026, 10, 11), date(2026, 10, 9))
    returned = Report.objects.create(
        project=project, period=october[0], status="returned", invested=Decimal("811.37"),
        physical_progress="主体施工", return_reason="数字有误",
    )  # fmt: skip
    approved = Report.objects.create(
        project=project, period=october[1], status="approved", invested=Decimal("1003.47")
    )
    Photo.objects.create(report=returned, image="reports/2026/10/1/site.jpg")
    Report.objects.create(project=project, period=week, status="approved", invested=Decimal("50"))
    Report.objects.create(
        project=alone, period=week, status="approved", invested=Decimal("70"),
        submitted_at=opened,
    )  # fmt: skip

    apps = migrate(AFTER)
    Period = apps.get_model("reporting", "ReportingPeriod")
    Report = apps.get_model("reporting", "ProgressReport")
    Summary = apps.get_model("reporting", "InvestmentSummary")
    ChangeRecord = apps.get_model("core", "ChangeRecord")
    monthly = Period.objects.get(kind="monthly", start=date(2026, 10, 1))
    assert monthly.program_id is None
    assert not Period.objects.filter(program__cadence="monthly").exists()
    assert Period.objects.get(pk=week.pk).kind == "update"
    # One report for the month: the approved one, with the returned one's text in its history
    # and its photo moved to it.
    kept = Report.objects.get(project_id=project.pk, period=monthly)
    assert kept.pk == approved.pk and kept.invested == Decimal("1003.47")
    assert not Report.objects.filter(pk=returned.pk).exists()
    history = ChangeRecord.objects.get(object_id=str(kept.pk), changes__has_key="merged")
    assert "811.37" in history.changes["merged"][0] and "数字有误" in history.changes["merged"][0]
    assert apps.get_model("reporting", "ReportPhoto").objects.get().report_id == kept.pk
    # Weekly investment: never counted beside a monthly report; moved to a new monthly report
    # where the month had none; each update keeps the old figure in its history.
    assert not Report.objects.filter(period__kind="update", invested__gt=0).exists()
    moved = Report.objects.get(project_id=alone.pk, period=monthly)
    assert moved.invested == Decimal("70.00") and moved.status == "approved"
    assert ChangeRecord.objects.filter(changes__invested=["50.00", "0.00"]).exists()
    summaries = dict(Summary.objects.values_list("project_id", "invested"))
    assert summaries == {project.pk: Decimal("1003.47"), alone.pk: Decimal("70.00")}
