"""Earned value and the forecast finish: the formulas on worked examples, the demo city, the
number of queries, the pages and the API that show it, the light rule and the back-test."""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from diaodu.conftest import login
from diaodu.demo import builder
from diaodu.factories import (
    PlanMonthFactory,
    ProgressReportFactory,
    ProjectFactory,
    ReportingPeriodFactory,
)
from diaodu.monitoring.backtest import backtest
from diaodu.monitoring.forecast import (
    Forecast,
    Method,
    data_date,
    forecasts,
    planned_value,
    trend,
)
from diaodu.monitoring.lights import evaluate, refresh_lights
from diaodu.projects.choices import Stage
from diaodu.projects.models import AnnualPlan, Project
from diaodu.projects.tests.test_api import api
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport

TODAY = date(2026, 9, 15)  # the data date is 2026-08-31


def _report(project, month, invested, percent, status=ReportStatus.APPROVED):
    period = ReportingPeriodFactory(day=date(2026, month, 15))
    return ProgressReportFactory(
        project=project,
        period=period,
        status=status,
        invested=Decimal(invested),
        physical_percent=None if percent is None else Decimal(percent),
    )


WORKED = {
    "stage": Stage.CONTINUING,
    "total_investment": Decimal("7300.00"),
    "planned_start": date(2025, 1, 1),
    "planned_completion": date(2026, 12, 31),
    "actual_start": date(2025, 1, 10),
}


def _worked_project(project=None, **fields):
    """Budget 7,300 over 2025-2026 (730 days: 10 a day); 2026 planned by month, 300 each;
    reported 40%, 46%, 52% at the ends of June, July and August 2026."""
    if project is None:
        project = ProjectFactory(**(WORKED | fields))
    else:
        for name, value in WORKED.items():
            setattr(project, name, value)
        project.save()
    plan, _created = AnnualPlan.objects.update_or_create(
        project=project, year=2026, defaults={"planned_investment": Decimal("3600.00")}
    )
    for month in range(1, 13):
        PlanMonthFactory(plan=plan, month=month, planned_investment=Decimal("300.00"))
    _report(project, 6, "1000.00", "40.0")
    _report(project, 7, "1200.00", "46.0")
    _report(project, 8, "1500.00", "52.0")
    return stored(project)


def stored(project):
    """The forecast stored on the project, as the services store it when its facts change
    (the factories write around them)."""
    refresh_lights([project.pk])
    project.refresh_from_db()
    return project


# -- the formulas ------------------------------------------------------------------------------


def test_planned_value_from_months_and_the_budget_spread_over_the_other_years():
    project = Project(
        total_investment=Decimal("7300.00"),
        planned_start=date(2025, 1, 1),
        planned_completion=date(2026, 12, 31),
    )
    # 2025 spread evenly: 365 days at 10 a day; 2026 by month: January to March (300 each).
    assert planned_value(project, {2026: Decimal("900.00")}, date(2026, 3, 31)) == Decimal(
        "4550.00"
    )
    # Before any month of 2026 ends: 2025 whole, nothing of 2026.
    assert planned_value(project, {2026: Decimal(0)}, date(2025, 12, 31)) == Decimal("3650.00")
    # A year without months: spread (June 30 of 2025 is day 181).
    assert planned_value(project, {}, date(2025, 6, 30)) == Decimal("1810.00")
    # Never more than the budget; all of it once the planned completion is past.
    assert planned_value(project, {2026: Decimal("9000.00")}, date(2026, 1, 31)) == Decimal(
        "7300.00"
    )
    assert planned_value(project, {}, date(2027, 1, 31)) == Decimal("7300.00")
    # Neither plan months nor planned dates: no planned value.
    assert planned_value(Project(total_investment=Decimal(1)), {}, date(2026, 1, 31)) is None


def test_the_trend_is_the_least_squares_rate_carried_on_from_the_latest_reading():
    readings = [
        (date(2026, 6, 30), Decimal("40.0")),
        (date(2026, 7, 31), Decimal("46.0")),
        (date(2026, 8, 31), Decimal("52.0")),
    ]
    line = trend(readings, date(2025, 1, 10))
    assert (line.method, line.rate) == (Method.TREND, Fraction(6, 31))  # 6 points a month
    # 48 points to go at 6/31 a day: 248 days after August 31.
    assert line.finish == date(2027, 5, 6)
    assert line.percent_at(date(2026, 11, 30)) == Fraction(52) + Fraction(6, 31) * 91
    # Uneven readings: the least-squares slope, exactly.
    uneven = [
        (date(2026, 1, 1), Decimal(10)),
        (date(2026, 1, 11), Decimal(13)),
        (date(2026, 1, 21), Decimal(20)),
    ]
    assert trend(uneven, None).rate == Fraction(1, 2)


