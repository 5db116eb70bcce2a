"""Proving the audit trail: walking the per-case hash chains, and anchoring their heads.

Each case (a dossier's, or any other audited record's: workflows.models.Case)
has its own chain (seq 1, 2, ...; every event's hash covers its canonical
content and the previous event's hash; the case row keeps the head). Writers of
unrelated cases therefore never wait on one global head. What one chain cannot
show is a rewrite of the whole chain including the head kept on the case row;
anchors close that gap: an anchor lists the heads of the chains that moved since
the previous anchor and hashes them together with the previous anchor's hash, so
the anchors form one chain over all cases.
"""

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import time
from collections import namedtuple
from dataclasses import dataclass, field, replace
from functools import reduce
from operator import or_

import orjson
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditEvent, Case, ChainAnchor, ChainAnchorHead, Dossier
from . import copies
from .keys import anchor_mac, event_mac, mac_function, signing_key, verifying_keys

GENESIS = "0" * 64

# What AuditEvent.canonical_bytes() reads, fetched as plain tuples rather than model
# instances or named rows (per-row Python is the walk's whole cost); the hash is
# still computed by the model's own canonical_bytes(), so there is one definition.
# The payload and the time come as text and are parsed here (orjson, fromisoformat):
# several times faster than the JSONField's json.loads and psycopg's Python-level
# timestamptz loader that Django installs.
EVENT_FIELDS = ("id", "case_id", "seq", "at_text", "actor_id", "actor_name", "role", "unit_id", "action",
                "target_type", "target_id", "from_state", "to_state", "payload_text", "prev_hash", "hash",
                "key_id", "mac")
_Row = namedtuple("_Row", EVENT_FIELDS)


def _load_payload(text):
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)  # integers beyond 64 bits, which orjson refuses


def _utc(at):
    """The stored time as the writer held it: aware, in UTC (SQLite keeps it naive UTC)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def _canonical(row):
    return AuditEvent.canonical_bytes(
        row.case_id, row.seq, _utc(dt.datetime.fromisoformat(row.at_text)), row.actor_id, row.actor_name,
        row.role, row.unit_id, row.action, row.target_type, row.target_id, row.from_state, row.to_state,
        _load_payload(row.payload_text), row.prev_hash,
    )


@dataclass(frozen=True)
class Break:
    """The first event (or anchor) found broken, and what is wrong with it."""

    problem: str
    case_id: int | None = None
    seq: int | None = None
    event_id: int | None = None
    anchor_id: int | None = None
    # What owns the case, for a reader looking for it: "dossier 12" (filled in by verify_chains).
    owner: str = ""

    def __str__(self):
        where = []
        if self.anchor_id is not None:
            where.append(_("anchor #%(id)s") % {"id": self.anchor_id})
        if self.case_id is not None:
            case = _("case %(id)s") % {"id": self.case_id}
            where.append(f"{case} ({self.owner})" if self.owner else case)
        if self.seq is not None:
            where.append(_("seq %(seq)s") % {"seq": self.seq})
        if self.event_id is not None:
            where.append(_("event id %(id)s") % {"id": self.event_id})
        return f"{', '.join(where)}: {self.problem}" if where else str(self.problem)


@dataclass
class Report:
    events: int = 0
    cases: int = 0
    anchors: int = 0
    anchored_heads: int = 0
    anchor_copies: int = 0
    seconds: float = 0.0
    broken: Break | None = None
    extra: dict = field(default_factory=dict)

    @property
    def intact(self):
        return self.broken is None

    @property
    def events_per_second(self):
        return self.events / self.seconds if self.seconds else float("inf")


class _Broken(Exception):
    def __init__(self, brk):
        super().__init__(str(brk))
        self.brk = brk


class _Heads:
    """The cases' recorded heads, streamed in primary-key order beside the events."""

    def __init__(self, chunk_size, bounds=(None, None)):
        self._rows = _stream(
            _in_range(Case.objects.all(), "pk", bounds).order_by("pk").values_list("pk", "audit_seq", "audit_head"),
            chunk_size, "heads",
        )
        self._pending = None
        self.count = 0

    def _next(self):
        if self._pending is not None:
            row, self._pending = self._pending, None
            return row
        row = next(self._rows, None)
        if row is not None:
            self.count += 1
        return row

    def advance_to(self, case_id):
        """The head row of `case_id` (or None); every case skipped must have no events."""
        while True:
            row = self._next()
            if row is None:
                return None
            pk, seq, head = row
            if case_id is not None and pk > case_id:
                self._pending = row
                return None
            if pk == case_id:
                return row
            if seq:
                raise _Broken(Break(
                    _("the case records %(n)s events (head %(head)s…) but none is left in the audit table: "
                      "its events were deleted") % {"n": seq, "head": head[:12]},
                    case_id=pk, seq=1,
                ))


