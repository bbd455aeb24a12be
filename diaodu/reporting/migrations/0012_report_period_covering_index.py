"""A year's reports read from the index alone, on PostgreSQL.

The year-scoped reads of the reports (the dashboard's monthly curve, the investment of the
monthly indicators per project, the reports due and filed in a ranking's month) select a year's
or a month's periods and read only the project, investment, status and filing time. An index on
(period, status) that carries those columns answers them with an index-only scan over that
year's entries, whatever the order of the rows in the table; measured at 500,000 projects and
16 million reports, it did better than partitioning the table by year and than a BRIN index
(docs/performance.md). PostgreSQL only (INCLUDE): SQLite keeps the plain indexes of the model.
"""

from django.db import migrations

NAME = "report_period_covering"
TABLE = "reporting_progressreport"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON {TABLE} (period_id, status)"
        " INCLUDE (project_id, invested, submitted_at)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0011_photo_evidence"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
