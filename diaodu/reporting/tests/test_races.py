"""Races on reports, with real concurrent transactions on PostgreSQL: two people filing a
report's first version at once (one is saved, the other told of the conflict), and two refreshes
of one project's summaries at once (both succeed and leave the figures the reports support)."""

import threading
from datetime import date

import pytest
from django.db import connections, transaction
from django.utils import timezone

from diaodu.factories import UserFactory
from diaodu.org.choices import Role
from diaodu.reporting import services
from diaodu.reporting.models import InvestmentSummary, ProgressReport, ReportingPeriod
from diaodu.reporting.tests.test_services import GOOD
from diaodu.reporting.totals import refresh_summaries
from diaodu.tests.concurrency import on_postgresql

pytestmark = [pytest.mark.django_db(transaction=True), on_postgresql]


@pytest.fixture
def filed(city):
    """A project with one submitted monthly report, its summary already written once."""
    project = city.projects.jiefang
    period = ReportingPeriod.objects.create(
        start=date(2025, 5, 1), end=date(2025, 5, 31), due_date=date(2025, 5, 25)
    )
    ProgressReport.objects.create(project=project, period=period, submitted_at=timezone.now())
    refresh_summaries([project.pk])
    return project


@pytest.mark.parametrize("attempt", range(20))
def test_two_refreshes_of_one_project_at_once_both_succeed(filed, attempt):
    first_wrote = threading.Event()
    outcomes = {}

    def first():
        try:
            with transaction.atomic():
                refresh_summaries([filed.pk])
                first_wrote.set()
                # Hold the rows while the second refresh starts and waits for them.
                threading.Event().wait(0.2)
            outcomes["first"] = "done"
        except Exception as error:
            outcomes["first"] = repr(error)
        finally:
            first_wrote.set()
            connections.close_all()

    def second():
        try:
            first_wrote.wait(timeout=10)
            with transaction.atomic():
                refresh_summaries([filed.pk])
            outcomes["second"] = "done"
        except Exception as error:
            outcomes["second"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == {"first": "done", "second": "done"}
    summary = InvestmentSummary.objects.get(project=filed)
    assert (summary.year, summary.reports_submitted) == (2025, 1)


def test_a_summary_no_report_supports_any_longer_is_removed(filed):
    ProgressReport.objects.filter(project=filed).delete()
    refresh_summaries([filed.pk])
    assert not InvestmentSummary.objects.filter(project=filed).exists()


def _both(first, second):
    """Run both calls at the same moment, each in its own thread and transaction."""
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # shown as the outcome, so the assertion says what happened
            outcomes[index] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


@pytest.mark.today("2026-05-20")  # May 2026's period is open (conftest.py)
@pytest.mark.parametrize("attempt", range(20))
def test_two_first_saves_of_one_report_at_once_save_one_and_tell_the_other(city, period, attempt):
    project = city.projects.jiefang
    colleague = UserFactory(username=f"owner{attempt}", role=Role.OWNER, unit=city.touzi)

    def save(user, workers):
        def call():
            try:
                # version 0: each loaded the page before any version existed
                services.do_save_report(
                    user, project, period, {**GOOD, "workers": workers}, version=0
                )
            except services.ReportConflict as conflict:
                return f"conflict with {conflict.current.workers}"
            return "saved"

        return call

    outcomes = _both(save(city.users.owner, "80"), save(colleague, "90"))
    report = ProgressReport.objects.get(project=project, period=period)
    assert outcomes == ["conflict with " + str(report.workers), "saved"]
    assert report.version == 1


@pytest.mark.today("2026-05-20")  # May 2026's period is open (conftest.py)
@pytest.mark.parametrize("attempt", range(10))
def test_the_api_answers_409_to_the_second_first_save(city, period, attempt):
    from rest_framework.test import APIClient

    project = city.projects.jiefang
    colleague = UserFactory(username=f"owner-api{attempt}", role=Role.OWNER, unit=city.touzi)

    def post(user):
        def call():
            client = APIClient()
            client.force_authenticate(user)
            # version 0: each loaded the form before any version existed, so the second is a
            # conflict whether or not the two requests overlap
            body = {"project": project.pk, "period": period.pk, "version": 0, **GOOD}
            return client.post("/api/reports/", body, format="json").status_code

        return call

    assert _both(post(city.users.owner), post(colleague)) == [201, 409]
