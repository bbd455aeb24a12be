# The bulletin now belongs to the bulletins app (bulletins.0001_initial), which kept its table,
# assessment_bulletin, and its rows: the model leaves this app's state only, and nothing is
# dropped.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0004_bulletin_status'),
        ('bulletins', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Bulletin',
                ),
            ],
            database_operations=[],
        ),
    ]