def _check_head(heads, case_id, last):
    row = heads.advance_to(case_id)
    if row is None:
        raise _Broken(Break(_("events exist for a case that does not exist"),
                            case_id=case_id, seq=last.seq, event_id=last.id))
    _pk, head_seq, head_hash = row
    if last.seq < head_seq:
        raise _Broken(Break(
            _("the chain ends at seq %(last)s but the case's head is at seq %(head)s: the last events were "
              "deleted") % {"last": last.seq, "head": head_seq},
            case_id=case_id, seq=last.seq, event_id=last.id,
        ))
    if last.seq > head_seq:
        raise _Broken(Break(
            _("events go beyond the case's recorded head (seq %(head)s): appended outside the services")
            % {"head": head_seq},
            case_id=case_id, seq=head_seq + 1,
        ))
    if last.hash != head_hash:
        raise _Broken(Break(
            _("the last event's hash differs from the head recorded on the case: the chain was rewritten"),
            case_id=case_id, seq=last.seq, event_id=last.id,
        ))


def _check_event(event, expected_seq, prev, prev_event):
    if event.seq != expected_seq:
        if event.seq > expected_seq:
            problem = (_("seq jumps from %(prev)s to %(seq)s: %(n)s event(s) before this one were deleted")
                       % {"prev": expected_seq - 1, "seq": event.seq, "n": event.seq - expected_seq})
        else:
            problem = _("seq %(seq)s appears out of order (expected %(expected)s)") % {
                "seq": event.seq, "expected": expected_seq}
        raise _Broken(Break(problem, case_id=event.case_id, seq=event.seq, event_id=event.id))
    canonical = _canonical(event)
    if hashlib.sha256(canonical).hexdigest() != event.hash:
        raise _Broken(Break(
            _("its content or position no longer matches its hash: the row was altered or moved"),
            case_id=event.case_id, seq=event.seq, event_id=event.id,
        ))
    if event.prev_hash != prev:
        if prev_event is None:
            problem = _("the first event of the chain does not start from the genesis hash: events before it "
                        "were removed")
        else:
            problem = (_("it does not link to the previous event (seq %(seq)s, id %(id)s): an event was inserted, "
                         "replaced or reordered here")
                       % {"seq": prev_event.seq, "id": prev_event.id})
        raise _Broken(Break(problem, case_id=event.case_id, seq=event.seq, event_id=event.id))
    _check_mac(event, canonical)


def _check_mac(event, canonical):
    key = verifying_keys().get(event.key_id)
    if key is None:
        raise _Broken(Break(
            _("it is signed with key id %(kid)r, which is not among the audit keys (AUDIT_KEYS): written without "
              "the audit key, or that key was removed before its events stopped needing it") % {"kid": event.key_id},
            case_id=event.case_id, seq=event.seq, event_id=event.id,
        ))
    if event_mac(key, canonical) != event.mac:
        raise _Broken(Break(
            _("its MAC does not match its content: the event was written or rewritten by someone without the "
              "audit key"),
            case_id=event.case_id, seq=event.seq, event_id=event.id,
        ))


