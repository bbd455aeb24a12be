"""The index on a report's project and status carries the period too.

The API's list of reports counts the reports of the list by period, to find a page without
sorting them all; for a unit that sees some projects, or a list of one status, that count reads
this index alone (project, status, period) instead of looking up every report of the status.
Everything the index (project, status) served, it still serves.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0012_report_period_covering_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="progressreport",
            name="report_project_status",
        ),
        migrations.AddIndex(
            model_name="progressreport",
            index=models.Index(
                fields=["project", "status", "period"], name="report_project_status_period"
            ),
        ),
    ]
