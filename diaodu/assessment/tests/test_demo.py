"""The demo city's accountability: last month's ranking published and its bulletin issued."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from docx import Document

from diaodu.assessment.models import Bulletin, Ranking
from diaodu.demo import builder
from diaodu.org.choices import UnitKind
from diaodu.org.models import Unit

TODAY = date(2026, 11, 20)


@pytest.fixture
def demo(db):
    with time_machine.travel(TODAY, tick=False):
        builder.build(TODAY)
        yield


def test_last_month_ranks_every_region_and_its_explanations_add_up(demo):
    ranking = Ranking.objects.get(kind="month", year=2026, number=10, group="region")
    regions = set(
        Unit.objects.filter(kind=UnitKind.REGION, parent=None).values_list("pk", flat=True)
    )
    scores = list(ranking.scores.all())
    assert {s.unit_id for s in scores} == regions
    for score in scores:
        assert sum(Decimal(line["points"]) for line in score.lines) == score.score
    # Three months are published, so each unit's change since September is known.
    assert Ranking.objects.filter(group="region").count() == 3
    assert all(s.previous_rank is not None for s in scores)
    standings = {s.standing for s in scores}
    assert standings == {"top", "middle", "bottom"}


def test_last_months_bulletin_holds_the_ranking_table(demo):
    bulletin = Bulletin.objects.get()
    assert (bulletin.kind, bulletin.year, bulletin.number, bulletin.issue) == ("month", 2026, 10, 1)
    document = Document(BytesIO(bulletin.document.read()))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    ranking = Ranking.objects.get(kind="month", year=2026, number=10, group="region")
    assert {s.unit.name for s in ranking.scores.select_related("unit")} <= cells
    builder.reset()
    assert not Bulletin.objects.exists() and not Ranking.objects.exists()
