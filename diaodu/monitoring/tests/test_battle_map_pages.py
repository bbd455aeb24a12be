# ruff: noqa: E501 (the template below, as it was written)
"""The battle map at scale: a page's rows found without sorting the whole set, in the very order
of the full sort, and the phone's list written in Python as the template wrote it."""

import random
import re
from datetime import date

import factory
import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from diaodu.factories import MilestoneFactory, ProjectFactory, UnitFactory
from diaodu.monitoring import battle_map
from diaodu.monitoring.views import _listed
from diaodu.org.choices import UnitKind
from diaodu.projects.models import Project

TODAY = date(2026, 6, 15)
pytestmark = pytest.mark.today(TODAY)


def _mixed(city, count: int) -> None:
    """Projects spread over regions of which some share a sort order, over lead units, and
    some with neither; names that repeat, so that the id breaks ties."""
    rng = random.Random(count)
    regions = [
        UnitFactory(name=f"区{i}", code=f"r{i}", kind=UnitKind.REGION, sort_order=i % 3)
        for i in range(6)
    ]
    units = [UnitFactory(name=f"{'甲乙丙'[i % 3]}局{i}", code=f"u{i}") for i in range(5)]
    ProjectFactory.create_batch(
        count,
        name=factory.LazyFunction(
            lambda: rng.choice(["项目甲", "项目乙", "Alpha", "beta", "项目"])
        ),
        region=factory.LazyFunction(lambda: rng.choice([*regions, None, city.jiefang])),
        lead_unit=factory.LazyFunction(lambda: rng.choice([*units, None])),
    )


@pytest.mark.parametrize("group", sorted(battle_map.ORDERS))
def test_every_page_is_the_slice_of_the_full_sort(city, group, monkeypatch):
    monkeypatch.setattr(battle_map, "PAGE_SIZE", 7)
    _mixed(city, 80)
    for user in (city.users.hq, city.users.jiefang, city.users.jiaotong):
        projects = Project.objects.visible_to(user)
        everything = list(projects.order_by(*battle_map.ORDERS[group]).values_list("pk", flat=True))
        pages = max(1, -(-len(everything) // 7))
        for number in [*range(1, pages + 1), pages + 5]:
            ids, window = battle_map._page(projects, group, number)
            shown = min(number, pages)
            assert ids == everything[(shown - 1) * 7 : shown * 7], (user, group, number)
            assert (window.number, window.count, window.shown) == (shown, len(everything), len(ids))


@pytest.mark.parametrize("group", sorted(battle_map.ORDERS))
def test_a_page_is_found_in_five_queries_at_most(city, group, monkeypatch):
    monkeypatch.setattr(battle_map, "PAGE_SIZE", 7)
    _mixed(city, 120)
    projects = Project.objects.all()
    for number in range(1, 20):
        with CaptureQueriesContext(connection) as queries:
            battle_map._page(projects, group, number)
        # The counts, the units' order, the cut first group, the whole ones, the cut last one.
        assert len(queries) <= 5


def test_nobody_and_nothing(city):
    assert battle_map._page(Project.objects.none(), "", 3)[0] == []
    ids, window = battle_map._page(Project.objects.filter(name="无"), "lead_unit", 3)
    assert (ids, window.number, window.count, window.first) == ([], 1, 0, 0)


# The list as the template wrote it, before the list was written in Python.
TEMPLATE = """{% load i18n %}{% for row in rows %}
  {% ifchanged row.group %}{% if row.group %}<li class="list-group-item list-group-item-secondary fw-bold py-1">{{ row.group }}</li>{% endif %}{% endifchanged %}
  <li class="list-group-item py-2">
    <div><span class="status-dot status-{{ row.light }} me-1"></span><a href="{{ row.url }}">{{ row.name }}</a> <span class="small text-secondary">{{ row.light_label }}</span></div>
    <div class="bar">{% translate "Planned" %} <b>{% if row.planned %}{{ row.planned.0|date:"Y-m-d" }} – {{ row.planned.1|date:"Y-m-d" }}{% else %}—{% endif %}</b></div>
    <div class="bar">{% translate "Actual" %} <b>{% if row.actual %}{{ row.actual.0|date:"Y-m-d" }} – {{ row.actual.1|date:"Y-m-d" }}{% else %}{% translate "not started" %}{% endif %}</b>{% if row.forecast %} · {% translate "Forecast finish" %} <b{% if row.forecast.late %} class="text-orange"{% endif %}>{{ row.forecast.finish|date:"Y-m-d" }}</b>{% endif %}</div>
    <div class="bar">{% translate "Next milestone" %} <b>{% if row.next %}{{ row.next.name }} {{ row.next.date|date:"Y-m-d" }}{% else %}—{% endif %}</b>
      {% for m in row.milestones %}<span class="milestone-{{ m.state }}" title="{{ m.name }} {{ m.date|date:'Y-m-d' }} {{ m.state_label }}">●</span>{% endfor %}</div>
  </li>
  {% endfor %}"""  # fmt: skip


def _spaced(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_the_phone_list_is_what_the_template_wrote(city):
    jiefang = city.projects.jiefang
    jiefang.name = "<b>\"引号\" & '撇号'</b>"
    jiefang.planned_start, jiefang.planned_completion = date(2025, 3, 1), date(2026, 5, 31)
    jiefang.actual_start = date(2025, 4, 1)
    jiefang.save()
    MilestoneFactory(project=jiefang, name="<开工>", planned_date=date(2025, 4, 1))
    MilestoneFactory(
        project=jiefang, name="主体", planned_date=date(2026, 1, 1), actual_date=date(2026, 2, 1)
    )
    MilestoneFactory(project=jiefang, name="验收 & 交付", planned_date=date(2026, 12, 1))
    street = city.projects.street
    street.actual_start, street.actual_completion = date(2024, 1, 1), date(2025, 1, 1)
    street.save()
    ProjectFactory.create_batch(3, region=None, lead_unit=None)
    with translation.override("zh-hans"):
        for group in battle_map.ORDERS:
            rows = battle_map.battle_map(Project.objects.all(), group, 1, TODAY).rows
            # Forecasts as the rows carry them, late and not.
            rows[0]["forecast"] = {"finish": date(2027, 1, 2), "late": True}
            rows[1]["forecast"] = {"finish": date(2026, 8, 9), "late": False}
            assert any(row["next"] for row in rows) and any(row["milestones"] for row in rows)
            expected = Template(TEMPLATE).render(Context({"rows": rows}))
            assert _spaced(_listed(rows)) == _spaced(expected), group
