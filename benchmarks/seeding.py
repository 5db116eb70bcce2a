"""Synthetic but realistic bench data, streamed commune by commune (bounded memory).

Everything lives under one province whose unit codes start with the scale's prefix
(BENCHS, BENCHD, BENCHP), apart from demo data; a re-run reuses what is complete.

Two kinds of rows are written here:
- the tree, households and people with roles: plain master data (memberships go
  through directory.services.grant_membership, like the demo);
- past years' dossiers, nominations, decisions and awards ("history"), and the
  pending dossiers of the inbox measurement: fixtures for READS, inserted with
  bulk_create. They are not transitions and never stand in for one; every
  measured write goes through workflows.services.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from guardian.models import GroupObjectPermission, UserObjectPermission

from directory.models import (
    ROLE_PERMISSIONS, Household, Level, Membership, Role, Unit, UnitKind, membership_group_name,
)
from directory.services import apply_membership_dates, grant_membership
from notifications.models import Notification
from titles.models import Award, RuleSet, TitleType
from workflows.models import Case, CaseKind, Decision, Dossier, DossierState, Nomination, NominationState

from .scales import history_years

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Kim"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khánh",
         "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo",
         "Thắng", "Trang", "Trung", "Tuấn", "Vân", "Việt", "Xuân", "Yến"]
STREETS = ["Quốc lộ 20", "Đường Lê Lợi", "Đường Hùng Vương", "Hương lộ 10", "Đường liên ấp", "Tỉnh lộ 769"]

SINCE = datetime.date(2018, 1, 1)
UNITS_FROM = datetime.date(2019, 7, 1)
BATCH = 5000


def family_title():
    return TitleType.objects.get(code="gia-dinh-van-hoa")


def new_cases(count):
    """`count` new dossier cases (each dossier owns one: its chain and revision), with their ids."""
    return bulk_insert(Case, [Case(kind=CaseKind.DOSSIER) for _ in range(count)])


def bulk_insert(model, objs):
    """Insert fixture rows: COPY on PostgreSQL (ids drawn from the table's sequence first,
    so the objects come back with their pk), bulk_create elsewhere."""
    objs = list(objs)
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=BATCH)
    table = model._meta.db_table
    fields = list(model._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
                       [len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall()):
            obj.pk = pk
        columns = ", ".join(f'"{f.column}"' for f in fields)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    return objs


def _unit(code, name, level, kind, parent, valid_from=UNITS_FROM):
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        unit = Unit(code=code, name=name, level=level, kind=kind, parent=parent, valid_from=valid_from)
        unit.save()
    return unit


def _bulk_units(parent, specs):
    """Create child units in two statements (insert, then the paths that need the ids)."""
    existing = {u.code: u for u in Unit.objects.filter(parent=parent)}
    new = [Unit(code=code, name=name, level=level, kind=kind, parent=parent, valid_from=UNITS_FROM, path="")
           for code, name, level, kind in specs if code not in existing]
    for start in range(0, len(new), BATCH):
        chunk = Unit.objects.bulk_create(new[start:start + BATCH])
        if chunk and chunk[0].pk is None:
            chunk = list(Unit.objects.filter(parent=parent, path=""))
        for unit in chunk:
            unit.path = f"{parent.path}{unit.pk}/"
        Unit.objects.bulk_update(chunk, ["path"], batch_size=BATCH)
    return list(Unit.objects.filter(parent=parent).order_by("code"))


def _household_rows(rng, hamlet, count, start=0):
    for i in range(start, start + count):
        yield Household(
            hamlet=hamlet, code=f"{hamlet.code}-{i + 1:04d}",
            head_name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            address=f"Tổ {i // 40 + 1}, {rng.choice(STREETS)}", members=rng.choice([2, 3, 4, 4, 5, 5, 6, 7]),
            phone=f"09{rng.randrange(10**8):08d}", active=rng.random() > 0.005,
        )


def _stream_households(rng, hamlet, count):
    have = Household.objects.filter(hamlet=hamlet).count()
    if have >= count:
        return 0
    rows = _household_rows(rng, hamlet, count - have, start=have)
    written = 0
    while True:
        chunk = [row for _, row in zip(range(BATCH), rows)]
        if not chunk:
            return written
        bulk_insert(Household, chunk)
        written += len(chunk)


def _ensure_user(username):
    return get_user_model().objects.get_or_create(username=username)[0]


def ensure_role(username, unit, role):
    user = _ensure_user(username)
    if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
        grant_membership(user=user, unit=unit, role=role, since=SINCE)
    return user


def seed_tree(scale, log):
    """Province > districts > communes > hamlets > households, one commune per transaction."""
    rng = random.Random(20211118)
    p = scale.prefix
    province = _unit(p, f"Tỉnh bench {scale.name}", Level.PROVINCE, UnitKind.TINH, None,
                     datetime.date(1976, 1, 1))
    created = 0
    for d in range(1, scale.districts + 1):
        district = _unit(f"{p}-D{d:02d}", f"Huyện bench {d}", Level.DISTRICT, UnitKind.HUYEN, province,
                         datetime.date(2004, 1, 1))
        communes = _bulk_units(district, [
            (f"{p}-D{d:02d}-C{c:02d}", f"Xã bench {d}.{c}", Level.COMMUNE, UnitKind.XA)
            for c in range(1, scale.communes + 1)])
        for commune in communes:
            with transaction.atomic():
                hamlets = _bulk_units(commune, [
                    (f"{commune.code}-H{h:02d}", f"Ấp {h} ({commune.name})", Level.HAMLET, UnitKind.AP)
                    for h in range(1, scale.hamlets + 1)])
                for hamlet in hamlets:
                    created += _stream_households(rng, hamlet, scale.households)
        log(f"  district {d}/{scale.districts}: {created} households written so far")
    return province


def lab_units(scale):
    """Units outside the districts for the single-dossier and inbox measurements."""
    p = scale.prefix
    province = Unit.objects.get(code=p)
    lab = _unit(f"{p}-LAB", "Huyện bench (phòng đo)", Level.DISTRICT, UnitKind.HUYEN, province,
                datetime.date(2004, 1, 1))
    commune = _unit(f"{p}-LAB-C", "Xã bench (phòng đo)", Level.COMMUNE, UnitKind.XA, lab)
    meet = _unit(f"{p}-LAB-MEET", "Ấp họp bình xét", Level.HAMLET, UnitKind.AP, commune)
    dec = _unit(f"{p}-LAB-DEC", "Khu phố lớn (quyết định)", Level.HAMLET, UnitKind.KHU_PHO, commune)
    rng = random.Random(7)
    _stream_households(rng, meet, scale.meeting_size)
    _stream_households(rng, dec, scale.decision_size)
    return {"lab": lab, "commune": commune, "meet": meet, "dec": dec}


def hamlet_title():
    return TitleType.objects.get(code="ap-khu-pho-van-hoa")


def hamlet_lab_units(scale):
    """Two communes of the lab district for the hamlet title: one whose hamlets meet, one
    with as many hamlets as the district decision lists (synthetic: a real commune has tens,
    but one dossier of many hamlets is what the Cultural Family decision measures too)."""
    p = scale.prefix
    lab = Unit.objects.get(code=f"{p}-LAB")
    communes = {}
    for key, suffix, name, size in (("meet", "HM", "Xã họp xét ấp văn hóa", scale.hamlet_meeting_size),
                                    ("dec", "HD", "Xã nhiều ấp (quyết định)", scale.hamlet_decision_size)):
        commune = _unit(f"{p}-LAB-{suffix}", name, Level.COMMUNE, UnitKind.XA, lab)
        hamlets = _bulk_units(commune, [(f"{commune.code}-{i:05d}", f"Ấp {i} ({name})", Level.HAMLET, UnitKind.AP)
                                        for i in range(1, size + 1)])
        _hamlet_heads(scale, hamlets)
        communes[key] = commune
    return {"lab": lab, **communes}


def _hamlet_heads(scale, hamlets):
    """A head for each hamlet, so that each hamlet's messages reach someone (a hamlet is told
    through the holders of its roles). Master data in bulk: users, memberships, each (hamlet,
    role) group with the object permissions directory.services gives it, then the group links
    through directory.services.apply_membership_dates."""
    role = Role.HAMLET_HEAD
    have = set(Membership.objects.filter(unit__in=hamlets, role=role).values_list("unit_id", flat=True))
    todo = [h for h in hamlets if h.pk not in have]
    if not todo:
        return
    with transaction.atomic():
        names = {h.pk: f"bench_{scale.name}_head_{h.code.lower()}" for h in todo}
        get_user_model().objects.bulk_create([get_user_model()(username=n) for n in names.values()],
                                             ignore_conflicts=True)
        users = dict(get_user_model().objects.filter(username__in=names.values()).values_list("username", "pk"))
        Membership.objects.bulk_create([Membership(user_id=users[names[h.pk]], unit=h, role=role, since=SINCE)
                                        for h in todo])
        Group.objects.bulk_create([Group(name=membership_group_name(h, role)) for h in todo], ignore_conflicts=True)
        groups = dict(Group.objects.filter(name__in=[membership_group_name(h, role) for h in todo])
                      .values_list("name", "pk"))
        unit_type = ContentType.objects.get_for_model(Unit)
        perms = list(Permission.objects.filter(content_type__app_label="directory",
                                               codename__in=ROLE_PERMISSIONS[role]))
        GroupObjectPermission.objects.bulk_create([
            GroupObjectPermission(group_id=groups[membership_group_name(h, role)], permission=perm,
                                  content_type=unit_type, object_pk=str(h.pk))
            for h in todo for perm in perms], ignore_conflicts=True)
        apply_membership_dates()


def _rule_sets(title, years):
    return {y: RuleSet.objects.in_force_for(title, y) for y in years}


def seed_history(scale, log):
    """Past years' decided dossiers: ~93% recognized, the rest not proposed or struck."""
    title = family_title()
    years = history_years(scale)
    rules = _rule_sets(title, years)
    rng = random.Random(1811)
    p = scale.prefix
    communes = Unit.objects.filter(level=Level.COMMUNE, code__startswith=f"{p}-D").order_by("code")
    done = 0
    # Newest year first, for every commune: the roll-up reads that year, so a seeding stopped
    # half-way (900,000 households take a while) still leaves it complete.
    for year in reversed(years):
        for commune in communes.iterator():
            hamlets = list(Unit.objects.filter(parent=commune).order_by("code"))
            have = set(Dossier.objects.filter(unit__in=hamlets, year=year, title_type=title)
                       .values_list("unit_id", flat=True))
            todo = [h for h in hamlets if h.pk not in have]
            if todo:
                with transaction.atomic():
                    _history_for(rng, title, rules[year], commune, todo, year)
                done += len(todo)
                if done % 500 == 0:
                    log(f"  history {year}: {done} hamlet-years written so far")
    return done


