"""The API's list of reports: every page is the slice of the model's order (the newest period
first, then the projects in the ledger's order), for each scope and filter, found without sorting
every report, in a number of queries that does not grow with the reports."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from diaodu.factories import ProgramFactory, ProgressReportFactory, ReportingPeriodFactory
from diaodu.reporting.api import ReportPages
from diaodu.reporting.choices import PeriodKind, ReportStatus
from diaodu.reporting.models import ProgressReport, ReportingPeriod

pytestmark = pytest.mark.today("2026-11-20")

URL = "/api/reports/"
STATUSES = [ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.DRAFT]


def _client(user):
    client = APIClient()
    client.force_login(user)
    return client


def _months(count):
    days, year, month = [], 2026, 11
    for _ in range(count):
        days.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return [ReportingPeriodFactory(day=day) for day in days]


def _file(city, periods):
    """A report of every project in every period, of varied statuses."""
    for i, period in enumerate(periods):
        for j, project in enumerate(vars(city.projects).values()):
            status = STATUSES[(i + j) % len(STATUSES)]
            ProgressReportFactory(project=project, period=period, status=status)


def _update_on(day, city):
    """A weekly programme's update period starting on a day a monthly period starts too."""
    weekly = ProgramFactory(name="周调度项目", code="weekly", year=day.year, cadence="weekly")
    weekly.projects.set(vars(city.projects).values())
    return ReportingPeriod.objects.create(
        kind=PeriodKind.UPDATE,
        program=weekly,
        start=day,
        end=day + timedelta(days=6),
        due_date=day + timedelta(days=6),
    )


def _expected(user, **filters):
    """The model's order, the period after the project to part reports starting the same day."""
    reports = ProgressReport.objects.visible_to(user).filter(**filters)
    reports = reports.select_related("period", "project__region")

    def key(report):
        region = report.project.region
        return (
            -report.period.start.toordinal(),
            region is None,
            region.sort_order if region else 0,
            report.project.name,
            report.project_id,
            report.period_id,
        )

    return [r.pk for r in sorted(reports, key=key)]


def _all_pages(client, **params):
    ids, page, count = [], 1, None
    while True:
        body = client.get(URL, {**params, "page": page}).json()
        count = body["count"] if count is None else count
        assert body["count"] == count
        ids += [row["id"] for row in body["results"]]
        if body["next"] is None:
            return ids, count
        page += 1


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(ReportPages, "page_size", 3)


@pytest.mark.parametrize("username", ["hq", "jiefang", "owner", "jiaotong", "nobody"])
@pytest.mark.parametrize(
    "filters",
    [{}, {"status": ReportStatus.APPROVED}, {"status": ReportStatus.DRAFT}, {"project": "gaoxin"}],
    ids=["all", "approved", "draft", "one project"],
)
def test_every_page_is_the_slice_of_the_order(city, small_pages, username, filters):
    periods = _months(4)
    _file(city, periods)
    _file(city, [_update_on(periods[1].start, city)])
    user = getattr(city.users, username)
    if "project" in filters:
        filters = {"project": getattr(city.projects, filters["project"]).pk}
    expected = _expected(user, **filters)
    ids, count = _all_pages(_client(user), **filters)
    assert ids == expected and count == len(expected)
    if username == "hq":
        assert len(expected) > 3  # several pages, one cutting through a day of two periods


def test_a_page_past_the_last_is_not_found(city, small_pages):
    _file(city, _months(1))
    client = _client(city.users.hq)
    assert client.get(URL, {"page": 2}).status_code == 200
    assert client.get(URL, {"page": 3}).status_code == 404


def test_an_empty_list_has_one_empty_page(city):
    body = _client(city.users.hq).get(URL).json()
    assert body["count"] == 0 and body["results"] == []


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("username", ["hq", "jiefang"])
def test_queries_do_not_grow_with_reports_or_periods(city, username):
    client = _client(getattr(city.users, username))
    _file(city, _months(1))
    client.get(URL)  # the session and the caches warm
    few = [_queries(client, {}), _queries(client, {"status": ReportStatus.APPROVED})]
    _file(city, _months(30)[1:])
    many = [_queries(client, {}), _queries(client, {"status": ReportStatus.APPROVED})]
    assert many == few


def test_anonymous_is_refused(city):
    assert APIClient().get(URL).status_code in (401, 403)
