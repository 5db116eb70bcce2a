# The model moved to core (its migration 0001 takes the same table over): no SQL.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('workflows', '0018_subjects'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='UsedFormToken')],
            database_operations=[],
        ),
    ]
