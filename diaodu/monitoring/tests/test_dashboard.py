"""The dashboard: scoped figures, a fixed number of queries, the API beside the page."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from diaodu.conftest import login
from diaodu.factories import AnnualPlanFactory, PlanMonthFactory, ProjectFactory
from diaodu.monitoring.figures import compute
from diaodu.projects.tests.test_api import api
from diaodu.projects.tests.test_scope import EXPECTED
from diaodu.reporting.models import InvestmentSummary
from diaodu.reporting.totals import refresh_summaries

# The dashboards below are of 2026, seen in November 2026.
pytestmark = pytest.mark.today("2026-11-20")


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_role_sees_its_scope(city, username):
    response = login(getattr(city.users, username)).get(reverse("dashboard"), {"year": 2026})
    assert response.status_code == 200
    assert response.context["data"]["projects"] == len(EXPECTED[username])
    assert api(getattr(city.users, username)).get("/api/dashboard/", {"year": 2026}).json()[
        "projects"
    ] == len(EXPECTED[username])


def test_anonymous(client, city):
    assert client.get(reverse("dashboard")).status_code == 302
    assert api().get("/api/dashboard/").status_code == 401


def test_figures_add_up(city):
    InvestmentSummary.objects.create(
        project=city.projects.jiefang, year=2026, invested=Decimal("600")
    )
    data = login(city.users.hq).get(reverse("dashboard"), {"year": 2026}).context["data"]
    assert data["planned"] == Decimal("4800.00")  # four plans of 1200
    assert data["invested"] == Decimal("600")
    assert data["rate"] == Decimal("12.5")
    regions = {r["region__name"]: r for r in data["regions"]}
    assert regions["解放区"]["invested"] == Decimal("600")


def test_query_count_does_not_grow_with_projects(city, settings, django_assert_num_queries):
    settings.DIAODU_KEEP_FIGURES = False  # computed on every read (diaodu/core/kept.py)
    client = login(city.users.hq)
    client.get(reverse("dashboard"))
    with django_assert_num_queries(24) as first:  # 23, and projects overstated on inspection
        client.get(reverse("dashboard"), {"year": 2026})
    for i in range(25):
        project = ProjectFactory(name=f"更多{i}", region=city.gaoxin)
        plan = AnnualPlanFactory(project=project, year=2026)
        PlanMonthFactory(plan=plan, month=3)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("dashboard"), {"year": 2026})


def test_kept_figures_are_read_without_aggregating(city, django_assert_num_queries):
    client = login(city.users.hq)
    client.get(reverse("dashboard"), {"year": 2026})
    # The session, the user, the programmes of the year: no aggregate.
    with django_assert_num_queries(5):
        response = client.get(reverse("dashboard"), {"year": 2026})
    assert response.context["data"] == compute(city.users.hq, 2026)


def test_battle_map_rows_and_fixed_queries(
    city, django_assert_num_queries, django_assert_max_num_queries
):
    from datetime import date

    from diaodu.factories import MilestoneFactory

    for project in vars(city.projects).values():
        project.planned_start, project.planned_completion = date(2026, 1, 1), date(2027, 6, 30)
        project.save()
        MilestoneFactory(project=project)
    client = login(city.users.jiefang)
    client.get(reverse("battle-map"))
    # The session, the user and its unit, the region's scope (2), the count by region, the
    # regions' order, the page's ids, the projects, their milestones, the forecasts (3) and the
    # menu's notifications; the filters' options were written at the first visit and are kept
    # (core.widgets.light_choices).
    with django_assert_num_queries(14):
        response = client.get(reverse("battle-map"))
    assert {r["name"] for r in response.context["rows"]} == {"解放区项目", "街道项目"}
    hq = login(city.users.hq)
    hq.get(reverse("battle-map"))
    with django_assert_max_num_queries(17):
        assert len(hq.get(reverse("battle-map")).context["rows"]) == 4


def test_backward_scheduling_derives_flags_and_applies(city):
    from datetime import date

    from diaodu.core.models import ChangeRecord
    from diaodu.projects.schedule import TEMPLATES, derive

    steps = derive("building", date(2026, 12, 31), today=date(2026, 6, 1))
    assert steps[-1].planned_date == date(2026, 12, 31)
    assert steps[-2].planned_date == date(2026, 12, 31) - __import__("datetime").timedelta(
        days=TEMPLATES["building"][-1][1]
    )
    assert steps[0].past and not steps[-1].past
    project = city.projects.jiefang
    url = reverse("schedule", args=[project.pk])
    page = login(city.users.jiefang).get(url, {"target": "2027-06-30", "template": "building"})
    assert page.status_code == 200 and len(page.context["steps"]) == len(TEMPLATES["building"])
    assert login(city.users.jiefang).post(url, {"target": "2027-06-30"}).status_code == 403
    assert login(city.users.gaoxin).get(url).status_code == 404
    login(city.users.hq).post(url, {"target": "2027-06-30", "template": "building"})
    assert project.milestones.count() == len(TEMPLATES["building"])
    assert project.milestones.order_by("-planned_date").first().planned_date == date(2027, 6, 30)
    assert ChangeRecord.objects.filter(project=project, content_type__model="milestone").exists()


def test_reports_on_time_are_counted_by_the_local_date(city):
    """Submitted at 23:30 in Shanghai on the due date is on time; at 00:30 the next day, late."""
    from datetime import UTC, date, datetime

    from diaodu.monitoring.figures import figures
    from diaodu.reporting.models import ProgressReport, ReportingPeriod

    period = ReportingPeriod.objects.create(
        start=date(2026, 3, 1), end=date(2026, 3, 31),
        due_date=date(2026, 3, 25),
    )  # fmt: skip
    moments = [datetime(2026, 3, 25, 15, 30, tzinfo=UTC), datetime(2026, 3, 25, 16, 30, tzinfo=UTC)]
    for project, moment in zip([city.projects.jiefang, city.projects.gaoxin], moments, strict=True):
        ProgressReport.objects.create(
            project=project, period=period, status="submitted", submitted_at=moment
        )
    refresh_summaries()
    data = figures(city.users.hq, 2026)
    assert (data["reports_submitted"], data["reports_on_time"]) == (2, 1)
    gaoxin = figures(city.users.gaoxin, 2026)
    assert (gaoxin["reports_submitted"], gaoxin["reports_on_time"]) == (1, 0)


def test_whole_portfolio_shortcut_gives_the_scoped_figures(city):
    """Headquarters' unfiltered figures skip the filter by project; they must not differ."""
    from datetime import date

    from diaodu.monitoring.figures import figures
    from diaodu.problems.models import Problem
    from diaodu.reporting.models import ProgressReport, ReportingPeriod

    period = ReportingPeriod.objects.create(
        start=date(2026, 3, 1), end=date(2026, 3, 31),
        due_date=date(2026, 3, 25),
    )  # fmt: skip
    ProgressReport.objects.create(
        project=city.projects.gaoxin, period=period, status="approved", invested=Decimal("12.50")
    )
    Problem.objects.create(
        project=city.projects.jiefang,
        description="征地",
        responsible_unit=city.ziran,
        deadline=date(2026, 12, 1),
    )
    refresh_summaries()
    whole = figures(city.users.hq, 2026)
    scoped = figures(city.users.hq, 2026, program=city.program)  # every project is in it
    keys = ["projects", "planned", "invested", "curve", "problems_open", "reports_submitted"]
    assert {k: whole[k] for k in keys} == {k: scoped[k] for k in keys}
    assert whole["curve"][2]["actual"] == Decimal("12.50")


