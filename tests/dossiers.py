"""A dossier of any title at any state of its procedure, moved there through the real
services (never by writing a state): `dossier_at("gia-dinh-van-hoa", DossierState.POSTING)`.

The way there is read from the procedure declaration (workflows.procedures): each
declared action that has a driver below is an edge from every state it acts in (under
the dossier's rule-set steps, with its subjects registered) to the state its service
leaves the dossier in; the factory takes the shortest such path, in declaration order.
Whoever does each action is a persona holding the narrowest role that grants the
action's permission on the unit of the action's stage (the dossier's unit, its
appraising or deciding unit), with a dated membership. A new stage or step of a
procedure is reached without editing this file as long as its actions move the dossier
with one of the services below; an action with a new service needs one driver here.
"""

import datetime
from collections import deque

from django.utils import timezone

from directory.models import GRANTABLE_ROLES, ROLE_PERMISSIONS, Collective, CollectiveKind, Level, Person, UnitKind
from directory.services import grant_membership
from titles.commendations import festival_plan
from titles.models import RuleSet, TitleType
from titles.subjects import subject_kind_of
from workflows import services
from workflows.services import festival
from workflows.models import DossierState, VotingMethod
from workflows.procedures import FESTIVAL, procedure_for_title

from .factories import HouseholdFactory, UnitFactory, UserFactory
from .titles.register import record

MEMBERS_SINCE = datetime.date(2018, 1, 1)


def d(year, month, day):
    return datetime.date(year, month, day)


# ---------------------------------------------------------------- who acts

def right_role(codename, level):
    """The narrowest role of `level` that holds `codename`."""
    holders = [role for role in GRANTABLE_ROLES[level] if codename in ROLE_PERMISSIONS[role]]
    return min(holders, key=lambda role: len(ROLE_PERMISSIONS[role]))


def persona(unit, role):
    """One user per (unit, role), member since 2018 (before every shipped campaign year)."""
    user, created = UserFactory._meta.model.objects.get_or_create(username=f"t_{unit.pk}_{role}")
    if created:
        grant_membership(user=user, unit=unit, role=role, since=MEMBERS_SINCE)
    return user


def actor(dossier, code):
    """Whoever may do action `code` on the dossier: the right role on the unit of its stage."""
    procedure = procedure_for_title(dossier.title_type.code)
    unit = procedure.stage_of(code).unit_of(dossier)
    return persona(unit, right_role(procedure.action(code).permission, unit.level))


# ---------------------------------------------------------------- units and subjects

def unit_for(title_type):
    """A fresh unit of the title's dossier level, with every level above it (a province,
    district, commune, hamlet chain) so any rule set finds its appraising and deciding units."""
    level = subject_kind_of(title_type).dossier_level
    chain = [(Level.PROVINCE, UnitKind.TINH, d(1976, 1, 1)), (Level.DISTRICT, UnitKind.HUYEN, d(2004, 1, 1)),
             (Level.COMMUNE, UnitKind.XA, d(2004, 1, 1)), (Level.HAMLET, UnitKind.AP, d(2004, 1, 1))]
    parent = None
    for at, kind, since in chain:
        parent = UnitFactory(level=at, kind=kind, parent=parent, valid_from=since)
        if at == level:
            return parent
    raise AssertionError(f"no unit chain reaches the level {level!r}")


def new_subject(dossier):
    """One more subject of the dossier's unit, of the title's subject kind (eligible, for a
    certificate of merit: see subject_for)."""
    return subject_for(dossier.title_type, dossier.unit, dossier.year, dossier.rule_set)


