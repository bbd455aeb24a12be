"""The demo city's bulletin: last month's, issued with the ranking table in it."""

from io import BytesIO

from docx import Document

from diaodu.assessment.models import Ranking
from diaodu.assessment.tests.test_demo import last_month
from diaodu.bulletins.models import Bulletin
from diaodu.demo import builder


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
