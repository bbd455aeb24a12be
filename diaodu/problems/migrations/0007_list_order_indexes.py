from django.db import migrations, models


class Migration(migrations.Migration):
    """The lists of problems and tasks read a page by deadline from an index, without sorting
    every row first."""

    dependencies = [
        ("problems", "0006_supervision_notices"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(fields=["deadline", "id"], name="problem_deadline_order"),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(fields=["deadline", "id"], name="task_deadline_order"),
        ),
    ]
