"""The page of who is behind in a period: counts per unit and filtered rows from the database,
the same as counting and filtering every row in Python; a page of 50 rows; fixed queries."""

import io
from collections import OrderedDict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from diaodu.conftest import login
from diaodu.projects.models import Program, Project
from diaodu.reporting.choices import Filing, ReportStatus
from diaodu.reporting.models import ProgressReport
from diaodu.reporting.progress import Row, period_rows, select_rows

# May 2026's period is due on the 25th (conftest.py); on 20 June it is past due.
pytestmark = pytest.mark.today("2026-06-20")

SHANGHAI = ZoneInfo("Asia/Shanghai")


def reference_counts(rows: list[Row]) -> list[dict]:
    """The counts the page showed before they were counted in the database, kept as the
    reference: every row built, then counted in Python."""
    table: OrderedDict = OrderedDict()
    for row in rows:
        unit = row.project.region or row.project.lead_unit
        key = unit.pk if unit else 0
        entry = table.setdefault(
            key,
            {
                "unit": unit,
                "total": 0,
                "reported": 0,
                "missing": 0,
                "late": 0,
                "returned": 0,
                "approved": 0,
            },
        )
        entry["total"] += 1
        if row.filing in {Filing.MISSING, Filing.DRAFT}:
            entry["missing"] += 1
        else:
            entry["reported"] += row.filing != Filing.RETURNED
        entry["late"] += row.late
        entry["returned"] += row.filing == Filing.RETURNED
        entry["approved"] += row.filing == Filing.APPROVED
    return sorted(table.values(), key=lambda e: (-e["missing"], str(e["unit"])))


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


# Submission times around the due date (25 May, Shanghai): the last second of the day is on
# time; the first of the next day is late although it is still the 25th in UTC; so is 04:00
# on the 26th (20:00 on the 25th in UTC).
ON_TIME = local("2026-05-25T23:59:59")
LATE = local("2026-05-26T00:00:00")
LATE_UTC_SAME_DAY = datetime(2026, 5, 25, 20, 0, tzinfo=ZoneInfo("UTC"))
EARLY = local("2026-05-10T09:00:00")

# (status, submitted_at) of the reports given to the extra projects; None: no report.
STATES = [
    None,
    (ReportStatus.DRAFT, None),
    (ReportStatus.DRAFT, LATE),  # sent back, edited again after the due date
    (ReportStatus.SUBMITTED, EARLY),
    (ReportStatus.SUBMITTED, ON_TIME),
    (ReportStatus.SUBMITTED, LATE),
    (ReportStatus.SUBMITTED, LATE_UTC_SAME_DAY),
    (ReportStatus.SUBMITTED, None),
    (ReportStatus.RETURNED, ON_TIME),
    (ReportStatus.RETURNED, LATE),
    (ReportStatus.APPROVED, EARLY),
    (ReportStatus.APPROVED, LATE_UTC_SAME_DAY),
]


def add_projects(city, period, count, start=0, states=STATES):
    """`count` projects in the city's programme, spread over the regions and city level (led by
    two departments), with reports in every state of `states` in turn."""
    places = [
        {"region": city.jiefang, "lead_unit": city.jiaotong},
        {"region": city.street, "lead_unit": city.ziran},
        {"region": city.gaoxin, "lead_unit": city.ziran},
        {"region": None, "lead_unit": city.ziran},
        {"region": None, "lead_unit": city.jiaotong},
    ]
    projects = Project.objects.bulk_create(
        Project(
            name=f"项目{start + n:03d}",
            owner=city.touzi if n % 2 else city.projects.gaoxin.owner,
            total_investment=Decimal("100"),
            **places[n % len(places)],
        )
        for n in range(count)
    )
    Program.projects.through.objects.bulk_create(
        Program.projects.through(program=city.program, project=p) for p in projects
    )
    reports = []
    for n, project in enumerate(projects):
        state = states[(start + n) % len(states)]
        if state is not None:
            status, submitted_at = state
            reports.append(
                ProgressReport(
                    project=project,
                    period=period,
                    status=status,
                    submitted_at=submitted_at,
                    invested=Decimal(n),
                    physical_percent=Decimal("10"),
                )
            )
    ProgressReport.objects.bulk_create(reports)
    return projects


def page_of(user, period, **params):
    response = login(user).get(reverse("reporting:period", args=[period.pk]), params)
    assert response.status_code == 200
    return response


def every_row(user, period, **params):
    """The rows of every page, in order, as (project, report, filing)."""
    shown, number = [], 1
    while True:
        context = page_of(user, period, page=number, **params).context
        shown += [
            (row.project.pk, row.report and row.report.pk, row.filing) for row in context["rows"]
        ]
        if not context["page"].has_next():
            return shown
        number += 1


def as_tuples(rows):
    return [(row.project.pk, row.report and row.report.pk, row.filing) for row in rows]


USERS = ["hq", "leader", "inspector", "jiefang", "gaoxin", "jiaotong", "owner"]


@pytest.mark.parametrize("username", USERS)
def test_counts_are_those_of_every_row_counted_in_python(city, period, username):
    add_projects(city, period, 2 * len(STATES) + 3)
    user = getattr(city.users, username)
    counts = page_of(user, period).context["counts"]
    expected = reference_counts(period_rows(period, user))
    assert counts == expected
    assert sum(c["total"] for c in counts) == len(period_rows(period, user)) > 0