@pytest.mark.parametrize(
    "query",
    [
        {"year": "0"},
        {"year": "-24188495393"},
        {"year": "2026", "program": "-303673"},
        {"program": "abc"},
        {"program": str(2**70)},
    ],
)
def test_a_year_or_programme_out_of_range_is_refused_not_a_server_error(city, query):
    """The page shows this year and every project; the API answers 400 naming the field."""
    page = login(city.users.hq).get(reverse("dashboard"), query)
    assert page.status_code == 200
    assert page.context["data"]["projects"] == len(EXPECTED["hq"])
    answer = api(city.users.hq).get("/api/dashboard/", query)
    assert answer.status_code == 400
    assert set(answer.json()) <= {"year", "program"}


def test_the_cards_read_large_totals_in_yi_and_the_ledger_stays_in_wan(city):
    """Four projects of 10,000 万元: 4.00 亿元 on the cards, 40,000.00 万元 on hover; the annual
    plan (4,800 万元) under one 亿 stays in 万元; the regions' table and the ledger keep 万元."""
    client = login(city.users.hq)
    html = client.get(reverse("dashboard"), {"year": 2026}).content.decode()
    assert '<span title="40,000.00 万元">4.00 亿元</span>' in html
    assert "4,800.00 万元" in html
    assert "总投资（万元）" in html  # the regions' table, in 万元
    home = client.get(reverse("home")).content.decode()
    assert '<span title="40,000.00 万元">4.00 亿元</span>' in home
    ledger = client.get(reverse("projects:list")).content.decode()
    assert "10,000.00" in ledger and not re.search(r"\d 亿元", ledger)


