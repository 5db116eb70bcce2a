# The revocation sits beside the award now (titles.models.Revocation, its migration 0013 takes the same
# table over): no SQL.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0019_used_form_token_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Revocation')],
            database_operations=[],
        ),
    ]