def test_the_late_counts_follow_the_day_in_shanghai(city, period):
    add_projects(city, period, len(STATES))
    counts = {str(c["unit"]): c for c in page_of(city.users.hq, period).context["counts"]}
    late = sum(c["late"] for c in counts.values())
    # Late: the draft and the returned report edited after the due date, two submitted, one
    # approved; not the one sent at 23:59:59 on the due date.
    assert late == 5
    late_rows = every_row(city.users.hq, period, filing=Filing.LATE)
    assert len(late_rows) == 2


@pytest.mark.parametrize("username", ["hq", "jiefang", "jiaotong"])
def test_each_filter_shows_the_rows_of_that_state_in_ledger_order(city, period, username):
    add_projects(city, period, 70)
    user = getattr(city.users, username)
    rows = period_rows(period, user)
    for filing in ["", *Filing.values, "nonsense"]:
        assert every_row(user, period, filing=filing) == as_tuples(
            select_rows(rows, filing=filing)
        ), filing


def test_a_programme_narrows_the_counts_and_rows(city, period):
    from diaodu.factories import ProgramFactory

    projects = add_projects(city, period, 30)
    provincial = ProgramFactory(name="省重点项目", code="provincial", year=2026)
    provincial.projects.add(*projects[:12])
    user = city.users.hq
    page = page_of(user, period, program=provincial.pk, filing=Filing.MISSING).context
    rows = period_rows(period, user, provincial)
    assert page["counts"] == reference_counts(rows)
    assert sum(c["total"] for c in page["counts"]) == 12
    assert as_tuples(page["rows"]) == as_tuples(select_rows(rows, filing=Filing.MISSING))


def test_fifty_rows_a_page_and_the_links_keep_the_filters(city, period):
    add_projects(city, period, 120, states=[None, (ReportStatus.APPROVED, EARLY)])
    user = city.users.hq
    first = page_of(user, period, filing=Filing.MISSING, program=city.program.pk)
    missing = select_rows(period_rows(period, user), filing=Filing.MISSING)
    assert len(missing) > 50
    assert as_tuples(first.context["rows"]) == as_tuples(missing[:50])
    html = first.content.decode()
    assert f"?filing=missing&amp;page=2&amp;program={city.program.pk}" in html
    assert f"1 / {(len(missing) + 49) // 50}" in html
    second = page_of(user, period, filing=Filing.MISSING, page=2, program=city.program.pk)
    assert as_tuples(second.context["rows"]) == as_tuples(missing[50:100])
    # Another filter starts again at its first page.
    assert f"?filing=approved&amp;program={city.program.pk}" in second.content.decode()
    # Past the last page: the last page.
    past = page_of(user, period, filing=Filing.MISSING, page=999).context
    assert past["page"].number == past["page"].paginator.num_pages


def test_nothing_to_show(city, period):
    response = page_of(city.users.hq, period, filing="nonsense")
    assert list(response.context["rows"]) == []
    assert response.context["page"].paginator.count == 0
    assert len(response.context["counts"]) == 4  # three regions and city level: every state
    empty = page_of(city.users.hq, period, filing=Filing.APPROVED)
    assert list(empty.context["rows"]) == []
    with translation.override("zh-hans"):
        assert translation.gettext("Nothing to show.") in empty.content.decode()


def queries_of(user, period, **params):
    client = login(user)
    url = reverse("reporting:period", args=[period.pk])
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("username", ["hq", "jiefang", "owner"])
@pytest.mark.parametrize("filing", ["", Filing.MISSING, Filing.LATE])
def test_the_query_count_does_not_grow_with_the_projects(city, period, username, filing):
    user = getattr(city.users, username)
    add_projects(city, period, 12)
    few = queries_of(user, period, filing=filing)
    add_projects(city, period, 150, start=12)
    assert queries_of(user, period, filing=filing) == few
    assert queries_of(user, period, filing=filing, page=2) == few


def test_out_of_scope_and_anonymous(client, city, period):
    url = reverse("reporting:period", args=[period.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response.url
    missing = reverse("reporting:period", args=[period.pk + 1000])
    assert login(city.users.hq).get(missing).status_code == 404
    # A user of no unit sees the period, and no project in it.
    nobody = login(city.users.nobody).get(url)
    assert nobody.status_code == 200
    assert nobody.context["counts"] == [] and list(nobody.context["rows"]) == []


@pytest.mark.parametrize("username", ["hq", "jiefang", "owner"])
def test_the_export_filters_in_the_database_the_same_way(city, period, username):
    add_projects(city, period, 40)
    user = getattr(city.users, username)
    every = period_rows(period, user)
    for filing in [*Filing.values, "nonsense"]:
        assert as_tuples(period_rows(period, user, filing=filing)) == as_tuples(
            select_rows(every, filing=filing)
        ), filing
    url = reverse("reporting:period-export", args=[period.pk])
    sheet = load_workbook(io.BytesIO(login(user).get(url, {"filing": "late"}).content)).active
    names = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
    late = {row.project.name for row in select_rows(every, filing=Filing.LATE)}
    assert late and late <= names
    assert not {row.project.name for row in every} - late & names