def test_fewer_readings_or_no_progress_use_the_average_rate_since_the_start():
    readings = [(date(2026, 7, 31), Decimal("20.0")), (date(2026, 8, 31), Decimal("20.0"))]
    line = trend(readings, date(2026, 3, 4))  # 180 days before August 31: 1/9 point a day
    assert (line.method, line.rate, line.finish) == (
        Method.AVERAGE,
        Fraction(1, 9),
        date(2028, 8, 20),  # 720 days after August 31 (2028 is a leap year)
    )
    stalled = readings + [(date(2026, 9, 30), Decimal("20.0"))]
    assert trend(stalled, date(2026, 3, 4)).method == Method.AVERAGE
    assert trend([], None).method == Method.NONE
    assert trend([(date(2026, 8, 31), Decimal(0))], date(2026, 8, 1)).finish is None
    done = trend([(date(2026, 7, 31), Decimal(90)), (date(2026, 8, 31), Decimal(100))], None)
    assert (done.method, done.finish) == (Method.COMPLETE, date(2026, 8, 31))


def test_the_data_date_is_the_end_of_the_last_month_ended():
    assert data_date(date(2026, 9, 15)) == date(2026, 8, 31)
    assert data_date(date(2026, 9, 30)) == date(2026, 9, 30)
    assert data_date(date(2026, 3, 1)) == date(2026, 2, 28)


def test_a_worked_project_has_its_earned_value_indices_and_forecast(db):
    project = _worked_project()
    _report(project, 9, "800.00", "60.0")  # the month not ended on TODAY: not counted
    _report(project, 5, "999.00", "35.0", status=ReportStatus.SUBMITTED)  # not approved
    forecast = forecasts([project], TODAY)[project.pk]
    assert forecast == Forecast(
        planned_value=Decimal("6050.00"),  # 3,650 for 2025, 8 × 300 for 2026
        earned_value=Decimal("3796.00"),  # 52% of 7,300
        actual_cost=Decimal("3700.00"),  # 1,000 + 1,200 + 1,500
        spi=Decimal("0.63"),  # 3,796 / 6,050 = 0.627
        cpi=Decimal("1.03"),  # 3,796 / 3,700 = 1.026
        finish=date(2027, 5, 6),
        late_days=126,  # after 2026-12-31
        method=Method.TREND,
    )
    assert forecast.is_late
    assert str(forecast.method_label)


def _old_report(project, year, month, percent):
    period = ReportingPeriodFactory(day=date(year, month, 15))
    return ProgressReportFactory(
        project=project,
        period=period,
        status=ReportStatus.APPROVED,
        invested=Decimal("10.00"),
        physical_percent=Decimal(percent),
    )


def test_readings_older_than_a_year_still_count(db, django_assert_num_queries):
    """Only the last TREND_REPORTS + 6 months of readings are read, but a project silent since
    has its latest, and a 100% reported long ago still dates the finish."""
    silent = _worked_project(total_investment=Decimal("1000.00"))
    silent.reports.all().delete()
    for month, percent in ((1, "10.0"), (2, "20.0"), (3, "30.0")):
        _old_report(silent, 2025, month, percent)
    finished = _worked_project()
    finished.reports.all().delete()
    for month, percent in ((5, "90.0"), (6, "100.0"), (7, "100.0")):
        _old_report(finished, 2025, month, percent)
    _old_report(finished, 2026, 8, "100.0")
    with django_assert_num_queries(3):
        known = forecasts([silent, finished], TODAY)
    assert known[silent.pk].earned_value == Decimal("300.00")  # 30% of 1,000
    assert known[silent.pk].actual_cost == Decimal("30.00")
    assert known[silent.pk].method == Method.TREND  # through the three readings of 2025
    assert (known[finished.pk].method, known[finished.pk].finish) == (
        Method.COMPLETE,
        date(2025, 6, 30),
    )


def test_late_is_beyond_the_setting(db, settings):
    project = _worked_project()
    settings.DIAODU_FORECAST_LATE_DAYS = 126
    assert not forecasts([project], TODAY)[project.pk].is_late
    settings.DIAODU_FORECAST_LATE_DAYS = 125
    assert forecasts([project], TODAY)[project.pk].is_late