def subject_for(title_type, unit, year, rule_set=None):
    """One more subject of `unit` for a `year` dossier of `title_type`. For a certificate of merit
    the register gets its counted title for each year of the window ending in `year` (written
    straight into the tables, tests/titles/register.py), so the register makes it eligible."""
    kind = title_type.subject_kind
    if kind == "hamlet":
        subject = UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, parent=unit, valid_from=d(2004, 1, 1))
    elif kind == "person":
        subject = Person.objects.create(unit=unit, full_name=f"Nguyễn Văn {Person.objects.count() + 1}",
                                        birth_year=1970, valid_from=d(2004, 1, 1))
    elif kind == "collective":
        subject = Collective.objects.create(unit=unit, name=f"Tổ tự quản {Collective.objects.count() + 1}",
                                            kind=CollectiveKind.SELF_MANAGED_GROUP, valid_from=d(2004, 1, 1))
    else:
        subject = HouseholdFactory(hamlet=unit)
    rule_set = rule_set or RuleSet.objects.in_force_for(title_type, year)
    base = (rule_set.merit or {}).get("base_title") if rule_set else None
    if base:
        window = range(year - rule_set.consecutive_years + 1, year + 1)
        clerk, _ = UserFactory._meta.model.objects.get_or_create(username="t_register_clerk")
        record(TitleType.objects.get(code=base), [(subject, y) for y in window], actor=clerk)
    return subject


# What an 18 November proposal asks for when the factory makes one: the commune Front's own certificate.
FESTIVAL_INSTRUMENT = "giay-ghi-nhan-mttq-xa"


def ask_for(dossier, instrument=FESTIVAL_INSTRUMENT):
    """An 18 November list: each proposal asks for `instrument` (nothing to do for another title)."""
    if not festival.is_festival(dossier):
        return
    pks = dossier.nominations.exclude(state="withdrawn").values_list("pk", flat=True)
    festival.choose_instruments(actor=actor(dossier, "instruments"), dossier=dossier,
                                instruments=dict.fromkeys(pks, instrument))


# ---------------------------------------------------------------- the services that move a dossier

def _meeting(dossier, user):
    services.record_meeting(actor=user, dossier=dossier, held_on=d(dossier.year, 11, 2), invited=40, present=30,
                            method=VotingMethod.SHOW_OF_HANDS,
                            votes={n.pk: (30, 0) for n in dossier.nominations.all()})


def _posting(dossier, user):
    services.post_list(actor=user, dossier=dossier, starts_on=d(dossier.year, 11, 3), place="Nhà văn hóa")


def _submit(dossier, user):
    posting = dossier.postings.first() if dossier.state == DossierState.POSTING else None
    services.submit_dossier(actor=user, dossier=dossier,
                            submitted_on=posting.sendable_from if posting else d(dossier.year, 11, 4),
                            answer="Đã bổ sung" if dossier.state == DossierState.RETURNED else "")


def _return(dossier, user):
    services.return_dossier(actor=user, dossier=dossier, reason="Thiếu biên bản", returned_on=d(dossier.year, 11, 16))


def _appraise(dossier, user):
    services.appraise_dossier(actor=user, dossier=dossier, appraised_on=d(dossier.year, 11, 16))


def _council(dossier, user):
    services.record_council(actor=user, dossier=dossier, held_on=d(dossier.year, 11, 18), members=9, present=7,
                            conclusion="Thống nhất đề nghị")


def _decide(dossier, user):
    services.decide(actor=user, dossier=dossier, number="1/QĐ-UBND", signed_on=d(dossier.year, 11, 20),
                    signer="Chủ tịch")


# action code -> (the service call, the state it leaves the dossier in, or a function of the rule set's steps)
DRIVERS = {
    "meeting": (_meeting, DossierState.REVIEWED),
    "posting": (_posting, DossierState.POSTING),
    "submit": (_submit, DossierState.SUBMITTED),
    "return": (_return, DossierState.RETURNED),
    # Under a rule set with the emulation council, the appraisal leaves the dossier to the council
    # (the factory's path then goes through "council"); without it, straight to the decision.
    "appraise": (_appraise, lambda steps: DossierState.COUNCIL if "council" in steps else DossierState.APPRAISED),
    "council": (_council, DossierState.APPRAISED),
    "decide": (_decide, DossierState.DECIDED),
}


