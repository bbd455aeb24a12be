"""The demo city's accountability: last month's ranking published and its bulletin issued."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from docx import Document

from diaodu.assessment.models import Bulletin, Ranking
from diaodu.demo import builder
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


def test_last_months_bulletin_holds_the_ranking_table(demo_city):
    bulletin = Bulletin.objects.get()
    year, month = last_month(demo_city.today)
    assert (bulletin.kind, bulletin.year, bulletin.number, bulletin.issue) == (
        "month",
        year,
        month,
        1,
    )
    document = Document(BytesIO(bulletin.document.read()))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    ranking = Ranking.objects.get(kind="month", year=year, number=month, group="region")
    assert {s.unit.name for s in ranking.scores.select_related("unit")} <= cells
    builder.reset()
    assert not Bulletin.objects.exists() and not Ranking.objects.exists()
