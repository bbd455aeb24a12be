"""A year's reads of the reports come from the index alone on PostgreSQL (reporting.0012).

The dashboard's monthly curve and the monthly indicators a ranking reads select a year's or a
month's periods of the reports; every column of the report table their queries read must be one
that report_period_covering carries, so that PostgreSQL can answer them from a year's entries of
the index without visiting the table: a column added to one of them fails this test (on every
database, since the queries are the same).
"""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.assessment import indicators
from diaodu.assessment.choices import Group
from diaodu.assessment.periods import Window
from diaodu.factories import ProgressReportFactory, ReportingPeriodFactory
from diaodu.monitoring import figures
from diaodu.reporting.choices import ReportStatus
from diaodu.reporting.models import ProgressReport

INDEX = "report_period_covering"
TABLE = ProgressReport._meta.db_table
CARRIED = {"period_id", "status", "project_id", "invested", "submitted_at"}


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("the covering index (INCLUDE) is PostgreSQL's; SQLite keeps the model's")


@pytest.fixture
def filed(city):
    """The city's projects have filed and had approved their reports of March and April 2026."""
    for month in (3, 4):
        period = ReportingPeriodFactory(day=date(2026, month, 1))
        for project in vars(city.projects).values():
            ProgressReportFactory(project=project, period=period, status=ReportStatus.APPROVED)


def report_queries(call) -> list[str]:
    """The SQL of the queries `call` makes that read the report table."""
    with CaptureQueriesContext(connection) as queries:
        call()
    return [q["sql"] for q in queries if f'FROM "{TABLE}"' in q["sql"]]


def columns_read(sql: str) -> set[str]:
    """The columns of the report table that `sql` names (Django names each with its table)."""
    return set(re.findall(rf'"{TABLE}"\."(\w+)"', sql))


def test_the_index_carries_what_the_year_reads_select(postgres):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [TABLE, INDEX],
        )
        (definition,) = cursor.fetchone()
    assert definition.endswith(
        "USING btree (period_id, status) INCLUDE (project_id, invested, submitted_at)"
    )


@pytest.mark.today("2026-05-20")
def test_the_dashboard_curve_reads_only_what_the_index_carries(city, filed):
    sqls = report_queries(lambda: figures.compute(city.users.hq, 2026))
    assert len(sqls) == 1
    assert {"period_id", "invested"} <= columns_read(sqls[0]) <= CARRIED


@pytest.mark.today("2026-05-20")
def test_the_indicators_of_a_month_read_only_what_the_index_carries(city, filed):
    sqls = report_queries(
        lambda: indicators.compute(Window.parse("2026-04"), Group.REGION, date(2026, 4, 30))
    )
    assert len(sqls) == 2  # the investment of the year by then, the reports due in the month
    for sql in sqls:
        assert {"period_id", "project_id"} <= columns_read(sql) <= CARRIED, sql