def test_forecasts_as_of_a_past_day_use_only_what_was_known_then(db):
    project = _worked_project()
    then = forecasts([project], date(2026, 8, 10))[project.pk]  # June and July only
    assert then.earned_value == Decimal("3358.00")  # 46% of 7,300
    assert then.actual_cost == Decimal("2200.00")
    assert then.planned_value == Decimal("5750.00")  # 3,650 + 7 × 300
    assert then.method == Method.AVERAGE  # two readings make no trend


def test_only_projects_under_construction_get_a_forecast(db):
    building = _worked_project()
    new_started = ProjectFactory(stage=Stage.NEW, actual_start=date(2026, 5, 1))
    new_waiting = ProjectFactory(stage=Stage.NEW, actual_start=None)
    new_later = ProjectFactory(stage=Stage.NEW, actual_start=date(2026, 10, 1))
    others = [ProjectFactory(stage=stage) for stage in (Stage.PREPARATION, Stage.COMPLETED)]
    projects = [building, new_started, new_waiting, new_later, *others]
    assert set(forecasts(projects, TODAY)) == {building.pk, new_started.pk}
    ids = [p.pk for p in projects]
    assert set(forecasts(Project.objects.filter(pk__in=ids), TODAY)) == {
        building.pk,
        new_started.pk,
    }
    bare = forecasts([new_started], TODAY)[new_started.pk]
    assert (bare.earned_value, bare.actual_cost, bare.finish, bare.method) == (
        None,
        Decimal("0.00"),
        None,
        Method.NONE,
    )


def test_the_queries_are_fixed_whatever_the_number_of_projects(db, django_assert_num_queries):
    few = [_worked_project() for _ in range(2)]
    with django_assert_num_queries(3):  # the plans' months, investment, physical progress
        forecasts(few, TODAY)
    many = few + [_worked_project() for _ in range(8)]
    with django_assert_num_queries(3):
        assert len(forecasts(many, TODAY)) == 10
    with django_assert_num_queries(4):  # and the projects themselves
        assert len(forecasts(Project.objects.all(), TODAY)) == 10


# -- the demo city -----------------------------------------------------------------------------


def _behind(today):
    """The demo's project furthest behind by its trend."""
    known = forecasts(Project.objects.all(), today)
    trends = [(f.spi, pk) for pk, f in known.items() if f.method == Method.TREND and f.spi]
    spi, pk = min(trends)
    return Project.objects.get(pk=pk), known[pk]


def test_a_project_behind_in_the_demo_city_is_forecast_late(demo_city):
    project, forecast = _behind(demo_city.today)
    assert forecast.spi < 1
    assert forecast.finish > project.planned_completion
    assert forecast.late_days == (forecast.finish - project.planned_completion).days > 30
    assert forecast.is_late

    client = Client()
    assert client.login(username="hq", password=builder.PASSWORD)
    page = client.get(reverse("projects:detail", args=[project.pk]))
    assert page.context["forecast"] == forecast
    text = page.content.decode()
    assert f"{forecast.finish:%Y-%m-%d}" in text and str(forecast.spi) in text

    ledger = client.get(reverse("projects:list"), {"forecast": "late", "sort": "spi"})
    rows = list(ledger.context["page"])
    assert project in rows
    assert all(row.forecast.is_late for row in rows)
    spis = [row.forecast.spi for row in rows if row.forecast.spi is not None]
    assert spis == sorted(spis)
    card = client.get(reverse("forecast-late"))
    assert card.context["count"] == ledger.context["page"].paginator.count


# -- the pages and the API ---------------------------------------------------------------------


@pytest.fixture
def worked_city(city):
    """The small city on TODAY, its Jiefang project set up as the worked example; the others
    (continuing, with no report) have no forecast finish."""
    _worked_project(city.projects.jiefang)
    return city


on_today = pytest.mark.today(TODAY)


@on_today
def test_the_project_page_shows_the_panel(worked_city):
    project = worked_city.projects.jiefang
    response = login(worked_city.users.hq).get(reverse("projects:detail", args=[project.pk]))
    assert response.context["forecast"].spi == Decimal("0.63")
    text = response.content.decode()
    assert 'id="forecast"' in text
    for shown in ("6,050.00", "3,796.00", "3,700.00", "0.63", "1.03", "2027-05-06", "2026-12-31"):
        assert shown in text
    other = ProjectFactory(stage=Stage.PREPARATION, region=worked_city.jiefang)
    response = login(worked_city.users.hq).get(reverse("projects:detail", args=[other.pk]))
    assert response.context["forecast"] is None
    assert 'id="forecast"' not in response.content.decode()