def _history_for(rng, title, rule_set, commune, hamlets, year):
    submitted = datetime.date(year, 11, 12)
    signed = datetime.date(year, 11, 20)
    dossiers = Dossier.objects.bulk_create([
        Dossier(case=case, title_type=title, rule_set=rule_set, unit=h, unit_path=h.path, appraising_unit=commune,
                deciding_unit=commune, year=year, state=DossierState.DECIDED, submitted_on=submitted,
                decision_due=signed)
        for h, case in zip(hamlets, new_cases(len(hamlets)))])
    if dossiers[0].pk is None:
        dossiers = list(Dossier.objects.filter(unit__in=hamlets, year=year, title_type=title))
    by_unit = {d.unit_id: d for d in dossiers}
    decisions = Decision.objects.bulk_create([
        Decision(dossier=d, unit=commune, number=f"{year}-{d.unit.code}/QĐ-UBND", signed_on=signed,
                 signer="Chủ tịch UBND xã", recorded_by_id=_system_user_id())
        for d in dossiers])
    if decisions[0].pk is None:
        decisions = list(Decision.objects.filter(dossier__in=dossiers))
    decision_of = {x.dossier_id: x for x in decisions}
    households = Household.objects.filter(hamlet__in=hamlets).values_list("pk", "hamlet_id")
    nominations = []
    for pk, hamlet_id in households.iterator(chunk_size=BATCH):
        roll = rng.random()
        state = (NominationState.RECOGNIZED if roll < 0.93 else
                 NominationState.NOT_PROPOSED if roll < 0.97 else NominationState.STRUCK)
        present = 30
        votes_for = rng.randint(19, 30) if state != NominationState.NOT_PROPOSED else rng.randint(5, 15)
        nominations.append(Nomination(
            dossier=by_unit[hamlet_id], title_type=title, year=year, household_id=pk, state=state,
            registered_on=datetime.date(year, 3, 1), votes_for=votes_for, votes_against=present - votes_for,
            reason="" if state == NominationState.RECOGNIZED else "Chưa đạt tiêu chí"))
    # The counters the services keep on each dossier (history rows bypass them).
    for dossier in dossiers:
        dossier.households_count = dossier.proposed_count = dossier.recognized_count = 0
    for n in nominations:
        dossier = n.dossier
        dossier.households_count += 1
        if n.state == NominationState.RECOGNIZED:
            dossier.proposed_count += 1
            dossier.recognized_count += 1
    for dossier in dossiers:  # every household of a history hamlet took part
        dossier.households_on_roll = dossier.households_count
    Dossier.objects.bulk_update(dossiers, ["households_count", "proposed_count", "recognized_count",
                                           "households_on_roll"])
    created = bulk_insert(Nomination, nominations)
    if created and created[0].pk is None:
        created = list(Nomination.objects.filter(dossier__in=dossiers))
    bulk_insert(Award, [
        Award(title_type=title, year=year, household_id=n.household_id, nomination_id=n.pk,
              decision=decision_of[n.dossier.pk], certificate_code=f"B{year % 100:02d}{n.pk:013d}")
        for n in created if n.state == NominationState.RECOGNIZED])


