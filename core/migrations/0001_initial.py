# The table was created by workflows 0014; this migration only takes the model over (no SQL).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('workflows', '0018_subjects'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='UsedFormToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('token', models.CharField(max_length=64)),
                        ('used_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                                   related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'used form token',
                        'verbose_name_plural': 'used form tokens',
                        'db_table': 'workflows_usedformtoken',
                        'constraints': [models.UniqueConstraint(fields=('user', 'token'),
                                                                name='form_token_once_per_user')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