def _in_range(queryset, field_name, bounds):
    low, high = bounds
    if low is not None:
        queryset = queryset.filter(**{f"{field_name}__gte": low})
    if high is not None:
        queryset = queryset.filter(**{f"{field_name}__lt": high})
    return queryset


def _walk_range(bounds, chunk_size):
    """Walk the chains of the cases in [low, high): (events, cases, first Break or None).

    Named rows are built once per chain (its head check) and on the way to a break; per
    event the path compares plain tuple items, since per-row Python bounds the throughput.
    """
    heads = _Heads(chunk_size, bounds)
    rows = (
        _in_range(AuditEvent.objects.filter(case_id__isnull=False), "case_id", bounds)
        .annotate(at_text=Cast("at", TextField()), payload_text=Cast("payload", TextField()))
        # (case, seq) is unique (a constraint): a pk tie-break would only make
        # PostgreSQL re-sort the index's output, doubling the query's time.
        .order_by("case_id", "seq")
        .values_list(*EVENT_FIELDS)
    )
    rows = _stream(rows, chunk_size, "events")
    canonical, sha256, loads = AuditEvent.canonical_bytes, hashlib.sha256, orjson.loads
    macs = {kid: mac_function(key) for kid, key in verifying_keys().items()}
    parse_time, utc = dt.datetime.fromisoformat, dt.UTC
    events = 0
    current, expected, prev, last = None, 1, GENESIS, None
    # Events of one service call share their time: parse and format it once per run.
    last_at_text = at = None
    try:
        for row in rows:
            (_id, case_id, seq, at_text, actor_id, actor_name, role, unit_id, action, target_type, target_id,
             from_state, to_state, payload_text, prev_hash, hash_, key_id, mac) = row
            if case_id != current:
                if last is not None:
                    _check_head(heads, current, _Row._make(last))
                current, expected, prev, last = case_id, 1, GENESIS, None
            if at_text != last_at_text:
                parsed = parse_time(at_text)
                at, last_at_text = (parsed if parsed.tzinfo is utc else _utc(parsed)).isoformat(), at_text
            try:
                payload = loads(payload_text)
            except orjson.JSONDecodeError:
                payload = json.loads(payload_text)
            text = canonical(case_id, seq, at, actor_id, actor_name, role, unit_id, action, target_type,
                             target_id, from_state, to_state, payload, prev_hash)
            mac_of = macs.get(key_id)
            if (seq != expected or prev_hash != prev or sha256(text).hexdigest() != hash_
                    or mac_of is None or mac_of(text) != mac):
                _check_event(_Row._make(row), expected, prev, last and _Row._make(last))
            events += 1
            expected, prev, last = expected + 1, hash_, row
        if last is not None:
            _check_head(heads, current, _Row._make(last))
        heads.advance_to(None)  # every remaining case of the range must have no events
    except _Broken as exc:
        return events, heads.count, exc.brk
    return events, heads.count, None


def _stream(queryset, chunk_size, name):
    """The rows of a values_list() queryset, as plain tuples, a chunk at a time.

    On PostgreSQL they come straight from a named (server-side) cursor: Django's
    iterator costs about a quarter more per row, and the walk is bound by per-row work.
    """
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=chunk_size)
        return
    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    # Outside a transaction a server-side cursor must be declared WITH HOLD (as Django does).
    with connection.wrap_database_errors, connection.connection.cursor(
        name=f"audit_walk_{name}_{os.getpid()}", withhold=not connection.in_atomic_block
    ) as cursor:
        cursor.itersize = chunk_size
        cursor.execute(sql, params)
        yield from cursor


