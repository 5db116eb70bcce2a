# The table was created by workflows 0004; this migration only takes the model over (no SQL).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0007_commune_prepares_hamlet_title'),
        ('titles', '0012_ruleset_merit'),
        ('workflows', '0020_revocation_to_titles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Revocation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('ground', models.CharField(max_length=8, verbose_name='ground')),
                        ('ground_label', models.CharField(max_length=300, verbose_name='ground')),
                        ('legal_basis', models.CharField(max_length=300, verbose_name='legal basis')),
                        ('decision_number', models.CharField(max_length=60,
                                                             verbose_name='revocation decision number')),
                        ('decided_on', models.DateField(verbose_name='decided on')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('role', models.CharField(max_length=32)),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('award', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT,
                                                       related_name='revocation', to='titles.award')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                          related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                                   to='directory.unit')),
                    ],
                    options={
                        'verbose_name': 'revocation',
                        'verbose_name_plural': 'revocations',
                        'db_table': 'workflows_revocation',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
