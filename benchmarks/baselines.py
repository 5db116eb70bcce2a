"""What the engine is compared with: raw SQL doing the same writes, and the naive ORM path.

The raw SQL baselines write the same rows as the services (nominations, meeting,
decision, awards, hash-chained audit events, dossier head, outbox rows, the
viewflow task hand-over) with multi-row statements, but skip everything that is
not a write: permission checks, rule-set validation, FSM checks, messages. The
ratio engine / raw SQL is therefore the price of those checks plus the ORM.
"""

import datetime
import hashlib
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from guardian.models import GroupObjectPermission

from directory.models import Household, Unit
from directory.selectors import require_acting
from notifications.models import ChannelPreference, Notification
from titles.models import Award
from workflows.audit.keys import event_mac, signing_key
from workflows.models import (
    AuditEvent, Case, Decision, Dossier, Meeting, Nomination, NominationState,
)
from workflows.services.audit import AuditTrail

CHUNK = 500
T_DOSSIER = Dossier._meta.db_table
T_CASE = Case._meta.db_table
T_NOM = Nomination._meta.db_table
T_HH = Household._meta.db_table
T_AUDIT = AuditEvent._meta.db_table
T_MEETING = Meeting._meta.db_table
T_DECISION = Decision._meta.db_table
T_AWARD = Award._meta.db_table
T_NOTE = Notification._meta.db_table


def _dt(value):
    return connection.ops.adapt_datetimefield_value(value)


def _for_update():
    return " FOR UPDATE" if connection.vendor == "postgresql" else ""


def insert_rows(cursor, table, columns, rows):
    """COPY on PostgreSQL, multi-row INSERT in chunks elsewhere: what a careful hand-written bulk write does.

    (A multi-row INSERT through Django's cursor spends most of its time in psycopg's
    client-side placeholder parsing, which would flatter the engine.)"""
    rows = list(rows)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        values = ",".join(["(" + ",".join(["%s"] * len(columns)) + ")"] * len(chunk))
        cursor.execute(f"INSERT INTO {table} ({','.join(columns)}) VALUES {values}",
                       [v for row in chunk for v in row])