@on_today
def test_the_ledger_sorts_by_spi_and_finish_and_filters_the_late(worked_city):
    client = login(worked_city.users.hq)
    project = worked_city.projects.jiefang
    response = client.get(reverse("projects:list"), {"sort": "-finish"})
    rows = list(response.context["page"])
    assert rows[0] == project and rows[0].forecast.finish == date(2027, 5, 6)
    assert len(rows) == 4  # those without a forecast last, still listed
    text = response.content.decode()
    assert "2027-05-06" in text and "0.63" in text
    late = client.get(reverse("projects:list"), {"forecast": "late"})
    assert list(late.context["page"]) == [project]
    assert late.context["totals"].count == 1


@on_today
def test_the_ledger_queries_do_not_grow_when_sorted_by_a_forecast(
    worked_city, settings, django_assert_num_queries
):
    settings.DIAODU_KEEP_FIGURES = False  # the totals computed (diaodu/core/kept.py)
    client = login(worked_city.users.hq)
    url = reverse("projects:list")
    client.get(url, {"sort": "spi"})
    with CaptureQueriesContext(connection) as first:
        client.get(url, {"sort": "spi"})
    for _ in range(5):
        _worked_project(region=worked_city.jiefang)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url, {"sort": "spi"})


def _exported_names(response):
    sheet = load_workbook(BytesIO(response.content)).active
    return [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row)]  # after 序号


@on_today
def test_the_export_has_the_forecast_order_and_filter_of_the_screen(worked_city):
    second = _worked_project(ProjectFactory(name="乙项目", region=worked_city.jiefang))
    second.planned_completion = date(2027, 12, 31)  # the same finish, 239 days early
    second.save()
    stored(second)
    client = login(worked_city.users.hq)
    for params in ({"sort": "spi"}, {"sort": "-finish"}, {"forecast": "late"}):
        screen = client.get(reverse("projects:list"), params)
        export = client.get(reverse("projects:export"), params)
        assert _exported_names(export) == [p.name for p in screen.context["page"]], params
        api_export = api(worked_city.users.hq).get("/api/projects/export/", params)
        assert _exported_names(api_export) == _exported_names(export)
    late = client.get(reverse("projects:list"), {"forecast": "late"}).context["page"]
    assert [p.name for p in late] == ["解放区项目"]
    assert (
        api(worked_city.users.hq).get("/api/projects/export/", {"sort": "rank"}).status_code == 400
    )


@on_today
def test_the_api_gives_each_project_its_forecast(worked_city):
    project = worked_city.projects.jiefang
    client = api(worked_city.users.hq)
    listed = {row["id"]: row for row in client.get("/api/projects/").json()["results"]}
    forecast = listed[project.pk]["forecast"]
    assert forecast == {
        "planned_value": "6050.00",
        "earned_value": "3796.00",
        "actual_cost": "3700.00",
        "spi": "0.63",
        "cpi": "1.03",
        "finish": "2027-05-06",
        "late_days": 126,
        "late": True,
        "method": "trend",
        "method_label": forecast["method_label"],
    }
    detail = client.get(f"/api/projects/{project.pk}/").json()
    assert detail["forecast"]["finish"] == "2027-05-06"


@on_today
def test_the_dashboard_card_counts_and_links_to_the_late_projects(
    worked_city, django_assert_num_queries
):
    client = login(worked_city.users.hq)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("forecast-late") in page and "?forecast=late" in page
    card = client.get(reverse("forecast-late"))
    assert card.context["count"] == 1
    assert "?forecast=late" in card.content.decode()
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("forecast-late"))
    _worked_project(ProjectFactory(region=worked_city.gaoxin))
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(reverse("forecast-late")).context["count"] == 2
    # A region counts its own projects; a programme its projects.
    assert login(worked_city.users.gaoxin).get(reverse("forecast-late")).context["count"] == 1
    program = worked_city.program.pk
    assert client.get(reverse("forecast-late"), {"program": program}).context["count"] == 1


@on_today
def test_the_battle_map_draws_the_forecast(worked_city):
    for project in vars(worked_city.projects).values():
        if project.planned_start is None:
            project.planned_start, project.planned_completion = date(2026, 1, 1), date(2026, 12, 31)
            project.save()
    response = login(worked_city.users.hq).get(reverse("battle-map"))
    rows = {row["name"]: row for row in response.context["chart"]["rows"]}
    bar = rows["解放区项目"]["forecast"]
    # A dashed stretch from today to the finish, drawn orange: later than planned.
    assert (bar["start"], bar["finish"], bar["late"]) == (TODAY, date(2027, 5, 6), True)
    assert response.context["chart"]["axis"]["max"] > bar["finish"]
    assert 'id="battle-map-data"' in response.content.decode()