def _split(workers):
    """Case-id bounds cutting the walk into `workers` runs of about equal work.

    A case's work is its events plus its head check, weighed from the case rows
    (audit_seq + 1): balanced by events alone, thousands of one-event chains
    fell to one process, which then finished long after the other. Only the
    balance depends on audit_seq; every case id falls in exactly one range.
    """
    if workers < 2:
        return [(None, None)]
    weights = list(Case.objects.order_by("pk").values_list("pk", "audit_seq"))
    total = sum(seq + 1 for _pk, seq in weights)
    cuts, done, k = [], 0, 1
    if total >= 2 * workers:
        for pk, seq in weights:
            # The cases before this one hold more than the k-th share: cut here.
            if done > total * k // workers:
                cuts.append(pk)
                k += 1
                if k == workers:
                    break
            done += seq + 1
    edges = [None, *cuts, None]
    return list(zip(edges, edges[1:]))


def _walk_range_in_child(args):
    # Inside a transaction Django declares its server-side cursors without WITH HOLD,
    # so PostgreSQL streams the rows instead of materialising the whole result first.
    with transaction.atomic():
        return _walk_range(*args)


def default_workers():
    """One process per core; one inside a transaction (other connections could not see
    its rows) and on SQLite (a test's in-memory database lives in this process only)."""
    if connection.vendor == "sqlite" or connection.in_atomic_block:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(), 8))


def _check_orphans():
    """Events that belong to no case: the NOT NULL constraint refuses them, so one
    exists only if someone able to drop it wrote it; no chain would ever check it."""
    orphan = AuditEvent.objects.filter(case_id__isnull=True).order_by("pk").values_list("pk", "seq").first()
    if orphan is not None:
        raise _Broken(Break(
            _("it belongs to no case, so no chain covers it: it was inserted outside the services"),
            seq=orphan[1], event_id=orphan[0],
        ))


def _walk_events(report, chunk_size, workers):
    if workers > 1 and connection.in_atomic_block:
        workers = 1  # another connection would not see this transaction's rows
    ranges = _split(workers)
    if len(ranges) == 1:
        results = [_walk_range_in_child((ranges[0], chunk_size))]
    else:
        # Children get their own connections: close ours first so no child inherits
        # (and, on exit, tears down) a socket this process still uses.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:
            results = pool.map(_walk_range_in_child, [(bounds, chunk_size) for bounds in ranges])
    # Ranges ascend by case id: the first broken one holds the lowest broken case,
    # and the events before it are those of the intact ranges below plus its own good ones.
    for events, cases, broken in results:
        report.events += events
        report.cases += cases
        if broken is not None:
            raise _Broken(broken)


def anchor_hash(*, prev_hash, created_at, dossiers, events, lines):
    """The anchor's hash over its predecessor, time, counts and (case, seq, head) lines in case order.

    `dossiers` is the number of heads (cases): the name and the text hashed are those
    anchors had when only dossiers had chains, so every anchor kept outside still verifies."""
    digest = hashlib.sha256(f"{prev_hash}\n{created_at.isoformat()}\n{dossiers}\n{events}\n".encode())
    for case_id, seq, head in lines:
        digest.update(f"{case_id}:{seq}:{head}\n".encode())
    return digest.hexdigest()


def _check_anchor_heads(anchor, rows):
    wanted = {(d, s): h for d, s, h in rows}
    found = dict(
        ((d, s), h)
        for d, s, h in AuditEvent.objects.filter(reduce(or_, (Q(case_id=d, seq=s) for d, s in wanted)))
        .values_list("case_id", "seq", "hash")
    )
    for (case_id, seq), head in wanted.items():
        if (case_id, seq) not in found:
            raise _Broken(Break(_("the anchored event no longer exists"),
                                anchor_id=anchor.pk, case_id=case_id, seq=seq))
        if found[(case_id, seq)] != head:
            raise _Broken(Break(_("the event's hash differs from the one anchored: the chain was rewritten"),
                                anchor_id=anchor.pk, case_id=case_id, seq=seq))


