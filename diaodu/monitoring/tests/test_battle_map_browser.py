"""The battle map in a real browser (Debian's Chromium, driven by Playwright): at a desk, a
programme of 500 projects is drawn whole, one row a project, on a time axis one can zoom that
starts before the earliest milestone, with today's line, and without a script error; on a
phone (390 × 844) the same programme is a list, one item a project, no wider than the screen.

The browser is /usr/bin/chromium (`.ci/run` installs it with apt-get); without it these tests
are skipped, except under CI=true, where they fail.
"""

from datetime import date

import pytest
from django.db.models import Min
from django.urls import reverse

from diaodu.monitoring.tests.test_battle_map import TODAY, _programme
from diaodu.projects.models import Milestone, Project

COUNT = 500  # more than the 300 rows an earlier map stopped at without saying so

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.today(TODAY)]

# What the chart was given (ECharts' own copy of its option): the rows of its vertical axis,
# its zoom, the start of its time axis and the days of its lines.
DRAWN = """() => {
    const option = echarts.getInstanceByDom(document.getElementById("battle-map")).getOption();
    return {
        rows: option.yAxis[0].data,
        zoom: option.dataZoom.map(zoom => ({type: zoom.type, axes: zoom.xAxisIndex})),
        axis: {type: option.xAxis[0].type, min: option.xAxis[0].min},
        lines: option.series.flatMap(series => (series.markLine || {data: []}).data)
            .map(line => line.xAxis),
    };
}"""


def at_midnight(page, day: date) -> int:
    """The day as the chart counts it: midnight in the browser's time zone, in ms."""
    return page.evaluate("day => new Date(day + 'T00:00:00').getTime()", day.isoformat())


def opened(signed_in, live_server, user, program, viewport):
    """The programme's battle map, and the script errors the page meets."""
    page = signed_in(user, viewport=viewport)
    page.set_default_timeout(20000)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    response = page.goto(live_server.url + reverse("battle-map") + f"?program={program.pk}")
    assert response.status == 200
    return page, errors


def test_a_programme_of_500_projects_is_drawn_whole_at_a_desk(city, live_server, signed_in):
    program = _programme(COUNT)
    page, errors = opened(
        signed_in, live_server, city.users.hq, program, {"width": 1280, "height": 800}
    )
    page.locator("#battle-map canvas").first.wait_for()
    drawn = page.evaluate(DRAWN)
    # One row a project (no grouping: no header rows), every project of the programme.
    projects = Project.objects.filter(programs=program)
    assert len(drawn["rows"]) == COUNT
    names = set(projects.values_list("name", flat=True))
    assert {row.split("} ", 1)[1] for row in drawn["rows"]} == names
    # The time axis zooms, from a slider and inside the chart.
    assert drawn["axis"]["type"] == "time"
    assert {zoom["type"] for zoom in drawn["zoom"]} == {"slider", "inside"}
    assert all(zoom["axes"] == 0 for zoom in drawn["zoom"])
    # It starts before the earliest milestone, which is before every planned start.
    milestones = Milestone.objects.filter(project__programs=program)
    earliest = milestones.aggregate(first=Min("planned_date"))["first"]
    assert earliest == date(2024, 3, 1) < projects.aggregate(first=Min("planned_start"))["first"]
    assert drawn["axis"]["min"] < at_midnight(page, earliest)
    # Today's line.
    assert drawn["lines"] == [at_midnight(page, TODAY)]
    assert errors == []


def test_on_a_phone_the_programme_is_a_list_as_wide_as_the_screen(city, live_server, signed_in):
    program = _programme(COUNT)
    page, errors = opened(
        signed_in, live_server, city.users.hq, program, {"width": 390, "height": 844}
    )
    items = page.locator("ul.battle-list > li")
    assert items.count() == COUNT
    assert items.first.is_visible() and not page.locator("#battle-map").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
