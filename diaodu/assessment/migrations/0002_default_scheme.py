from django.db import migrations

from diaodu.assessment.defaults import create_default_scheme


def forwards(apps, schema_editor):
    Scheme = apps.get_model("assessment", "ScoringScheme")
    Rule = apps.get_model("assessment", "ScoringRule")
    if not Scheme.objects.exists():
        create_default_scheme(Scheme, Rule)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