def _walk_anchors(report, chunk_size):
    """Check every anchor, then compare them with their copies kept outside the database."""
    prev, keys, seen = GENESIS, verifying_keys(), {}
    for anchor in ChainAnchor.objects.order_by("pk").iterator(chunk_size=chunk_size):
        if anchor.prev_hash != prev:
            raise _Broken(Break(_("it does not link to the previous anchor: an anchor was removed or inserted"),
                                anchor_id=anchor.pk))
        digest = hashlib.sha256(
            f"{anchor.prev_hash}\n{anchor.created_at.isoformat()}\n{anchor.dossiers}\n{anchor.events}\n".encode()
        )
        batch, count = [], 0
        rows = (ChainAnchorHead.objects.filter(anchor=anchor).order_by("case_id")
                .values_list("case_id", "seq", "hash").iterator(chunk_size=chunk_size))
        for row in rows:
            digest.update(f"{row[0]}:{row[1]}:{row[2]}\n".encode())
            batch.append(row)
            count += 1
            if len(batch) >= 500:
                _check_anchor_heads(anchor, batch)
                batch = []
        if batch:
            _check_anchor_heads(anchor, batch)
        if count != anchor.dossiers or digest.hexdigest() != anchor.hash:
            raise _Broken(Break(_("its heads no longer match its hash: the anchor was altered"), anchor_id=anchor.pk))
        key = keys.get(anchor.key_id)
        if key is None or anchor_mac(key, anchor.hash) != anchor.mac:
            raise _Broken(Break(_("its MAC does not match its hash: the anchor was written or rewritten by someone "
                                  "without the audit key"), anchor_id=anchor.pk))
        report.anchors += 1
        report.anchored_heads += count
        prev = anchor.hash
        seen[anchor.pk] = anchor.hash
    _check_copies(report, seen, keys)


def _check_copies(report, seen, keys):
    kept = {}
    for name, rec in copies.load_all():
        if rec is None:
            raise _Broken(Break(_("the anchor copy %(name)s kept outside the database cannot be read")
                                % {"name": name}))
        key = keys.get(rec["key_id"])
        if key is None or anchor_mac(key, rec["hash"]) != rec["mac"]:
            raise _Broken(Break(_("its copy outside the database (%(name)s) has no valid MAC: it was not written "
                                  "with the audit key") % {"name": name}, anchor_id=rec["id"]))
        kept.setdefault(rec["id"], set()).add(rec["hash"])
        report.anchor_copies += 1
    for anchor_id, anchor_hash_ in seen.items():
        hashes = kept.pop(anchor_id, set())
        if anchor_hash_ in hashes:
            continue
        if hashes:
            raise _Broken(Break(
                _("it differs from its copy kept outside the database (hash %(kept)s…): the anchor was rewritten")
                % {"kept": min(hashes)[:16]}, anchor_id=anchor_id))
        raise _Broken(Break(
            _("it has no copy in the anchor storage (AUDIT_ANCHOR_DIR): the copy was deleted, or this process "
              "reads another storage than the one that anchored"), anchor_id=anchor_id))
    if kept:
        anchor_id = min(kept)
        raise _Broken(Break(
            _("it is kept outside the database (hash %(hash)s…) but missing from the database: %(n)s anchor(s) "
              "were deleted there") % {"hash": min(kept[anchor_id])[:16], "n": len(kept)}, anchor_id=anchor_id))


def _check_expected(hashes):
    """The anchors whose hashes someone kept must still be there (the walk checked they are valid)."""
    wanted = {h.strip().lower() for h in hashes}
    found = set(ChainAnchor.objects.filter(hash__in=wanted).values_list("hash", flat=True))
    for missing in sorted(wanted - found):
        raise _Broken(Break(
            _("no anchor has the hash %(hash)s that was kept outside: anchors were deleted or rewritten (or the "
              "hash was copied wrongly)") % {"hash": missing}))


def verify_chains(*, chunk_size=2000, workers=None, expect_anchor=None):
    """Walk every case's chain, then every anchor and its copy, in constant memory; stop at the first break.

    `expect_anchor`: hashes of anchors someone kept outside; each must still be there.

    The chains are split by case id over `workers` processes (default_workers()
    when None); the report is the one a single walk gives, the lowest broken case
    winning.
    """
    report = Report()
    started = time.perf_counter()
    if workers is None:
        workers = default_workers()
    try:
        _check_orphans()
        _walk_events(report, chunk_size, workers)
        _walk_anchors(report, chunk_size)
        if expect_anchor:
            _check_expected(expect_anchor)
    except _Broken as exc:
        report.broken = _with_owner(exc.brk)
    report.seconds = time.perf_counter() - started
    return report