def path_to(procedure, steps, state, subjects):
    """The declared actions (codes) that take a dossier with `subjects` registered from
    "open" to `state` under a rule set with `steps`, fewest first; None if it has no way there."""
    def end_of(code):
        end = DRIVERS[code][1]
        return end(steps) if callable(end) else end

    edges = [(action.code, start, end_of(action.code)) for action in procedure.actions
             if action.code in DRIVERS for start in action.states if action.acts_in(start, steps, subjects)]
    ways, queue = {DossierState.OPEN: []}, deque([DossierState.OPEN])
    while queue:
        here = queue.popleft()
        for code, start, end in edges:
            if start == here and end not in ways:
                ways[end] = [*ways[here], code]
                queue.append(end)
    return ways.get(state)


def reachable(title_code, rule_set, subjects=2):
    """The states a dossier of the title reaches under `rule_set` (a RuleSet or its steps)."""
    steps = getattr(rule_set, "steps", rule_set)
    procedure = procedure_for_title(title_code)
    return [state for state in DossierState.values if path_to(procedure, steps, state, subjects) is not None]


def year_of(rule_set):
    """A campaign year whose round runs under `rule_set`: the first one past, whose acts
    from February on lie in the rule set's period of force, else its first year at all (a
    later rule set of the same year takes that year's round)."""
    today = timezone.localdate()
    years = [year for year in range(rule_set.effective_from.year, (rule_set.effective_to or today).year + 1)
             if RuleSet.objects.in_force_for(rule_set.title_type, year) == rule_set]
    if procedure_for_title(rule_set.title_type.code) is FESTIVAL:
        # An 18 November list is sent only in a year with a festival plan (its deadline and quotas).
        years = [year for year in years if festival_plan(year) is not None]
    if not years:
        raise ValueError(f"no campaign year runs under {rule_set.code}")
    return next((year for year in years if d(year, 2, 1) >= rule_set.effective_from and year < today.year),
                years[0])


def dossier_at(title_code, state, *, unit=None, subjects=2, year=None, rule_set=None):
    """A dossier of `title_code` moved to `state` through the services.

    `unit`: the dossier's unit (a fresh chain of units when None); `subjects`: how many
    subjects are registered (0: an empty open dossier); `year`: the campaign year, by
    default the first year `rule_set` governs (the dossier is then checked to run under
    it) or 2025. Each action is done by `actor(dossier, code)`."""
    title = TitleType.objects.get(code=title_code)
    if year is None:
        year = year_of(rule_set) if rule_set is not None else 2025
    unit = unit or unit_for(title)
    procedure = procedure_for_title(title_code)
    opener = persona(unit, right_role(procedure.opening_permission, unit.level))
    dossier = services.open_round(actor=opener, unit=unit, title_type=title, year=year, opened_on=d(year, 2, 1))
    if rule_set is not None:
        assert dossier.rule_set == rule_set, f"{year} runs under {dossier.rule_set}, not {rule_set}"
    path = path_to(procedure, dossier.rule_set.steps, state, subjects)
    if path is None:
        raise ValueError(f"a {title_code} dossier with {subjects} subjects cannot reach {state!r} "
                         f"under {dossier.rule_set.code}")
    if subjects:
        services.register_subjects(actor=actor(dossier, "register"), dossier=dossier,
                                   subject_ids=[new_subject(dossier).pk for _ in range(subjects)],
                                   registered_on=d(year, 3, 1))
        ask_for(dossier)
    for code in path:
        dossier.refresh_from_db()
        DRIVERS[code][0](dossier, actor(dossier, code))
    dossier.refresh_from_db()
    assert dossier.state == state
    return dossier


def shipped_rule_sets():
    """Every shipped rule set of a title that runs on a procedure (not certificates of merit)."""
    return [rules for rules in RuleSet.objects.select_related("title_type").order_by("code")
            if not rules.merit and procedure_for_title(rules.title_type.code) is not None]
