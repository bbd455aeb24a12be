"""Scoring, ranking, scheme versions and publishing."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.assessment import services
from diaodu.assessment.choices import Group, Method, Standing, WhenMissing
from diaodu.assessment.models import Ranking, ScoringScheme
from diaodu.assessment.periods import Window
from diaodu.assessment.scoring import Entry, rank, rule_points, score
from diaodu.inspections.choices import Rating
from diaodu.inspections.models import Inspection

from .conftest import TODAY

pytestmark = pytest.mark.today(TODAY)  # the ranked city is as it stood on 15 April 2026
FEBRUARY, MARCH = Window.parse("2026-02"), Window.parse("2026-03")


def rule(**kwargs):
    defaults = {
        "method": Method.RATIO,
        "weight": 30,
        "target": 100,
        "floor": 0,
        "per_item": 0,
        "cap": None,
        "when_missing": WhenMissing.FULL,
        "indicator": "investment_rate",
    }
    return SimpleNamespace(**{**defaults, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "value", "points"),
    [
        ({}, Decimal("85.3"), Decimal("25.59")),
        ({}, Decimal("120"), Decimal("30.00")),  # capped at the full points
        ({"floor": 60}, Decimal("50"), Decimal("0.00")),  # at or below the floor: nothing
        ({"floor": 60}, Decimal("80"), Decimal("15.00")),  # half-way between floor and target
        ({}, None, Decimal("30.00")),  # nothing to measure: full points
        ({"when_missing": WhenMissing.ZERO}, None, Decimal("0.00")),
        ({"method": Method.PER_ITEM, "per_item": -1, "cap": 5}, 3, Decimal("-3.00")),
        ({"method": Method.PER_ITEM, "per_item": -1, "cap": 5}, 9, Decimal("-5.00")),
        ({"method": Method.PER_ITEM, "per_item": 2, "cap": None}, 9, Decimal("18.00")),
        ({"method": Method.PER_ITEM, "per_item": -1, "cap": 5}, 0, Decimal("0.00")),
    ],
)
def test_how_a_value_becomes_points(kwargs, value, points):
    got, _how = rule_points(rule(**kwargs), value)
    assert got == points and str(got) != "-0.00"


def test_the_lines_add_up_to_the_score():
    rules = [
        rule(),
        rule(indicator="schedule_rate", weight=20),
        rule(indicator="tasks_overdue", method=Method.PER_ITEM, per_item=Decimal("-1.5"), cap=5),
    ]
    total, lines = score({"investment_rate": Decimal("33.3"), "schedule_rate": Decimal("66.7"),
                          "tasks_overdue": 2}, rules)  # fmt: skip
    assert [line["points"] for line in lines] == ["9.99", "13.34", "-3.00"]
    assert total == sum(Decimal(line["points"]) for line in lines) == Decimal("20.33")


def _entry(name, score_, **values):
    unit = SimpleNamespace(pk=name, name=name, sort_order=0)
    return Entry(unit, Decimal(score_), values, [])


def test_ties_are_broken_by_the_scheme_then_shared():
    scheme = SimpleNamespace(tie_breaks=["investment_rate", "reports_missing"], top_count=1,
                             bottom_count=1)  # fmt: skip
    entries = rank(
        [
            _entry("甲", 80, investment_rate=Decimal("50"), reports_missing=2),
            _entry("乙", 80, investment_rate=Decimal("60"), reports_missing=2),
            _entry("丙", 70, investment_rate=Decimal("10"), reports_missing=1),
            _entry("丁", 70, investment_rate=Decimal("10"), reports_missing=1),
            _entry("戊", 90, investment_rate=None, reports_missing=0),
        ],
        scheme,
    )
    assert [(e.unit.name, e.rank) for e in entries] == [
        ("戊", 1), ("乙", 2), ("甲", 3), ("丁", 4), ("丙", 4),
    ]  # fmt: skip
    assert [e.standing for e in entries] == [
        Standing.TOP, Standing.MIDDLE, Standing.MIDDLE, Standing.BOTTOM, Standing.BOTTOM,
    ]  # fmt: skip


def test_default_ranking_explains_every_score(ranked):
    result = services.compute(MARCH, Group.REGION, ranked.today)
    assert [e.unit for e in result.entries] and result.scheme.name.endswith("（默认）")
    for entry in result.entries:
        assert entry.score == sum(Decimal(line["points"]) for line in entry.lines)
        assert len(entry.lines) == result.scheme.rules.count()
    assert [e.rank for e in result.entries] == [1, 2]


def _only(indicator, **kwargs):
    return [{"indicator": indicator, "method": Method.RATIO, "weight": 100, "target": 100,
             "floor": 0, **kwargs}]  # fmt: skip


def test_a_new_version_changes_the_ranking_from_its_month_and_not_before(ranked):
    city, hq = ranked.city, ranked.city.users.hq
    ScoringScheme.objects.all().delete()
    # v1: a point per inspection; 高新区 was inspected in February and in March.
    services.do_create_scheme(
        hq, name="v1", valid_from=date(2020, 1, 1), tie_breaks=[], top_count=1, bottom_count=1,
        rules=[{"indicator": "inspections", "method": Method.PER_ITEM, "per_item": 10}],
        today=date(2020, 1, 1),
    )  # fmt: skip
    february_before = services.compute(FEBRUARY, Group.REGION, ranked.today)
    march_before = services.compute(MARCH, Group.REGION, ranked.today)
    services.do_publish_ranking(hq, FEBRUARY, Group.REGION, ranked.today)
    assert [e.unit for e in march_before.entries] == [city.gaoxin, city.jiefang]

    # v2, adopted on 2 March from March on: reports on time are all that count.
    services.do_create_scheme(
        hq, name="v2", valid_from=date(2026, 3, 1), tie_breaks=[], top_count=1, bottom_count=1,
        rules=_only("reporting_rate"), today=date(2026, 3, 2),
    )  # fmt: skip
    march = services.compute(MARCH, Group.REGION, ranked.today)
    assert march.scheme.name == "v2"
    assert [(e.unit, e.score) for e in march.entries] == [
        (city.jiefang, Decimal("50.00")),
        (city.gaoxin, Decimal("0.00")),
    ]
    assert march.entries[0].previous_rank == 2 and march.entries[0].change == 1
    # February is scored as before, whether recomputed or read as published.
    february = services.compute(FEBRUARY, Group.REGION, ranked.today)
    assert february.scheme.name == "v1"
    assert [(e.unit, e.score, e.rank) for e in february.entries] == [
        (e.unit, e.score, e.rank) for e in february_before.entries
    ]
    published = services.read(FEBRUARY, Group.REGION, ranked.today)
    assert published.published is not None
    assert [(e.unit, e.score) for e in published.entries] == [
        (e.unit, e.score) for e in february_before.entries
    ]
    # A quarter is scored by the version of its last month.
    assert services.compute(Window.parse("2026Q1"), Group.REGION, ranked.today).scheme.name == "v2"
    # Once March is published, no version may start in it or before, and v2 stays.
    services.do_publish_ranking(hq, MARCH, Group.REGION, ranked.today)
    with pytest.raises(ValidationError, match="2026-04"):
        services.do_create_scheme(
            hq, name="v3", valid_from=date(2026, 2, 1), rules=_only("investment_rate"),
            today=date(2026, 3, 20),
        )  # fmt: skip
    v2 = ScoringScheme.objects.get(name="v2")
    assert not services.can_delete_scheme(v2, ranked.today)
    with pytest.raises(ValidationError):
        services.do_delete_scheme(hq, v2)


def test_a_published_ranking_reads_the_same_after_the_data_changes(ranked):
    hq = ranked.city.users.hq
    ranking = services.do_publish_ranking(hq, MARCH, Group.REGION, ranked.today)
    before = [(s.unit_id, s.score, s.rank) for s in ranking.scores.all()]
    Inspection.objects.create(
        project=ranked.city.projects.jiefang, date=date(2026, 3, 30), inspectors="督查二组",
        findings="停工", rating=Rating.POOR,
    )  # fmt: skip
    live = services.compute(MARCH, Group.REGION, ranked.today)
    assert [(e.unit_id, e.score) for e in live.entries] != [(u, s) for u, s, _r in before]
    read = services.read(MARCH, Group.REGION, ranked.today)
    assert [(e.unit_id, e.score, e.rank) for e in read.entries] == before
    # Publishing again replaces it, in place.
    again = services.do_publish_ranking(hq, MARCH, Group.REGION, ranked.today)
    assert again.pk == ranking.pk and Ranking.objects.count() == 1
    assert [(s.unit_id, s.score) for s in again.scores.order_by("rank")] == [
        (e.unit_id, e.score) for e in live.entries
    ]


def test_only_headquarters_publishes_and_the_future_is_refused(ranked):
    with pytest.raises(PermissionDenied):
        services.do_publish_ranking(ranked.city.users.jiefang, MARCH, Group.REGION, ranked.today)
    with pytest.raises(ValidationError, match="尚未开始"):
        services.compute(Window.parse("2026-05"), Group.REGION, ranked.today)


def test_scheme_versions_are_checked_whole(ranked):
    hq = ranked.city.users.hq
    with pytest.raises(ValidationError) as error:
        services.do_create_scheme(
            hq, name="", valid_from=date(2000, 1, 1), tie_breaks=["nonsense"],
            today=date(2000, 1, 5),
            rules=[
                {"indicator": "investment_rate", "method": Method.RATIO, "weight": 0},
                {"indicator": "investment_rate", "method": Method.RATIO, "weight": 10},
                {"indicator": "tasks_overdue", "method": Method.PER_ITEM, "per_item": 0},
            ],
        )  # fmt: skip
    problems = error.value.message_dict
    assert set(problems) >= {"name", "valid_from", "tie_breaks", "rules"}
    assert len(problems["rules"]) == 3
    assert ScoringScheme.objects.count() == 1
    default = ScoringScheme.objects.get()
    with pytest.raises(ValidationError):
        services.do_delete_scheme(hq, default)  # the only version