def create_anchor():
    """Anchor the heads of the chains that moved since their last anchor; None when nothing moved.

    The anchor is signed with the audit key and its copy written to the anchor
    storage before the transaction commits (a storage failure writes no anchor);
    a copy whose transaction then fails is removed again.
    """
    written = []
    try:
        return _create_anchor(written)
    except BaseException:
        for name in written:
            copies.delete(name)
        raise


@transaction.atomic
def _create_anchor(written):
    """The anchor itself; the names of the copies it wrote go to `written`.

    A system job (run by `verify_audit --anchor` or a scheduler), not a user's
    action. Heads are read from the case rows; each pair (seq, head) is one
    committed state, so a chain advancing meanwhile is simply anchored next time.
    At most AUDIT_ANCHOR_MAX_HEADS heads go in one anchor, to bound memory;
    the rest wait for the next one.
    """
    limit = getattr(settings, "AUDIT_ANCHOR_MAX_HEADS", 50_000)
    # Anchors themselves form a chain: serialise their writers on the latest one.
    previous = ChainAnchor.objects.select_for_update().order_by("-pk").first()
    last_anchored = ChainAnchorHead.objects.filter(case=OuterRef("pk")).order_by("-seq").values("seq")[:1]
    lines = list(
        Case.objects.filter(audit_seq__gt=0)
        .annotate(anchored=Coalesce(Subquery(last_anchored), 0))
        .filter(audit_seq__gt=F("anchored"))
        .order_by("pk")
        .values_list("pk", "audit_seq", "audit_head")[:limit]
    )
    if not lines:
        return None
    created_at = timezone.now()
    prev_hash = previous.hash if previous else GENESIS
    events = sum(seq for _pk, seq, _head in lines)
    digest = anchor_hash(prev_hash=prev_hash, created_at=created_at, dossiers=len(lines), events=events,
                         lines=lines)
    key_id, key = signing_key()
    anchor = ChainAnchor.objects.create(
        created_at=created_at, prev_hash=prev_hash, dossiers=len(lines), events=events, hash=digest,
        key_id=key_id, mac=anchor_mac(key, digest),
    )
    ChainAnchorHead.objects.bulk_create(
        [ChainAnchorHead(anchor=anchor, case_id=pk, seq=seq, hash=head) for pk, seq, head in lines],
        batch_size=2000,
    )
    written.append(copies.save(copies.record(
        id=anchor.pk, created_at=created_at, prev_hash=prev_hash, hash=digest, dossiers=anchor.dossiers,
        events=events, key_id=key_id, mac=anchor.mac,
    )))
    return anchor


def anchor_covering(case_id, action="decide"):
    """The first anchor covering the case's chain at or after its first `action` event, or None
    (not anchored yet): its hash, printed on the decision's certificates, is one a holder keeps."""
    seq = (AuditEvent.objects.filter(case_id=case_id, action=action).order_by("seq")
           .values_list("seq", flat=True).first())
    if seq is None:
        return None
    head = (ChainAnchorHead.objects.filter(case_id=case_id, seq__gte=seq).order_by("seq")
            .select_related("anchor").first())
    return head.anchor if head else None


def _with_owner(brk):
    """The break, naming what owns its case ("dossier 12"): one query, on a break only."""
    if brk.case_id is None:
        return brk
    dossier_id = Dossier.objects.filter(case_id=brk.case_id).values_list("pk", flat=True).first()
    if dossier_id is not None:
        owner = _("dossier %(id)s") % {"id": dossier_id}
    else:
        kind = Case.objects.filter(pk=brk.case_id).values_list("kind", flat=True).first()
        owner = kind or ""
    return replace(brk, owner=owner)
