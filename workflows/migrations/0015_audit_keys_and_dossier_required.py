"""Key the audit trail, keep anchors outside the database, require a dossier, refuse TRUNCATE.

* Every event and anchor gets `key_id` and `mac` (HMAC-SHA256 under settings.AUDIT_KEYS,
  workflows.audit.keys). Rows written before this migration are signed here, as they
  stand: the MAC proves nothing about what happened to them before today (their hash
  chain and anchors still do); the copies of the existing anchors are written to the
  anchor storage (workflows.audit.copies).
* `dossier` becomes NOT NULL: no service ever wrote an event without one (revocations
  and concerns chain on their dossier), and such a row would be covered by no chain.
  If one exists the migration stops and names it, for someone to look at first.
* On PostgreSQL a statement-level trigger refuses TRUNCATE on the event, anchor and
  anchor-head tables, which the row triggers of 0003 do not see.
"""

import django.db.models.deletion
from django.db import migrations, models

from workflows.audit import copies
from workflows.audit.keys import anchor_mac, event_mac, signing_key

TABLES = ["workflows_auditevent", "workflows_chainanchor", "workflows_chainanchorhead"]
CHUNK = 2000


def _triggers(schema_editor, table, enable):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} {'ENABLE' if enable else 'DISABLE'} TRIGGER {table}_append_only")


def refuse_events_without_dossier(apps, schema_editor):
    AuditEvent = apps.get_model("workflows", "AuditEvent")
    orphans = list(AuditEvent.objects.filter(dossier__isnull=True).order_by("pk").values_list("pk", flat=True)[:20])
    if orphans:
        raise RuntimeError(
            f"Audit events with no dossier exist (ids {', '.join(map(str, orphans))}{'…' if len(orphans) == 20 else ''}"
            "). No service writes such an event: they were inserted outside the application. Examine them, "
            "then remove them by hand (recording why) before running this migration again."
        )


def sign_existing_rows(apps, schema_editor):
    from workflows.models import AuditEvent as Current  # the one canonical form, a static method

    AuditEvent = apps.get_model("workflows", "AuditEvent")
    ChainAnchor = apps.get_model("workflows", "ChainAnchor")
    key_id, key = signing_key()
    canonical = Current.canonical_bytes
    connection = schema_editor.connection
    if AuditEvent.objects.exists():
        _triggers(schema_editor, "workflows_auditevent", enable=False)
        last = 0
        while True:
            batch = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk")[:CHUNK])
            if not batch:
                break
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE workflows_auditevent SET key_id = %s, mac = %s WHERE id = %s",
                    [(key_id, event_mac(key, canonical(
                        e.dossier_id, e.seq, e.at, e.actor_id, e.actor_name, e.role, e.unit_id, e.action,
                        e.target_type, e.target_id, e.from_state, e.to_state, e.payload, e.prev_hash,
                    )), e.pk) for e in batch],
                )
            last = batch[-1].pk
        _triggers(schema_editor, "workflows_auditevent", enable=True)
    anchors = list(ChainAnchor.objects.order_by("pk"))
    if anchors:
        _triggers(schema_editor, "workflows_chainanchor", enable=False)
        with connection.cursor() as cursor:
            for anchor in anchors:
                anchor.key_id, anchor.mac = key_id, anchor_mac(key, anchor.hash)
                cursor.execute("UPDATE workflows_chainanchor SET key_id = %s, mac = %s WHERE id = %s",
                               [anchor.key_id, anchor.mac, anchor.pk])
                copies.save(copies.record(
                    id=anchor.pk, created_at=anchor.created_at, prev_hash=anchor.prev_hash, hash=anchor.hash,
                    dossiers=anchor.dossiers, events=anchor.events, key_id=anchor.key_id, mac=anchor.mac,
                ))
        _triggers(schema_editor, "workflows_chainanchor", enable=True)


def install_truncate_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # workflows_refuse_audit_change() (0003) raises for any TG_OP, TRUNCATE included.
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION workflows_refuse_audit_change();"
        )


def uninstall_truncate_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")


class Migration(migrations.Migration):
    dependencies = [("workflows", "0014_used_form_token")]

    operations = [
        migrations.AddField(
            model_name="auditevent", name="key_id", field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent", name="mac", field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="chainanchor", name="key_id", field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="chainanchor", name="mac", field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(refuse_events_without_dossier, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(sign_existing_rows, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="auditevent", name="dossier",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="audit_events", to="workflows.dossier"),
        ),
        migrations.RunPython(install_truncate_trigger, uninstall_truncate_trigger, elidable=False),
    ]
