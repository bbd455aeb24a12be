# The bulletin moved here from the assessment app, with its table, rows and files as they were:
# this migration only tells Django that the model now belongs to this app (its table keeps the
# name assessment_bulletin), and moves the model's content type, so that the bulletins' change
# history and any permission given on them follow. assessment.0005_bulletin_moved then takes
# the model out of the assessment app, without touching the table either.

import diaodu.bulletins.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old, new):
    """Relabel the bulletin's content type (kept with its id, so nothing that refers to it
    changes), unless the new one is there already."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="bulletin").exists():
        ContentType.objects.using(db).filter(app_label=old, model="bulletin").update(app_label=new)


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, "assessment", "bulletins")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, "bulletins", "assessment")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("assessment", "0004_bulletin_status"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Bulletin',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('month', 'Month'), ('quarter', 'Quarter'), ('year', 'Year')], max_length=10, verbose_name='period')),
                        ('year', models.PositiveIntegerField(verbose_name='year')),
                        ('number', models.PositiveSmallIntegerField(verbose_name='month or quarter')),
                        ('issue', models.PositiveSmallIntegerField(help_text='第N期 within the year.', verbose_name='issue')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('document', models.FileField(blank=True, upload_to=diaodu.bulletins.models.bulletin_path, verbose_name='document')),
                        ('status', models.CharField(choices=[('writing', 'Being written'), ('issued', 'Issued'), ('failed', 'Failed')], db_default='issued', default='issued', max_length=10, verbose_name='status')),
                        ('error', models.TextField(blank=True, db_default='', verbose_name='why it failed')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='issued at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='issued by')),
                    ],
                    options={
                        'verbose_name': 'bulletin',
                        'verbose_name_plural': 'bulletins',
                        'db_table': 'assessment_bulletin',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['kind', 'year', 'number'], name='bulletin_period')],
                        'constraints': [models.UniqueConstraint(fields=('year', 'issue'), name='one_bulletin_per_issue', violation_error_message='This issue number is already used this year.')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
