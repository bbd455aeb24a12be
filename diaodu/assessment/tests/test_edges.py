"""Edges of the assessment: early and returned work, past months, bad periods, scheme versions."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from diaodu.assessment import indicators, services
from diaodu.assessment.choices import Group
from diaodu.assessment.models import Ranking
from diaodu.assessment.periods import Window
from diaodu.conftest import login
from diaodu.problems.models import Task
from diaodu.projects.choices import Stage
from diaodu.reporting.choices import ReportStatus

from .conftest import TODAY, at, report

pytestmark = pytest.mark.today(TODAY)  # the ranked city is as it stood on 15 April 2026
MARCH = Window.parse("2026-03")


def test_a_task_done_early_counts_as_done_on_time(ranked):
    """Done on 20 March, due 10 April: done within March, on time, and counted once."""
    city = ranked.city
    Task.objects.create(
        content="提前办结", lead_unit=city.gaoxin, deadline=date(2026, 4, 10),
        status="reported_done", done_at=at("2026-03-20"),
    )  # fmt: skip
    march = indicators.compute(MARCH, Group.REGION, ranked.today)[city.gaoxin.pk]
    april = indicators.compute(Window.parse("2026-04"), Group.REGION, date(2026, 4, 30))
    counted = march["tasks_on_time"] + april.get(city.gaoxin.pk, {}).get("tasks_on_time", 0)
    assert counted == 1


def test_a_returned_report_is_not_a_report_on_time(ranked):
    """高新区's March report, filed on time but returned and never filed again, is not on time
    (the reporting pages count a returned report as not reported)."""
    city = ranked.city
    report(
        city.projects.gaoxin, ranked.periods[3], 0, status=ReportStatus.RETURNED,
        submitted="2026-03-20",
    )  # fmt: skip
    gaoxin = indicators.compute(MARCH, Group.REGION, ranked.today)[city.gaoxin.pk]
    assert gaoxin["reports_on_time"] == 0


def test_a_past_month_does_not_change_when_a_project_goes_into_operation(ranked):
    """March as it stood at its end: 解放区项目 was being built and reporting then. Moving it to
    'operating' in April must not rewrite March's investment and reports."""
    city = ranked.city
    before = indicators.compute(MARCH, Group.REGION, ranked.today)[city.jiefang.pk]
    project = city.projects.jiefang
    project.stage, project.actual_completion = Stage.OPERATING, date(2026, 4, 10)
    project.save()
    after = indicators.compute(MARCH, Group.REGION, ranked.today)[city.jiefang.pk]
    assert after["investment_rate"] == before["investment_rate"]
    assert after["reports_on_time"] == before["reports_on_time"]


def test_a_bad_period_posted_to_publish_publishes_nothing(ranked):
    """A bad period posted to publish is refused: last month is not published instead."""
    response = login(ranked.city.users.hq).post("/rankings/publish/", {"period": "2026-3x"})
    assert response.status_code == 302
    assert not Ranking.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/rankings/?period=2000-01",  # previous() → 1999 → ValueError
        "/rankings/?period=2000Q1",
        "/rankings/?period=2100-12",  # next() → 2101 → ValueError
        "/api/rankings/current/?period=2000",
    ],
)
def test_the_first_and_last_periods_accepted_do_not_crash(ranked, url):
    assert login(ranked.city.users.hq).get(url).status_code in (200, 400)


def test_a_new_version_cannot_rewrite_a_month_already_ranked(ranked):
    """March is published under the default scheme: a version 'in force from February' created
    in April is refused, since it would score months it was not in force in."""
    hq = ranked.city.users.hq
    services.do_publish_period(hq, MARCH)
    response = login(hq).post(
        "/api/schemes/",
        {
            "name": "倒签版本",
            "valid_from": "2026-02-01",
            "rules": [{"indicator": "investment_rate", "method": "ratio", "weight": "100"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400


def test_a_count_cannot_be_scored_as_a_rate(ranked):
    """A count scored as a share would give more points for more overdue problems: refused."""
    with pytest.raises(ValidationError):
        services.do_create_scheme(
            ranked.city.users.hq,
            name="错配",
            valid_from=date(2026, 5, 1),
            rules=[
                {"indicator": "problems_overdue", "method": "ratio", "weight": Decimal("10")},
            ],
        )
