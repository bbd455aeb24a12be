"""A period has one current bulletin: the latest issued so far of each period stays current,
the earlier ones (issued twice before issuing again returned the same bulletin) are marked
superseded, then the constraint is added. Going back only drops the field and constraint."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def supersede_earlier(apps, schema_editor):
    Bulletin = apps.get_model("bulletins", "Bulletin")
    latest: dict[tuple[str, int, int], int] = {}
    for pk, kind, year, number in Bulletin.objects.order_by("created_at", "id").values_list(
        "pk", "kind", "year", "number"
    ):
        latest[(kind, year, number)] = pk
    Bulletin.objects.exclude(pk__in=latest.values()).update(superseded=True)


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0002_field_limits"),
        ("core", "0005_document_numbers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="bulletin",
            name="document_number",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.documentnumber",
                verbose_name="official document number",
            ),
        ),
        migrations.AddField(
            model_name="bulletin",
            name="superseded",
            field=models.BooleanField(db_default=False, default=False, verbose_name="superseded"),
        ),
        migrations.RunPython(supersede_earlier, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="bulletin",
            constraint=models.UniqueConstraint(
                condition=models.Q(("superseded", False)),
                fields=("kind", "year", "number"),
                name="one_current_bulletin_per_period",
                violation_error_message="This period already has a bulletin.",
            ),
        ),
    ]
