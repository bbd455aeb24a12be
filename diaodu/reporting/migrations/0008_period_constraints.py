from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0007_one_filing_per_month'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='reportingperiod',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'monthly')), fields=('start',), name='one_monthly_period_per_month', violation_error_message='This month already has a monthly period.'),
        ),
        migrations.AddConstraint(
            model_name='reportingperiod',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'monthly'), ('program__isnull', True)), models.Q(('kind', 'update'), ('program__isnull', False)), _connector='OR'), name='period_kind_matches_program', violation_error_message='A monthly period belongs to no programme; an update period to one.'),
        ),
    ]