def update_from_values(cursor, table, columns, rows):
    """UPDATE ... FROM (VALUES ...) keyed by id; column1 is the id (PostgreSQL and SQLite name them so)."""
    rows = list(rows)
    if connection.vendor == "postgresql":
        # COPY into a temporary table, then one UPDATE ... FROM it.
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS bench_upd_{table} ON COMMIT DROP AS "
                       f"SELECT id, {', '.join(columns)} FROM {table} WITH NO DATA")
        cursor.execute(f"TRUNCATE bench_upd_{table}")
        with cursor.cursor.copy(f"COPY bench_upd_{table} (id, {', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        sets = ", ".join(f"{col} = v.{col}" for col in columns)
        cursor.execute(f"UPDATE {table} SET {sets} FROM bench_upd_{table} AS v WHERE {table}.id = v.id")
        return
    sets = ", ".join(f"{col} = v.column{i + 2}" for i, col in enumerate(columns))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        values = ",".join(["(" + ",".join(["%s"] * (len(columns) + 1)) + ")"] * len(chunk))
        cursor.execute(f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                       [v for row in chunk for v in row])


class RawChain:
    """Hash-chained audit rows, hashed like AuditEvent.canonical, written in one statement."""

    COLUMNS = ["case_id", "seq", "at", "actor_id", "actor_name", "role", "unit_id", "action", "target_type",
               "target_id", "from_state", "to_state", "payload", "prev_hash", "hash", "key_id", "mac"]

    def __init__(self, cursor, dossier_id, *, actor, role, unit_id):
        # The dossier and its case (which owns the chain) locked in one statement, as lock_dossier does.
        lock = " FOR UPDATE OF d, c" if connection.vendor == "postgresql" else ""
        cursor.execute(f"SELECT c.id, c.audit_seq, c.audit_head FROM {T_DOSSIER} d JOIN {T_CASE} c "
                       f"ON c.id = d.case_id WHERE d.id = %s{lock}", [dossier_id])
        self.case_id, self.seq, self.head = cursor.fetchone()
        self.cursor, self.dossier_id = cursor, dossier_id
        self.actor, self.role, self.unit_id = actor, role, unit_id
        self.at = timezone.now()
        self.rows = []

    def add(self, action, target_type, target_id, from_state="", to_state="", **payload):
        self.seq += 1
        payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
        canonical = json.dumps(
            {"dossier": self.case_id, "seq": self.seq, "at": self.at.isoformat(), "actor": self.actor.pk,
             "actor_name": self.actor.username, "role": self.role, "unit": self.unit_id, "action": action,
             "target_type": target_type, "target_id": target_id, "from": from_state, "to": to_state,
             "payload": payload, "prev": self.head},
            sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        key_id, key = signing_key()
        self.rows.append((self.case_id, self.seq, _dt(self.at), self.actor.pk, self.actor.username, self.role,
                          self.unit_id, action, target_type, target_id, from_state, to_state,
                          json.dumps(payload), self.head, digest, key_id, event_mac(key, canonical.encode())))
        self.head = digest

    def flush(self, dossier_sets="", params=()):
        insert_rows(self.cursor, T_AUDIT, self.COLUMNS, self.rows)
        self.cursor.execute(
            f"UPDATE {T_CASE} SET audit_seq = %s, audit_head = %s, revision = revision + 1 WHERE id = %s",
            [self.seq, self.head, self.case_id])
        if dossier_sets:
            self.cursor.execute(f"UPDATE {T_DOSSIER} SET {dossier_sets} WHERE id = %s", [*params, self.dossier_id])
        self.rows = []


def _outcome(votes_for, votes_against):
    # The 2025 rule set has no approval threshold: the meeting agrees when for > against.
    if votes_for > votes_against:
        return NominationState.PROPOSED, ""
    return NominationState.NOT_PROPOSED, f"{votes_for} for and {votes_against} against: the meeting did not agree."


def raw_meeting(*, actor, dossier_id, unit_id, held_on, invited, present, votes, submission_due):
    with transaction.atomic(), connection.cursor() as cursor:
        chain = RawChain(cursor, dossier_id, actor=actor, role="hamlet_head", unit_id=unit_id)
        cursor.execute(f"SELECT n.id, n.state, h.id, h.phone, h.head_name FROM {T_NOM} n "
                       f"JOIN {T_HH} h ON h.id = n.household_id "
                       f"WHERE n.dossier_id = %s AND n.state IN (%s, %s, %s)",
                       [dossier_id, "registered", "proposed", "not_proposed"])
        updates, proposed, outcomes = [], 0, []
        for pk, before, hh, phone, name in cursor.fetchall():
            votes_for, votes_against = votes[pk]
            state, reason = _outcome(votes_for, votes_against)
            proposed += state == NominationState.PROPOSED
            updates.append((pk, state, votes_for, votes_against, "", reason))
            outcomes.append((hh, phone, f"The review meeting proposed the household of {name}." if not reason
                             else f"The review meeting did not propose the household of {name}. {reason}"))
            chain.add("meeting_vote", "nomination", pk, before, state, votes_for=votes_for,
                      votes_against=votes_against, exclusion="", reason=reason)
        cursor.execute(
            f"INSERT INTO {T_MEETING} (dossier_id, held_on, invited, present, method, chaired_by, minutes, "
            f"recorded_by_id, recorded_at) VALUES (%s, %s, %s, %s, %s, '', '', %s, %s)",
            [dossier_id, held_on, invited, present, "show_of_hands", actor.pk, _dt(timezone.now())])
        update_from_values(cursor, T_NOM, ["state", "votes_for", "votes_against", "exclusion", "reason"], updates)
        chain.add("record_meeting", "dossier", dossier_id, "open", "reviewed", held_on=held_on, invited=invited,
                  present=present, method="show_of_hands", minutes="", proposed=proposed,
                  not_proposed=len(updates) - proposed)
        chain.flush("state = %s, submission_due = %s", ["reviewed", submission_due])
        raw_notify_households(cursor, chain, "review_outcome", outcomes)


def naive_meeting(*, actor, dossier, held_on, invited, present, votes):
    """One transaction per household: lock, permission, load, transition, save, one audit row."""
    ids = list(dossier.nominations.values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().select_related("unit", "case").get(pk=dossier.pk)
            acting = require_acting(actor, locked.unit, "record_review")
            nomination = Nomination.objects.select_related("household").get(pk=pk)
            votes_for, votes_against = votes[pk]
            before = nomination.state
            nomination.votes_for, nomination.votes_against = votes_for, votes_against
            if votes_for > votes_against:
                nomination.propose()
            else:
                nomination.reason = f"{votes_for} for and {votes_against} against"
                nomination.decline()
            nomination.save()
            trail = AuditTrail(locked.case, acting)
            trail.add(action="meeting_vote", target=nomination, from_state=before, to_state=nomination.state,
                      votes_for=votes_for, votes_against=votes_against)
            trail.flush()
            locked.case.save(update_fields=["audit_seq", "audit_head"])
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        Meeting.objects.create(dossier=locked, held_on=held_on, invited=invited, present=present,
                               method="show_of_hands", recorded_by=actor)
        locked.record_meeting()
        locked.save(update_fields=["state"])


def _recipients(unit_id, codename):
    """Users holding `codename` on the unit through a membership group (what the outbox addresses)."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission

    from directory.models import Unit

    groups = GroupObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Unit), object_pk=str(unit_id),
        permission__codename=codename).values("group_id")
    return list(get_user_model().objects.filter(groups__in=groups, is_active=True).distinct()
                .values_list("pk", flat=True))


def model_rows(model, rows):
    """Columns and values for `rows` (dicts) of `model`, every other field at its default.

    Read from the model so the baseline follows schema changes (the outbox is still growing)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    now = timezone.now()
    out = []
    for values in rows:
        row = []
        for f in fields:
            if f.attname in values:
                value = values[f.attname]
            elif getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
                value = now
            else:
                value = f.get_default()
            row.append(f.get_db_prep_save(value, connection))
        out.append(row)
    return columns, out


def raw_notify(cursor, chain, recipients, text):
    """In-app notifications about the chain's dossier, on its case (the engine's Notification.case)."""
    dossier_id, case_id = chain.dossier_id, chain.case_id
    event = f"dossier:{dossier_id}:{text[:40]}"
    rows = [{"recipient_id": pk, "case_id": case_id, "text": text, "url": f"/dossiers/{dossier_id}/",
             "recipient_key": f"u:{pk}", "event": event} for pk in recipients]
    if not rows:
        return
    insert_rows(cursor, T_NOTE, *model_rows(Notification, rows))
    delivery = _delivery_model()
    if delivery is not None:
        # The outbox carries one in-app delivery row per notification (when that model exists).
        cursor.execute(f"SELECT id FROM {T_NOTE} WHERE case_id = %s AND event = %s", [case_id, event])
        insert_rows(cursor, delivery._meta.db_table, *model_rows(
            delivery, [{"notification_id": pk, "channel": "in_app"} for (pk,) in cursor.fetchall()]))


def raw_notify_households(cursor, chain, kind, items):
    """One SMS notification and its delivery per household with a phone: items are (household id, phone, text)."""
    items = [item for item in items if item[1]]
    if not items:
        return
    event = f"raw:{chain.dossier_id}:{kind}:{timezone.now().timestamp()}"
    insert_rows(cursor, T_NOTE, *model_rows(Notification, [
        {"household_id": hh, "case_id": chain.case_id, "text": text, "recipient_key": f"h:{hh}", "event": event,
         "kind": kind} for hh, _phone, text in items]))
    delivery = _delivery_model()
    if delivery is not None:
        cursor.execute(f"SELECT id, household_id FROM {T_NOTE} WHERE event = %s", [event])
        phones = {hh: phone for hh, phone, _text in items}
        insert_rows(cursor, delivery._meta.db_table, *model_rows(delivery, [
            {"notification_id": pk, "channel": "sms", "address": phones[hh]} for pk, hh in cursor.fetchall()]))


def _delivery_model():
    from django.apps import apps

    try:
        return apps.get_model("notifications", "Delivery")
    except LookupError:
        return None


def raw_complete_task(cursor, process_id, next_task=None):
    """The viewflow hand-over: close the open task, open the next one (or finish the process)."""
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.token import Token

    t_task, t_proc = Task._meta.db_table, Process._meta.db_table
    now = _dt(timezone.now())
    cursor.execute(f"UPDATE {t_task} SET status = 'DONE', finished = %s WHERE process_id = %s AND status = 'NEW'",
                   [now, process_id])
    if next_task is None:
        cursor.execute(f"UPDATE {t_proc} SET status = 'DONE', finished = %s WHERE id = %s", [now, process_id])
    else:
        flow_task, permission, obj_pk, ct_id = next_task
        insert_rows(cursor, t_task, *model_rows(Task, [{
            "process_id": process_id, "flow_task": flow_task, "flow_task_type": "HUMAN", "status": "NEW",
            "owner_permission": permission, "owner_permission_obj_pk": obj_pk,
            "owner_permission_content_type_id": ct_id, "token": Token("start")}]))


def raw_decide(*, actor, dossier, number, signed_on, signer, recipients):
    with transaction.atomic(), connection.cursor() as cursor:
        chain = RawChain(cursor, dossier.pk, actor=actor, role="commune_chair", unit_id=dossier.deciding_unit_id)
        now = _dt(timezone.now())
        cursor.execute(
            f"INSERT INTO {T_DECISION} (dossier_id, unit_id, number, signed_on, signer, recorded_by_id, "
            f"recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [dossier.pk, dossier.deciding_unit_id, number, signed_on, signer, actor.pk, now])
        cursor.execute(f"SELECT id FROM {T_DECISION} WHERE unit_id = %s AND number = %s",
                       [dossier.deciding_unit_id, number])
        decision_id = cursor.fetchone()[0]
        cursor.execute(f"SELECT n.id, n.household_id, h.phone, h.head_name FROM {T_NOM} n "
                       f"JOIN {T_HH} h ON h.id = n.household_id WHERE n.dossier_id = %s AND n.state = %s",
                       [dossier.pk, "accepted"])
        accepted_rows = cursor.fetchall()
        accepted = [(pk, hh) for pk, hh, _phone, _name in accepted_rows]
        cursor.execute(f"UPDATE {T_NOM} SET state = %s WHERE dossier_id = %s AND state = %s",
                       ["recognized", dossier.pk, "accepted"])
        insert_rows(cursor, T_AWARD, ["title_type_id", "year", "household_id", "nomination_id", "decision_id",
                                      "certificate_code", "revocation_reason"],
                    [(dossier.title_type_id, dossier.year, hh, pk, decision_id, f"R{pk:015d}", "")
                     for pk, hh in accepted])
        for pk, _hh in accepted:
            chain.add("recognize", "nomination", pk, "accepted", "recognized", decision=number)
        chain.add("decide", "dossier", dossier.pk, "appraised", "decided", decision=number, signed_on=signed_on,
                  signer=signer, recognized=len(accepted), late=False)
        chain.flush("state = %s", ["decided"])
        raw_complete_task(cursor, dossier.process_id)
        raw_notify(cursor, chain, recipients, f"Decision {number} recognizes {len(accepted)} households.")
        raw_notify_households(cursor, chain, "recognized", [
            (hh, phone, f"Decision {number} recognizes the household of {name}.")
            for _pk, hh, phone, name in accepted_rows])


def bench_user(username):
    return get_user_model().objects.get(username=username)


def today_in(year):
    return min(datetime.date(year, 12, 31), timezone.localdate())


# ---------------------------------------------------------------- the hamlet title: a commune lists its hamlets

T_UNIT = Unit._meta.db_table


def _hamlet_outcome(votes_for, votes_against, present, approval_pct):
    """The rule set's test as the engine applies it: a share of attendees, or more for than against."""
    if approval_pct is not None:
        if votes_for * 100 >= approval_pct * present:
            return NominationState.PROPOSED, ""
        return NominationState.NOT_PROPOSED, f"{votes_for} of {present} attendees agreed."
    return _outcome(votes_for, votes_against)


def raw_hamlet_meeting(*, actor, role, dossier_id, unit_id, held_on, invited, present, votes, submission_due,
                       approval_pct):
    """The commune meeting of the hamlet title: the same rows as record_meeting writes (meeting,
    nominations, hash-chained events, dossier state, deadline and counter, and each hamlet's
    outcome to the holders of its roles, in the app: a hamlet has no phone)."""
    with transaction.atomic(), connection.cursor() as cursor:
        chain = RawChain(cursor, dossier_id, actor=actor, role=role, unit_id=unit_id)
        cursor.execute(f"SELECT n.id, n.state, u.id, u.name FROM {T_NOM} n JOIN {T_UNIT} u ON u.id = n.hamlet_id "
                       f"WHERE n.dossier_id = %s AND n.state IN (%s, %s, %s)",
                       [dossier_id, "registered", "proposed", "not_proposed"])
        updates, proposed, was_proposed, outcomes = [], 0, 0, []
        for pk, before, hamlet, name in cursor.fetchall():
            votes_for, votes_against = votes[pk]
            state, reason = _hamlet_outcome(votes_for, votes_against, present, approval_pct)
            proposed += state == NominationState.PROPOSED
            was_proposed += before == NominationState.PROPOSED
            updates.append((pk, state, votes_for, votes_against, "", reason))
            outcomes.append((hamlet, f"The meeting proposed {name}." if not reason
                             else f"The meeting did not propose {name}. Reason: {reason}"))
            chain.add("meeting_vote", "nomination", pk, before, state, votes_for=votes_for,
                      votes_against=votes_against, exclusion="", reason=reason)
        cursor.execute(
            f"INSERT INTO {T_MEETING} (dossier_id, held_on, invited, present, method, chaired_by, minutes, "
            f"recorded_by_id, recorded_at) VALUES (%s, %s, %s, %s, %s, '', '', %s, %s) RETURNING id",
            [dossier_id, held_on, invited, present, "show_of_hands", actor.pk, _dt(timezone.now())])
        meeting_id = cursor.fetchone()[0]
        update_from_values(cursor, T_NOM, ["state", "votes_for", "votes_against", "exclusion", "reason"], updates)
        chain.add("record_meeting", "dossier", dossier_id, "open", "reviewed", meeting=meeting_id, held_on=held_on,
                  invited=invited, present=present, method="show_of_hands", minutes="", proposed=proposed,
                  not_proposed=len(updates) - proposed)
        chain.flush("state = %s, submission_due = %s, proposed_count = proposed_count + %s",
                    ["reviewed", submission_due, proposed - was_proposed])
        raw_notify_hamlets(cursor, chain, "review_outcome", outcomes)


def raw_hamlet_decide(*, actor, role, dossier, number, signed_on, signer, recipients):
    """The district decision over a commune's hamlets: decision, nominations, awards naming the
    hamlet, hash-chained events, dossier state and counters (the roll counted as the engine does),
    viewflow hand-over, in-app messages to everyone involved and to each recognized hamlet's holders."""
    with transaction.atomic(), connection.cursor() as cursor:
        chain = RawChain(cursor, dossier.pk, actor=actor, role=role, unit_id=dossier.deciding_unit_id)
        cursor.execute(
            f"INSERT INTO {T_DECISION} (dossier_id, unit_id, number, signed_on, signer, recorded_by_id, "
            f"recorded_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [dossier.pk, dossier.deciding_unit_id, number, signed_on, signer, actor.pk, _dt(timezone.now())])
        decision_id = cursor.fetchone()[0]
        cursor.execute(f"SELECT n.id, n.hamlet_id, u.name FROM {T_NOM} n JOIN {T_UNIT} u ON u.id = n.hamlet_id "
                       f"WHERE n.dossier_id = %s AND n.state = %s", [dossier.pk, "accepted"])
        accepted_rows = cursor.fetchall()
        accepted = [(pk, hamlet) for pk, hamlet, _name in accepted_rows]
        cursor.execute(f"UPDATE {T_NOM} SET state = %s WHERE dossier_id = %s AND state = %s",
                       ["recognized", dossier.pk, "accepted"])
        insert_rows(cursor, T_AWARD, ["title_type_id", "year", "hamlet_id", "nomination_id", "decision_id",
                                      "certificate_code", "revocation_reason"],
                    [(dossier.title_type_id, dossier.year, hamlet, pk, decision_id, f"R{pk:015d}", "")
                     for pk, hamlet in accepted])
        for pk, _hamlet in accepted:
            chain.add("recognize", "nomination", pk, "accepted", "recognized", decision=number)
        cursor.execute(f"SELECT count(*) FROM {T_UNIT} WHERE parent_id = %s AND level = %s AND valid_from <= %s "
                       f"AND (valid_to IS NULL OR valid_to >= %s)", [dossier.unit_id, "hamlet", signed_on, signed_on])
        roll = cursor.fetchone()[0]
        chain.add("decide", "dossier", dossier.pk, "appraised", "decided", decision=number, signed_on=signed_on,
                  signer=signer, recognized=len(accepted), late=False, households_on_roll=roll)
        chain.flush("state = %s, recognized_count = recognized_count + %s, households_on_roll = %s",
                    ["decided", len(accepted), roll])
        raw_complete_task(cursor, dossier.process_id)
        raw_notify(cursor, chain, recipients, f"Decision {number} recognizes {len(accepted)} hamlets.")
        raw_notify_hamlets(cursor, chain, "recognized", [
            (hamlet, f"Decision {number} recognizes {name}.") for _pk, hamlet, name in accepted_rows])


def recipients_of(pairs):
    """Users holding each (unit id, codename) through a membership group, without duplicates."""
    users = set()
    for unit_id, codename in pairs:
        users.update(_recipients(unit_id, codename))
    return sorted(users)



def insert_rows_returning_ids(cursor, model, rows):
    """Insert `rows` (dicts) of `model` and return their ids in order: on PostgreSQL ids drawn from
    the sequence in one statement and the rows COPYed with them, elsewhere INSERT ... RETURNING."""
    columns, values = model_rows(model, rows)
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [table, len(values)])
        ids = [pk for (pk,) in cursor.fetchall()]
        insert_rows(cursor, table, ["id", *columns], [(pk, *row) for pk, row in zip(ids, values)])
        return ids
    ids = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start:start + CHUNK]
        marks = ",".join(["(" + ",".join(["%s"] * len(columns)) + ")"] * len(chunk))
        cursor.execute(f"INSERT INTO {table} ({','.join(columns)}) VALUES {marks} RETURNING id",
                       [v for row in chunk for v in row])
        ids += [pk for (pk,) in cursor.fetchall()]
    return ids


def raw_notify_hamlets(cursor, chain, kind, items):
    """A hamlet is told through the holders of its roles: one in-app notification and its delivery
    per (hamlet, holder of view_unit_dossiers on it); items are (hamlet id, text)."""
    dossier_id = chain.dossier_id
    if not items:
        return
    # The holders with their address and channel preference, in one statement.
    cursor.execute(
        f"SELECT g.object_pk, u.id, u.email, c.email, c.sms, c.phone FROM {GroupObjectPermission._meta.db_table} g "
        f"JOIN {Permission._meta.db_table} p ON p.id = g.permission_id "
        f"JOIN {get_user_model().groups.through._meta.db_table} l ON l.group_id = g.group_id "
        f"JOIN {get_user_model()._meta.db_table} u ON u.id = l.user_id AND u.is_active "
        f"LEFT JOIN {ChannelPreference._meta.db_table} c ON c.user_id = u.id "
        f"WHERE g.content_type_id = %s AND p.codename = %s AND g.object_pk IN ({','.join(['%s'] * len(items))})",
        [ContentType.objects.get_for_model(Unit).pk, "view_unit_dossiers", *(str(h) for h, _text in items)])
    holders = {}
    for object_pk, *user in cursor.fetchall():
        holders.setdefault(int(object_pk), []).append(user)
    event = f"raw:{dossier_id}:{kind}:{timezone.now().timestamp()}"
    recipients = [user for hamlet, _text in items for user in holders.get(hamlet, ())]
    ids = insert_rows_returning_ids(cursor, Notification, [
        {"recipient_id": user[0], "case_id": chain.case_id, "text": text, "url": f"/dossiers/{dossier_id}/",
         "recipient_key": f"u:{user[0]}", "event": f"{event}:{hamlet}", "kind": kind}
        for hamlet, text in items for user in holders.get(hamlet, ())])
    deliveries = []
    for pk, (_user, email, by_email, by_sms, phone) in zip(ids, recipients):
        deliveries.append({"notification_id": pk, "channel": "in_app"})
        if email and by_email is not False:
            deliveries.append({"notification_id": pk, "channel": "email", "address": email})
        if by_sms and phone:
            deliveries.append({"notification_id": pk, "channel": "sms", "address": phone})
    delivery = _delivery_model()
    if deliveries and delivery is not None:
        insert_rows(cursor, delivery._meta.db_table, *model_rows(delivery, deliveries))
