"""Whoever reported a problem solved or a task done never verifies it: a check constraint."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("problems", "0003_problem_inspection_task_inspection"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="problem",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("verified_by__isnull", True),
                    ("solved_by__isnull", True),
                    models.Q(("verified_by", models.F("solved_by")), _negated=True),
                    _connector="OR",
                ),
                name="problem_verifier_not_solver",
                violation_error_message="Whoever reported the work done cannot verify it.",
            ),
        ),
        migrations.AddConstraint(
            model_name="task",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("verified_by__isnull", True),
                    ("done_by__isnull", True),
                    models.Q(("verified_by", models.F("done_by")), _negated=True),
                    _connector="OR",
                ),
                name="task_verifier_not_doer",
                violation_error_message="Whoever reported the work done cannot verify it.",
            ),
        ),
    ]
