"""Submitted reports in the order they were submitted, from an index.

The work list of headquarters (and of every reviewer) shows the reports waiting longest first; at
1.6 million reports, sorting every submitted one for the first twenty took 140 ms on SQLite.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0013_report_project_status_period"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="progressreport",
            index=models.Index(fields=["status", "submitted_at"], name="report_status_submitted"),
        ),
    ]
