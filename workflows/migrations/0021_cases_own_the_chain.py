"""Cases own the chain: the revision, the audit sequence and head move from the dossier to a case.

Every dossier gets a case with the dossier's own id (kind "dossier", its revision,
audit_seq and audit_head copied), and Dossier.case points at it. The events' and the
anchored heads' `dossier_id` column becomes `case_id` (a rename: no row is written,
so the append-only triggers of 0003/0015 are not involved) and its foreign key now
points at the case. Because each case id is its dossier's id, the number under the
canonical key "dossier" that every event hash and anchor covers is unchanged: the
existing chains, their MACs and the anchors kept outside the database verify as
before. On PostgreSQL the case id sequence is set past the copied ids.

Going back is possible while every dossier's case still has the dossier's id and
no other case has events (no record but a dossier was audited yet).
"""

import django.db.models.deletion
from django.db import migrations, models

COPY_CASES = """
INSERT INTO workflows_case (id, kind, revision, audit_seq, audit_head, created_at)
SELECT id, 'dossier', revision, audit_seq, audit_head, created_at FROM workflows_dossier
"""


def cases_from_dossiers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(COPY_CASES)
        cursor.execute("UPDATE workflows_dossier SET case_id = id")
        if schema_editor.connection.vendor == "postgresql":
            # Explicit ids do not move the identity sequence: the next case must come after them.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('workflows_case', 'id'), COALESCE(MAX(id), 1), "
                "MAX(id) IS NOT NULL) FROM workflows_case"
            )
    # SQLite's AUTOINCREMENT keeps the highest id inserted by itself.


def refuse_going_back_unless_ids_match(apps, schema_editor):
    """Run first when going back (the last operation): the schema still has cases here."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id FROM workflows_dossier WHERE case_id <> id ORDER BY id LIMIT 5")
        moved = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT DISTINCT e.case_id FROM workflows_auditevent e "
            "LEFT JOIN workflows_dossier d ON d.case_id = e.case_id WHERE d.id IS NULL ORDER BY 1 LIMIT 5"
        )
        others = [row[0] for row in cursor.fetchall()]
    if moved or others:
        raise RuntimeError(
            "Cannot go back before cases: "
            + (f"dossiers {moved} have a case with another id; " if moved else "")
            + (f"cases {others} are not dossiers' and have audit events; " if others else "")
            + "their events' hashes cover the case id, which a dossier id could not carry."
        )


def dossiers_from_cases(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workflows_dossier SET revision = (SELECT c.revision FROM workflows_case c WHERE c.id = "
            "workflows_dossier.case_id), audit_seq = (SELECT c.audit_seq FROM workflows_case c WHERE c.id = "
            "workflows_dossier.case_id), audit_head = (SELECT c.audit_head FROM workflows_case c WHERE c.id = "
            "workflows_dossier.case_id)"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("workflows", "0020_revocation_to_titles"),
    ]

    operations = [
        migrations.CreateModel(
            name="Case",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(db_index=True, max_length=32, verbose_name="kind")),
                ("revision", models.PositiveIntegerField(default=0)),
                ("audit_seq", models.PositiveIntegerField(default=0)),
                ("audit_head", models.CharField(
                    default="0000000000000000000000000000000000000000000000000000000000000000", max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "audited case",
                "verbose_name_plural": "audited cases",
                "ordering": ["pk"],
            },
        ),
        migrations.AddField(
            model_name="dossier",
            name="case",
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT,
                                       related_name="dossier", to="workflows.case"),
        ),
        migrations.RunPython(cases_from_dossiers, dossiers_from_cases, elidable=False),
        migrations.AlterField(
            model_name="dossier",
            name="case",
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="dossier",
                                       to="workflows.case"),
        ),
        migrations.RemoveField(model_name="dossier", name="revision"),
        migrations.RemoveField(model_name="dossier", name="audit_seq"),
        migrations.RemoveField(model_name="dossier", name="audit_head"),
        # The events: dossier_id becomes case_id, same numbers, foreign key to the case.
        migrations.RemoveConstraint(model_name="auditevent", name="audit_seq_unique_per_dossier"),
        migrations.RenameField(model_name="auditevent", old_name="dossier", new_name="case"),
        migrations.AlterField(
            model_name="auditevent",
            name="case",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="events", to="workflows.case"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("case", "seq"), name="audit_seq_unique_per_case"),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["case_id", "seq"], "verbose_name": "audit event",
                     "verbose_name_plural": "audit events"},
        ),
        # The anchored heads likewise.
        migrations.RemoveConstraint(model_name="chainanchorhead", name="one_head_per_dossier_per_anchor"),
        migrations.RemoveIndex(model_name="chainanchorhead", name="workflows_c_dossier_2b412e_idx"),
        migrations.RenameField(model_name="chainanchorhead", old_name="dossier", new_name="case"),
        migrations.AlterField(
            model_name="chainanchorhead",
            name="case",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="workflows.case"),
        ),
        migrations.AddConstraint(
            model_name="chainanchorhead",
            constraint=models.UniqueConstraint(fields=("anchor", "case"), name="one_head_per_case_per_anchor"),
        ),
        migrations.AddIndex(
            model_name="chainanchorhead",
            index=models.Index(fields=["case", "seq"], name="workflows_anchorhead_case_seq"),
        ),
        migrations.AlterField(
            model_name="chainanchor",
            name="dossiers",
            field=models.PositiveIntegerField(verbose_name="chain heads covered"),
        ),
        migrations.RunPython(migrations.RunPython.noop, refuse_going_back_unless_ids_match, elidable=False),
    ]