_SYSTEM = {}


def _system_user_id():
    if "id" not in _SYSTEM:
        _SYSTEM["id"] = _ensure_user("bench_system").pk
    return _SYSTEM["id"]


def seed_inbox(scale, commune_code, count, log):
    """`count` dossiers submitted to one commune, each with its pending viewflow appraisal task.

    Fixtures for reading the inbox and the dossier list; inserted in bulk."""
    from viewflow.workflow.models import Process, Task

    from workflows.flows import DossierFlow

    p = scale.prefix
    lab = Unit.objects.get(code=f"{p}-LAB")
    commune = _unit(commune_code, f"Xã hộp thư {count}", Level.COMMUNE, UnitKind.XA, lab)
    officer = ensure_role(f"bench_{scale.name}_inbox_{count}", commune, Role.COMMUNE_OFFICER)
    title = family_title()
    year = datetime.date.today().year - 1
    rule_set = RuleSet.objects.in_force_for(title, year)
    if Dossier.objects.filter(appraising_unit=commune, year=year).count() >= count:
        return commune, officer
    hamlets = _bulk_units(commune, [(f"{commune_code}-H{i:05d}", f"Ấp {i}", Level.HAMLET, UnitKind.AP)
                                    for i in range(1, count + 1)])
    ct = ContentType.objects.get_for_model(Unit)
    for start in range(0, len(hamlets), BATCH):
        chunk = hamlets[start:start + BATCH]
        with transaction.atomic():
            processes = Process.objects.bulk_create([
                Process(flow_class=DossierFlow, status="NEW") for _ in chunk])
            Dossier.objects.bulk_create([
                Dossier(case=case, title_type=title, rule_set=rule_set, unit=h, unit_path=h.path,
                        appraising_unit=commune, deciding_unit=commune, year=year, state=DossierState.SUBMITTED,
                        process=proc, submitted_on=datetime.date(year, 11, 14),
                        decision_due=datetime.date(year, 11, 24))
                for h, proc, case in zip(chunk, processes, new_cases(len(chunk)))])
            Task.objects.bulk_create([
                Task(process=proc, flow_task=DossierFlow.appraisal, flow_task_type="HUMAN", status="NEW",
                     owner_permission="directory.appraise_dossier", owner_permission_content_type=ct,
                     owner_permission_obj_pk=str(commune.pk))
                for proc in processes])
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum would take after a bulk load (and it may be
        # off): with the old ones the planner expects one visible dossier, joins all
        # 10,000 row by row and the dossier list took 3x longer; the same for the
        # tasks, which the inbox reads oldest first.
        tables = [Unit._meta.db_table, Dossier._meta.db_table, Task._meta.db_table, Process._meta.db_table]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
    log(f"  inbox fixture: {count} pending dossiers for {commune_code}")
    return commune, officer


# ---------------------------------------------------------------- cleaning

_TABLES = []


def _delete_tree(queryset, seen=()):
    """Raw-delete `queryset` after every row that points at it, found by introspection.

    Introspection rather than a list, so rows of models other people add (outbox
    deliveries, audit anchors) are removed too. Bench data only."""
    model = queryset.model
    if not _TABLES:
        _TABLES.extend(connection.introspection.table_names())
    relations = [f for f in model._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
    for rel in relations:
        if rel.many_to_many or rel.related_model in seen or rel.related_model is model:
            continue
        if rel.related_model._meta.db_table not in _TABLES:  # a model whose migration is not applied here
            continue
        children = rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": queryset.values("pk")})
        _delete_tree(children, (*seen, model))
    queryset._raw_delete(queryset.db)


def purge_dossiers(dossiers):
    """Delete dossiers, everything hanging from them and their viewflow processes (bench data only)."""
    from viewflow.workflow.models import Process, Task

    ids = list(dossiers.values_list("pk", flat=True))
    case_ids = list(dossiers.values_list("case_id", flat=True))
    process_ids = list(dossiers.exclude(process=None).values_list("process_id", flat=True))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The audit trail may be protected by an append-only trigger; bench
            # rows are the one thing we are entitled to remove, inside this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        for start in range(0, len(ids), BATCH):
            _delete_tree(Dossier._base_manager.filter(pk__in=ids[start:start + BATCH]))
        # Then their cases, with the audit events and anchored heads that hang from them.
        for start in range(0, len(case_ids), BATCH):
            _delete_tree(Case._base_manager.filter(pk__in=case_ids[start:start + BATCH]), (Dossier,))
        for start in range(0, len(process_ids), BATCH):
            chunk = process_ids[start:start + BATCH]
            Task.previous.through.objects.filter(from_task__process_id__in=chunk)._raw_delete(Task.objects.db)
            Task.previous.through.objects.filter(to_task__process_id__in=chunk)._raw_delete(Task.objects.db)
            _delete_tree(Task._base_manager.filter(process_id__in=chunk), (Process,))
            _delete_tree(Process._base_manager.filter(pk__in=chunk), (Dossier,))
    return len(ids)


def clean_scale(scale, log):
    """Remove every row of one scale's bench province."""
    p = scale.prefix
    province = Unit.objects.filter(code=p).first()
    if province is None:
        return
    units = Unit.objects.filter(path__startswith=province.path)
    log(f"  cleaning {p}: dossiers")
    purge_dossiers(Dossier.objects.filter(unit__in=units))
    purge_dossiers(Dossier.objects.filter(appraising_unit__in=units))
    with transaction.atomic():
        Notification.objects.filter(recipient__username__startswith=f"bench_{scale.name}_").delete()
        Household.objects.filter(hamlet__in=units)._raw_delete(Household.objects.db)
        groups = Group.objects.filter(name__startswith=f"unit:{p}")
        GroupObjectPermission.objects.filter(group__in=groups).delete()
        UserObjectPermission.objects.filter(user__username__startswith=f"bench_{scale.name}_").delete()
        Membership.objects.filter(unit__in=units).delete()
        groups.delete()
        get_user_model().objects.filter(username__startswith=f"bench_{scale.name}_").delete()
        for level in (Level.HAMLET, Level.COMMUNE, Level.DISTRICT, Level.PROVINCE):
            Unit.objects.filter(path__startswith=province.path, level=level)._raw_delete(Unit.objects.db)
