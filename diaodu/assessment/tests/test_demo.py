"""The demo city's accountability: the last three months' rankings published."""

from datetime import timedelta
from decimal import Decimal

from diaodu.assessment.models import Ranking
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit


def last_month(today):
    day = today.replace(day=1) - timedelta(days=1)
    return day.year, day.month


def test_last_month_ranks_every_region_and_its_explanations_add_up(demo_city):
    year, month = last_month(demo_city.today)
    ranking = Ranking.objects.get(kind="month", year=year, number=month, group="region")
    regions = set(
        Unit.objects.filter(kind=UnitKind.REGION, parent=None).values_list("pk", flat=True)
    )
    scores = list(ranking.scores.all())
    assert {s.unit_id for s in scores} == regions
    for score in scores:
        assert sum(Decimal(line["points"]) for line in score.lines) == score.score
    # Three months are published, so each unit's change since the month before is known.
    assert Ranking.objects.filter(group="region").count() == 3
    assert all(s.previous_rank is not None for s in scores)
    standings = {s.standing for s in scores}
    assert standings == {"top", "middle", "bottom"}
