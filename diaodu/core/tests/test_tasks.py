"""Periodic jobs run as tasks: each records its run and changes nothing when run again."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command

from diaodu.core.models import JobRun
from diaodu.core.tasks import recorded
from diaodu.monitoring.tasks import refresh, remind
from diaodu.notifications.models import Notification
from diaodu.problems import services as problem_services
from diaodu.reporting.models import ReportingPeriod
from diaodu.reporting.tasks import close_periods, open_periods

# The periods and reminders below are of May and June 2026, in the city of that year.
pytestmark = pytest.mark.today("2026-05-03")


def test_a_job_records_its_last_run_and_its_failure(db):
    with recorded("sample"):
        pass
    run = JobRun.objects.get(name="sample")
    assert run.succeeded and run.runs == 1 and run.finished_at >= run.started_at
    with pytest.raises(ZeroDivisionError), recorded("sample"):
        1 / 0  # noqa: B018
    run.refresh_from_db()
    assert run.succeeded is False and run.runs == 2 and "ZeroDivisionError" in run.detail


def test_opening_and_closing_periods_twice_changes_nothing(city, settings):
    settings.DIAODU_PERIOD_CLOSE_DAYS = 30
    with time_machine.travel(date(2026, 5, 3)):
        assert open_periods() == 1
        assert open_periods() == 0
    may = ReportingPeriod.objects.get()
    with time_machine.travel(may.due_date + timedelta(days=30)):
        assert close_periods() == 0  # not yet past the 30 days
    with time_machine.travel(may.due_date + timedelta(days=31)):
        assert close_periods() == 1
        closed_at = ReportingPeriod.objects.get().closed_at
        assert close_periods() == 0
    assert ReportingPeriod.objects.get().closed_at == closed_at
    assert JobRun.objects.get(name="close_periods").runs == 3


def test_periods_never_close_by_themselves_when_so_configured(city, settings):
    settings.DIAODU_PERIOD_CLOSE_DAYS = 0
    with time_machine.travel(date(2026, 5, 3)):
        open_periods()
    with time_machine.travel(date(2027, 1, 1)):
        assert close_periods() == 0


def test_reminders_are_sent_once_a_day(city):
    problem_services.do_raise_problem(
        city.users.hq,
        city.projects.jiefang,
        description="征地拆迁未完成",
        category="land",
        responsible_unit=city.jiefang,
        deadline=date(2026, 6, 13),
    )
    Notification.objects.all().delete()  # the notice of the new problem
    with time_machine.travel(date(2026, 6, 10)):
        first = remind()
        again = remind()
    assert first["reminders"] == 1 and again["reminders"] == 0
    assert Notification.objects.count() == 1
    with time_machine.travel(date(2026, 6, 10)):
        call_command("remind", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Notification.objects.count() == 1
    assert JobRun.objects.get(name="remind").runs == 3


def test_refresh_twice_gives_the_same(city):
    first = refresh()
    assert refresh() == first
    assert JobRun.objects.get(name="refresh").succeeded
