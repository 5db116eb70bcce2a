"""Writing many rows of one table at once: the hot path of every batch transition.

A meeting settles hundreds of households, a decision thousands: each writes one
audit event, one nomination update and one SMS outbox row per household.
Django's bulk_create/bulk_update build one SQL text holding every value, which
the driver then quotes value by value in Python: at 45,000 households a district
spent most of its annual cycle there. On PostgreSQL these helpers stream the rows
with COPY (psycopg adapts them in C) and take new ids from the table's sequence
in one query; elsewhere (SQLite, the local default) they fall back to the ORM.

Rows are plain dicts keyed by attname with Python values; no model signal is sent,
as with bulk_create. Each call is a constant number of statements, whatever the
number of rows. COPY does not pass through Django's query log, so query counters
see only the sequence query and the UPDATE (and the temporary table an update
of differing values is copied into).
"""

import itertools
from functools import partial

import orjson
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

_temp_tables = itertools.count(1)
_sequences = {}


def _postgres():
    return connection.vendor == "postgresql"


def _copy(cursor, table, columns, rows):
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    # Raw psycopg: Django's error wrapper is applied by hand, so a unique violation
    # is still an IntegrityError to the services.
    with connection.wrap_database_errors, \
            cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _filled_columns(model, given):
    """Every concrete column the rows do not give, with the value the ORM would have used."""
    now = timezone.now()
    filled = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            filled[field.attname] = now
        else:  # the default, or "" / None as the ORM would store for a field without one
            filled[field.attname] = field.get_default()
    return filled


def _adapter(field):
    if isinstance(field, models.JSONField):
        # orjson writes what json.dumps would (and refuses what it would refuse), faster.
        return partial(Jsonb, dumps=_json_bytes)
    return None


def _json_bytes(value):
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def _sequence(cursor, model):
    table = model._meta.db_table
    if table not in _sequences:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])
        _sequences[table] = cursor.fetchone()[0]
    return _sequences[table]


def new_ids(counts):
    """{model: count} -> {model: [count new ids, ascending]}, drawn from each table's sequence in
    one statement, for rows of several tables written together (a notification and its
    deliveries); None off PostgreSQL, where insert() returns the ids instead."""
    counts = {model: n for model, n in counts.items() if n}
    if not _postgres():
        return None
    if not counts:
        return {}
    models = list(counts)
    with connection.cursor() as cursor:
        branches = " UNION ALL ".join(
            "SELECT %s, nextval(%s) FROM generate_series(1, %s)" for _model in models)
        cursor.execute(branches, [v for i, model in enumerate(models)
                                  for v in (i, _sequence(cursor, model), counts[model])])
        drawn = {model: [] for model in models}
        for i, pk in cursor.fetchall():
            drawn[models[i]].append(pk)
    return {model: sorted(pks) for model, pks in drawn.items()}


def insert(model, rows, *, ids=True):
    """Insert `rows` (dicts of attname -> value, all with the same keys); return their new ids in order.

    `ids=False` when the caller needs none (audit events, awards): the column default draws
    them inside the COPY, one round trip fewer, and None is returned. `ids` may also be the
    rows' ids, drawn beforehand by new_ids() (PostgreSQL)."""
    if not rows:
        return [] if ids else None
    if not _postgres():
        objs = model.objects.bulk_create([model(**row) for row in rows])
        return [obj.pk for obj in objs] if ids else None
    given = list(rows[0])
    filled = _filled_columns(model, set(given))
    fields = [model._meta.get_field(name) for name in given] + [model._meta.get_field(n) for n in filled]
    adapters = [_adapter(f) for f in fields]
    pk = model._meta.pk
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if isinstance(ids, list):
            drawn = ids
        elif ids:
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_sequence(cursor, model), len(rows)])
            drawn = [r[0] for r in cursor.fetchall()]
        constant = tuple(
            (adapt(v) if adapt else v) for v, adapt in zip(filled.values(), adapters[len(given):])
        )
        adapters = adapters[: len(given)]
        if any(adapters):
            def values(row):
                return tuple((adapt(row[k]) if adapt else row[k]) for k, adapt in zip(given, adapters))
        else:
            def values(row):
                return tuple(row[k] for k in given)
        if not ids:
            _copy(cursor, table, [f.column for f in fields], ((*values(row), *constant) for row in rows))
            return None
        _copy(cursor, table, [pk.column, *(f.column for f in fields)],
              ((pk_value, *values(row), *constant) for pk_value, row in zip(drawn, rows)))
    return drawn


def _shared_values(objs, concrete):
    """The one tuple of values all `objs` have in `concrete`, or None when they differ."""
    first = tuple(getattr(objs[0], f.attname) for f in concrete)
    for obj in objs:
        if tuple(getattr(obj, f.attname) for f in concrete) != first:
            return None
    return first


def update(objs, fields):
    """Write `fields` of already loaded model instances in one UPDATE."""
    if not objs:
        return
    model = type(objs[0])
    if not _postgres():
        # Every row exists, so the upsert always takes its UPDATE path: linear, unlike
        # bulk_update's CASE WHEN per row and field.
        model.objects.bulk_create(objs, update_conflicts=True, unique_fields=[model._meta.pk.name],
                                    update_fields=fields)
        return
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    shared = _shared_values(objs, concrete)
    if shared is not None:
        # Every row gets the same values (a decision recognizes every accepted nomination):
        # one UPDATE by an array of ids, without a temporary table to fill and join.
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in concrete)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = ANY(%s)",
                [*(f.get_db_prep_save(v, connection) for f, v in zip(concrete, shared)), [obj.pk for obj in objs]],
            )
        return
    temp = f"bulk_update_{next(_temp_tables)}"
    columns = ", ".join(
        f"{quote(f.column)} {f.db_type(connection)}" for f in [meta.pk, *concrete]
    )
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # Dropped at commit; a unique name per call, since several updates can share a transaction.
        cursor.execute(f"CREATE TEMPORARY TABLE {temp} ({columns}) ON COMMIT DROP")
        _copy(cursor, temp, [meta.pk.column, *(f.column for f in concrete)],
              ((obj.pk, *(getattr(obj, f.attname) for f in concrete)) for obj in objs))
        assignments = ", ".join(f"{quote(f.column)} = u.{quote(f.column)}" for f in concrete)
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} AS t SET {assignments} FROM {temp} AS u "
            f"WHERE t.{quote(meta.pk.column)} = u.{quote(meta.pk.column)}"
        )
