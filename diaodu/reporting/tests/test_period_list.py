"""The list of reporting periods: each period's reports submitted, newest first, thirty to a
page, in a number of queries that does not grow with the periods or their reports."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diaodu.conftest import login
from diaodu.factories import ProgressReportFactory, ReportingPeriodFactory
from diaodu.reporting.choices import ReportStatus

pytestmark = pytest.mark.today("2026-11-20")

URL = reverse("reporting:periods")
D, S, R, A = (
    ReportStatus.DRAFT,
    ReportStatus.SUBMITTED,
    ReportStatus.RETURNED,
    ReportStatus.APPROVED,
)
# The statuses of a period's reports, one per project: 0, 0, 1, 2 and 3 of them filed.
PATTERNS = [[], [D], [S, R], [A, S, D], [A, A, A, R]]


def _months(count):
    """The monthly periods of `count` months up to November 2026, oldest first."""
    days = []
    year, month = 2026, 11
    for _ in range(count):
        days.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return [ReportingPeriodFactory(day=day) for day in reversed(days)]


def _file(city, periods):
    """Reports in each period, of every status, from none to three submitted or approved."""
    projects = list(vars(city.projects).values())
    for i, period in enumerate(periods):
        for project, status in zip(projects, PATTERNS[i % len(PATTERNS)], strict=False):
            ProgressReportFactory(project=project, period=period, status=status)


def _shown(response):
    return [(p.pk, p.n_reports) for p in response.context["page"]]


def _expected(periods):
    filed = {ReportStatus.SUBMITTED, ReportStatus.APPROVED}
    return [
        (p.pk, sum(r.status in filed for r in p.reports.all()))
        for p in sorted(periods, key=lambda p: p.start, reverse=True)
    ]


def test_each_period_counts_its_reports_submitted_or_approved(city):
    periods = _months(4)
    _file(city, periods)
    expected = _expected(periods)
    assert [n for _pk, n in expected] == [2, 1, 0, 0]
    assert _shown(login(city.users.hq).get(URL)) == expected
    # Periods are read by every signed-in user, with the same figures.
    assert _shown(login(city.users.owner).get(URL)) == expected


def test_thirty_periods_to_a_page_newest_first(city):
    periods = _months(33)
    _file(city, periods[-3:])
    expected = _expected(periods)
    client = login(city.users.jiefang)
    first = client.get(URL)
    assert _shown(first) == expected[:30]
    assert first.context["page"].paginator.count == 33
    assert _shown(client.get(URL, {"page": 2})) == expected[30:]
    assert b"?page=2" in first.content


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries.captured_queries)


def test_queries_do_not_grow_with_periods_or_reports(city):
    client = login(city.users.hq)
    _file(city, _months(2))
    client.get(URL)  # the session and the caches warm
    few = _queries(client)
    _file(city, _months(35)[:-2])
    assert _queries(client) == few


def test_anonymous_is_sent_to_sign_in(client, city):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response.url
