"""Two refreshes of one project's summaries at once, with real concurrent transactions on
PostgreSQL: both succeed and leave the figures the reports support."""

import threading
from datetime import date

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from diaodu.reporting.models import InvestmentSummary, ProgressReport, ReportingPeriod
from diaodu.reporting.totals import refresh_summaries

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL, the production database")


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
