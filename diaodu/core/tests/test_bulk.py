"""update_each writes each row's own values, NULLs and dates included, in batches."""

from datetime import date
from decimal import Decimal

import pytest

from diaodu.core import bulk
from diaodu.factories import ProjectFactory
from diaodu.projects.models import Project

FIELDS = ["forecast_spi", "forecast_finish", "forecast_late_days"]

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(bulk, "BATCH", 2)
    projects = [ProjectFactory() for _ in range(5)]
    untouched = ProjectFactory(forecast_spi=Decimal("0.50"), forecast_late_days=3)
    rows = [
        (projects[0].pk, Decimal("0.87"), date(2027, 3, 31), 45),
        (projects[1].pk, None, None, None),
        (projects[2].pk, Decimal("1.25"), date(2026, 12, 1), -20),
        (projects[3].pk, Decimal("0.05"), None, 0),
        (projects[4].pk, None, date(2028, 2, 29), None),
    ]
    with django_assert_num_queries(3):  # 2 + 2 + 1
        assert bulk.update_each(Project, rows, FIELDS) == 5
    for pk, *values in rows:
        assert list(Project.objects.filter(pk=pk).values_list(*FIELDS).get()) == values
    untouched.refresh_from_db()
    assert (untouched.forecast_spi, untouched.forecast_late_days) == (Decimal("0.50"), 3)


def test_nothing_to_write_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert bulk.update_each(Project, [], FIELDS) == 0
