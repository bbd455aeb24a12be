"""The reporting cycle's services: checks, transitions with allowed and forbidden users."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from diaodu.core.models import Action, ChangeRecord
from diaodu.factories import ProgramFactory
from diaodu.projects.choices import Cadence
from diaodu.reporting import services
from diaodu.reporting.calendar import period_containing
from diaodu.reporting.choices import PeriodKind, ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod
from diaodu.reporting.tests.conftest import at
from diaodu.reporting.totals import project_totals

# The city's monthly period is May 2026's (conftest.py): on 20 May it is open, not yet due.
pytestmark = pytest.mark.today("2026-05-20")

GOOD = {
    "invested": "120.5",
    "physical_percent": "35",
    "workers": "80",
    "physical_progress": "主体施工",
    "next_steps": "封顶",
    "problems": "",
}


def file(user, project, period, **changes):
    return services.do_save_report(user, project, period, {**GOOD, **changes})


def submitted(city, period, project=None):
    project = project or city.projects.jiefang
    user = city.users.owner if project.owner_id == city.touzi.pk else city.users.hq
    report = file(user, project, period).report
    return services.do_submit_report(user, report)


# -- calendar and periods ------------------------------------------------------------------


def test_calendar_of_each_cadence():
    monthly = period_containing(Cadence.MONTHLY, date(2026, 2, 10))
    assert (monthly.start, monthly.end, monthly.due_date) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
        date(2026, 2, 25),
    )
    weekly = period_containing(Cadence.WEEKLY, date(2026, 11, 20))  # a Friday
    assert (weekly.start, weekly.end, weekly.due_date) == (
        date(2026, 11, 16),
        date(2026, 11, 22),
        date(2026, 11, 20),
    )
    biweekly = period_containing(Cadence.BIWEEKLY, date(2026, 1, 20))
    assert biweekly.start == date(2026, 1, 19) and biweekly.end == date(2026, 2, 1)


def test_open_due_periods_is_idempotent(city):
    ProgramFactory(code="weekly", cadence=Cadence.WEEKLY, year=2026)
    with time_machine.travel(date(2026, 5, 3)):
        first = services.open_due_periods()
        again = services.open_due_periods()
    assert len(first) == 2 and again == []
    assert ReportingPeriod.objects.open().count() == 2


def test_only_headquarters_opens_and_extends(city, period):
    with pytest.raises(PermissionDenied):
        services.open_period(city.users.jiefang, city.program, date(2026, 6, 1))
    with pytest.raises(PermissionDenied):
        services.extend_period(city.users.owner, period, date(2026, 6, 5), "雨季")
    with pytest.raises(ValidationError):
        services.extend_period(city.users.hq, period, date(2026, 6, 5), " ")
    services.extend_period(city.users.hq, period, date(2026, 6, 5), "雨季")
    period.refresh_from_db()
    assert period.due_date == date(2026, 6, 5)


# -- filing --------------------------------------------------------------------------------


def test_owner_files_and_it_is_recorded(city, period):
    result = file(city.users.owner, city.projects.jiefang, period)
    assert result.created
    assert result.report.invested == Decimal("120.50")
    assert ChangeRecord.objects.filter(
        project=city.projects.jiefang, action=Action.CREATE, content_type__model="progressreport"
    ).exists()


@pytest.mark.parametrize("username", ["jiefang", "jiaotong", "leader", "inspector", "nobody"])
def test_others_cannot_file(city, period, username):
    with pytest.raises(PermissionDenied):
        file(getattr(city.users, username), city.projects.jiefang, period)
    assert not ProgressReport.objects.exists()


def test_owner_cannot_file_a_project_it_does_not_own(city, period):
    with pytest.raises(PermissionDenied):
        file(city.users.owner, city.projects.gaoxin, period)


def test_impossible_values_are_refused_in_chinese(city, period):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        file(
            city.users.owner,
            city.projects.jiefang,
            period,
            invested="-5",
            physical_percent="120",
            workers="-1",
        )
    errors = error.value.message_dict
    assert set(errors) == {"invested", "physical_percent", "workers"}
    assert "负" in errors["invested"][0]
    assert "100" in errors["physical_percent"][0]
    assert not ProgressReport.objects.exists()


def test_a_period_not_open_is_refused(city, period):
    period.opened_at = None
    period.save()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        file(city.users.owner, city.projects.jiefang, period)
    assert error.value.messages == ["填报周期 月度填报 2026年05月 未开放填报。"]


def test_unusual_values_warn_but_save(city, period):
    project = city.projects.jiefang
    april = ReportingPeriod.objects.create(
        start=date(2026, 4, 1),
        end=date(2026, 4, 30),
        due_date=date(2026, 4, 25),
        opened_at=period.opened_at,
    )
    file(city.users.owner, project, april, physical_percent="50")
    result = file(city.users.owner, project, period, physical_percent="40", invested="2000")
    assert result.report.pk
    text = " ".join(result.warnings)
    assert "40" in text and "50" in text  # lower than last period
    assert "1200" in text  # larger than the whole year's plan


# -- transitions ---------------------------------------------------------------------------


def test_submit_by_owner_only(city, period):
    report = file(city.users.owner, city.projects.jiefang, period).report
    for user in (city.users.jiefang, city.users.gaoxin, city.users.jiaotong):
        with pytest.raises(PermissionDenied):
            services.do_submit_report(user, report)
    with time_machine.travel(at("2026-05-20")):
        report = services.do_submit_report(city.users.owner, report)
    assert report.status == ReportStatus.SUBMITTED and not report.is_late


def test_late_submission_is_marked_late(city, period):
    report = file(city.users.owner, city.projects.jiefang, period).report
    with time_machine.travel(at("2026-05-27")):
        report = services.do_submit_report(city.users.owner, report)
    assert report.is_late


def test_region_approves_its_own_projects_only(city, period):
    report = submitted(city, period)
    for user in (
        city.users.gaoxin,
        city.users.owner,
        city.users.jiaotong,
        city.users.leader,
        city.users.inspector,
    ):
        with pytest.raises(PermissionDenied):
            services.do_approve_report(user, report)
    report = services.do_approve_report(city.users.jiefang, report)
    assert report.status == ReportStatus.APPROVED
    assert report.reviewed_by == city.users.jiefang


def test_region_reviews_projects_of_its_streets(city, period):
    report = submitted(city, period, city.projects.street)
    assert services.do_approve_report(city.users.jiefang, report).status == ReportStatus.APPROVED


def test_lead_department_reviews_city_level_projects(city, period, ziran_user):
    report = submitted(city, period, city.projects.city)
    with pytest.raises(PermissionDenied):
        services.do_approve_report(city.users.jiaotong, report)
    with pytest.raises(PermissionDenied):
        services.do_approve_report(city.users.jiefang, report)
    assert services.do_approve_report(ziran_user, report).status == ReportStatus.APPROVED


def test_return_needs_a_reason_and_allows_resubmission(city, period):
    report = submitted(city, period)
    with pytest.raises(ValidationError):
        services.do_return_report(city.users.jiefang, report, "  ")
    with pytest.raises(PermissionDenied):
        services.do_return_report(city.users.gaoxin, report, "不对")
    report = services.do_return_report(city.users.jiefang, report, "投资数据有误")
    assert report.status == ReportStatus.RETURNED and report.return_reason == "投资数据有误"
    record = ChangeRecord.objects.filter(action=Action.TRANSITION).first()
    assert record.reason == "投资数据有误" and record.actor == city.users.jiefang
    file(city.users.owner, city.projects.jiefang, period, invested="100")
    assert services.do_submit_report(city.users.owner, report).status == ReportStatus.SUBMITTED


def test_approved_reports_are_locked_until_headquarters_reopens(city, period):
    report = services.do_approve_report(city.users.jiefang, submitted(city, period))
    with pytest.raises(ValidationError):
        file(city.users.owner, city.projects.jiefang, period, invested="1")
    with pytest.raises(ValidationError):
        services.do_submit_report(city.users.owner, report)
    for user in (city.users.jiefang, city.users.owner, city.users.leader):
        with pytest.raises(PermissionDenied):
            services.do_reopen_report(user, report, "更正")
    with pytest.raises(ValidationError):
        services.do_reopen_report(city.users.hq, report, "")
    report = services.do_reopen_report(city.users.hq, report, "统计口径调整")
    assert report.status == ReportStatus.RETURNED
    file(city.users.owner, city.projects.jiefang, period, invested="1")


def test_cannot_approve_a_draft(city, period):
    report = file(city.users.owner, city.projects.jiefang, period).report
    with pytest.raises(ValidationError):
        services.do_approve_report(city.users.jiefang, report)


# -- derived totals ------------------------------------------------------------------------


def test_year_to_date_is_the_sum_of_approved_reports(city, period):
    project = city.projects.jiefang
    april = ReportingPeriod.objects.create(
        start=date(2026, 4, 1),
        end=date(2026, 4, 30),
        due_date=date(2026, 4, 25),
        opened_at=period.opened_at,
    )
    for each, amount in ((april, "300"), (period, "200")):
        report = file(city.users.owner, project, each, invested=amount).report
        services.do_approve_report(
            city.users.jiefang, services.do_submit_report(city.users.owner, report)
        )
    june = ReportingPeriod.objects.create(
        start=date(2026, 6, 1),
        end=date(2026, 6, 30),
        due_date=date(2026, 6, 25),
        opened_at=period.opened_at,
    )
    services.do_submit_report(
        city.users.owner, file(city.users.owner, project, june, invested="999").report
    )
    project.refresh_from_db()
    totals = project_totals(project, 2026)
    assert totals["year_to_date"] == Decimal("500.00")  # the submitted one does not count yet
    assert totals["rate"] == Decimal("500") / Decimal("1200") * 100


def test_a_weekly_programme_files_updates_without_investment(city, period):
    project = city.projects.jiefang
    weekly = ProgramFactory(code="thirty", cadence=Cadence.WEEKLY, year=2026)
    weekly.projects.add(project)
    week = ReportingPeriod.objects.create(
        kind=PeriodKind.UPDATE,
        program=weekly,
        start=date(2026, 5, 4),
        end=date(2026, 5, 10),
        due_date=date(2026, 5, 8),
        opened_at=period.opened_at,
    )
    with pytest.raises(ValidationError) as refused:
        file(city.users.owner, project, week, invested="50")
    assert "invested" in refused.value.message_dict
    assert not ProgressReport.objects.filter(period=week).exists()
    for each, values in ((period, {"invested": "200"}), (week, {"invested": ""})):
        report = file(city.users.owner, project, each, **values).report
        services.do_approve_report(
            city.users.jiefang, services.do_submit_report(city.users.owner, report)
        )
    assert ProgressReport.objects.get(period=week).invested == 0
    assert project_totals(project, 2026)["year_to_date"] == Decimal("200.00")


def test_a_project_in_two_monthly_programmes_files_once(city, period):
    """Both programmes read the one monthly report; the owner sees one filing."""
    from diaodu.reporting import inbox

    other = ProgramFactory(code="provincial", cadence=Cadence.MONTHLY, year=2026)
    other.projects.add(city.projects.jiefang)
    with time_machine.travel(date(2026, 5, 3)):
        services.open_due_periods()
    assert ReportingPeriod.objects.filter(start=date(2026, 5, 1)).count() == 1
    due = [project for _period, project in inbox.to_file(city.users.owner)]
    assert due.count(city.projects.jiefang) == 1


# -- collisions ----------------------------------------------------------------------------


def test_two_concurrent_edits_lose_nothing(city, period):
    report = file(city.users.owner, city.projects.jiefang, period).report
    loaded_by_a = loaded_by_b = report.version
    services.do_save_report(
        city.users.owner, city.projects.jiefang, period, {"invested": "111"}, version=loaded_by_a
    )
    with pytest.raises(services.ReportConflict) as conflict:
        services.do_save_report(
            city.users.hq, city.projects.jiefang, period, {"invested": "222"}, version=loaded_by_b
        )
    assert conflict.value.current.invested == Decimal("111.00")  # the first edit is kept
    assert conflict.value.attempted["invested"] == Decimal("222")  # the second is handed back
    report.refresh_from_db()
    assert report.invested == Decimal("111.00")
    assert report.version == loaded_by_a + 1