# -- the light rule ----------------------------------------------------------------------------


def test_the_light_rule_is_off_by_default_and_yellow_when_on(db, settings):
    project = _worked_project()
    assert not any(
        "2027-05-06" in str(r) for _l, r in evaluate([project], TODAY)[project.pk].reasons
    )
    settings.DIAODU_LIGHT_FORECAST = True
    reasons = [(light, str(r)) for light, r in evaluate([project], TODAY)[project.pk].reasons]
    assert ("yellow", next(r for _l, r in reasons if "2027-05-06" in r)) in reasons


# -- back-testing ------------------------------------------------------------------------------


def test_the_backtest_scores_each_way_on_the_demo(demo_city):
    scores = {score.way: score for score in backtest(horizon=3)}
    assert set(scores) == {"trend-3", "trend-6", "trend-12", "average", "unchanged"}
    assert scores["trend-6"].cases == scores["unchanged"].cases > 100
    assert scores["trend-6"].mean_error < scores["unchanged"].mean_error
    out = StringIO()
    call_command("backtest_forecast", stdout=out)
    assert "trend-6" in out.getvalue()


def test_the_backtest_on_a_worked_history(db):
    project = _worked_project()
    for month, percent in ((9, "58.0"), (10, "64.0"), (11, "70.0")):
        _report(project, month, "100.00", percent)
    scores = {score.way: score for score in backtest(horizon=3)}
    # From June and July (one and two readings: the average rate since 2025-01-10) to September
    # and October: 11.13 and 10.54 points too few; from August (40, 46, 52: 6 points a month)
    # to November: 69.61 for 70, 0.39 too few.
    assert scores["trend-3"].cases == 3
    assert scores["trend-3"].mean_error == Decimal("7.4")
    assert scores["trend-3"].bias == Decimal("-7.4")
    assert scores["unchanged"].mean_error == Decimal("18.0")
    assert scores["trend-3"].finish_cases == 0  # it never reported 100%


# -- stored with the lights, read by the ledger and the dashboard -----------------------------


@on_today
def test_approving_a_report_stores_the_new_forecast(worked_city):
    from diaodu.reporting.services import do_approve_report

    project = worked_city.projects.jiefang
    assert (project.forecast_spi, project.forecast_finish) == (Decimal("0.63"), date(2027, 5, 6))
    # August's report, sent back and filed again with more progress, is approved again.
    august = ProgressReport.objects.filter(project=project, period__end=date(2026, 8, 31))
    august.update(status=ReportStatus.SUBMITTED, physical_percent=Decimal("70.0"))
    do_approve_report(worked_city.users.jiefang, august.get())
    project.refresh_from_db()
    live = forecasts([project])[project.pk]
    assert project.forecast_spi == live.spi and project.forecast_spi > Decimal("0.63")
    assert project.forecast_finish == live.finish < date(2027, 5, 6)
    assert project.forecast_late_days == live.late_days


@on_today
def test_a_project_that_leaves_construction_loses_its_stored_forecast(worked_city):
    project = worked_city.projects.jiefang
    project.stage = Stage.COMPLETED
    project.actual_completion = date(2026, 9, 1)
    project.save()
    project = stored(project)
    assert (project.forecast_spi, project.forecast_finish, project.forecast_late_days) == (
        None,
        None,
        None,
    )


def test_the_stored_forecasts_agree_with_the_computed_ones_in_the_demo_city(demo_city):
    projects = list(Project.objects.order_by("pk"))
    live = forecasts(projects, demo_city.today)
    assert sum(1 for p in projects if p.forecast_finish) > 10
    for project in projects:
        forecast = live.get(project.pk)
        expected = (forecast.spi, forecast.finish, forecast.late_days) if forecast else (None,) * 3
        got = (project.forecast_spi, project.forecast_finish, project.forecast_late_days)
        assert got == expected, project.name


@on_today
def test_the_dashboard_card_costs_the_same_queries_whatever_the_number_of_projects(
    worked_city, django_assert_num_queries
):
    client = login(worked_city.users.hq)
    url = reverse("forecast-late")
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for _ in range(5):
        _worked_project(region=worked_city.jiefang)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(url).context["count"] == 6