# The rows of the regions' and lead units' tables as the dashboard's template loops wrote them.
TABLES_TEMPLATE = (
    "{% load diaodu %}"
    "{% for r in regions %}<tr><td>{{ r.region__name }}</td>"
    '<td class="text-end">{{ r.n }}</td><td class="text-end num">{{ r.investment|wan }}</td>'
    '<td class="text-end num">{{ r.planned|wan }}</td>'
    '<td class="text-end num">{{ r.invested|wan }}</td>'
    '<td class="text-end text-danger">{{ r.red }}</td>'
    '<td class="text-end text-warning">{{ r.yellow }}</td></tr>'
    '{% empty %}<tr><td colspan="7" class="text-secondary">—</td></tr>{% endfor %}|'
    "{% for d in departments %}<tr><td>{{ d.lead_unit__name }}</td>"
    '<td class="text-end">{{ d.n }}</td><td class="text-end text-danger">{{ d.red }}</td></tr>'
    "{% endfor %}"
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_tables_rows_are_what_the_template_wrote(language):
    from django.template import engines
    from django.utils import translation

    from diaodu.monitoring.views import department_rows, region_rows

    regions = [
        {
            "region__name": "解放区<&>",
            "n": 12345,
            "investment": Decimal("1234567.891"),
            "planned": None,
            "invested": Decimal("0"),
            "red": 3,
            "yellow": 0,
        },
        {
            "region__name": None,
            "n": 1,
            "investment": 5,
            "planned": "",
            "invested": Decimal("-2.5"),
            "red": 0,
            "yellow": 1,
        },
    ]
    departments = [
        {"lead_unit__name": '交通运输局 & "规划"', "n": 4000, "red": 12},
        {"lead_unit__name": None, "n": 0, "red": 0},
    ]
    template = engines["django"].from_string(TABLES_TEMPLATE)
    with translation.override(language):
        for rows in (regions, []):
            expected = template.render({"regions": rows, "departments": departments})
            assert f"{region_rows(rows)}|{department_rows(departments)}" == expected
    assert "解放区&lt;&amp;&gt;" in region_rows(regions)


def test_the_regions_rows_are_written_again_when_a_figure_changes():
    """Written once a process for the same figures (a province's thousand regions), and again
    for any figure changed."""
    from diaodu.monitoring.views import region_rows

    row = {
        "region__name": "解放区",
        "n": 12,
        "investment": Decimal("100"),
        "planned": Decimal("50"),
        "invested": Decimal("20"),
        "red": 3,
        "yellow": 0,
    }
    first = region_rows([row])
    assert region_rows([dict(row)]) == first
    for name, value in [("red", 4), ("invested", Decimal("20.5")), ("region__name", "高新区")]:
        changed = region_rows([{**row, name: value}])
        assert changed != first and changed == region_rows([{**row, name: value}]), name
