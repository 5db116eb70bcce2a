"""Certificates of merit (Giấy khen) for a title held in a row, computed from the register.

Who is eligible is never typed in: for a unit and a year, each subject of the unit (the
households of a hamlet or commune, the hamlets of a commune or district) is judged on the
awards of the counted title (the rule set's `merit["base_title"]`) in the window of the
`consecutive_years` years ending in that year:

- every year of the window holds the title, by an award that was not revoked (a year
  without it is a gap; a revoked award breaks the streak like a gap);
- the window overlaps no window of a certificate of merit the subject holds (Decree
  122/2018, ministry answer of 24/11/2023: certified for 2020–2022, nothing for
  2021–2023; the next window starts in 2023). A certificate's window is the
  `consecutive_years` of the rule set it was granted under, ending in its year; a
  revoked certificate is no longer in the register and blocks nothing.

`judge` is the rule on plain values (property-tested against an oracle written
differently, tests/titles/test_merit_rules.py); `eligibility` reads the register for a
unit in a fixed number of queries, whatever the number of subjects and years, and
hands each subject's awards to `judge`. The cap (`cap_for`, `rank_within_cap`,
`cap_refusal`) is pure too: how 15% rounds and how ties at the cut-off are broken are
rule-set data, since the decree says neither.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from directory.models import Level

from .models import Award, RuleSet, TitleType
from .subjects import subject_kind_of

ROUNDINGS = {"down": ROUND_FLOOR, "up": ROUND_CEILING, "half_up": ROUND_HALF_UP}
ROUNDING_LABELS = {"down": gettext_lazy("rounded down"), "up": gettext_lazy("rounded up"),
                   "half_up": gettext_lazy("rounded to the nearest whole number (a half up)")}
TIE_BREAKS = {
    "agree_share": gettext_lazy("the share of agree votes among the votes cast"),
    "registered_on": gettext_lazy("the earlier registration"),
    "code": gettext_lazy("the code"),
}
ADMIT_ALL_TIED = "admit_all_tied"
# What each legal basis of a rule set's merit["basis"] supports, in the order the page lists them.
BASIS_LABELS = {
    "window": gettext_lazy("Years in a row"),
    "no_overlap": gettext_lazy("No overlapping years"),
    "cap": gettext_lazy("Cap"),
    "cap_rounding": gettext_lazy("Rounding of the cap"),
    "tie_break": gettext_lazy("Ties at the cut-off"),
}

# The levels whose list a page of each subject kind shows: a hamlet or a commune lists its
# households, a commune or a district its hamlets (the list of the whole district's households,
# 45,000, is for the bench, not for a page).
PAGE_LEVELS = {"household": (Level.HAMLET, Level.COMMUNE), "hamlet": (Level.COMMUNE, Level.DISTRICT)}


class MeritRulesError(ValueError):
    """A certificate-of-merit rule set whose data the engine cannot apply (a shipped-data error)."""


@dataclass(frozen=True)
class MeritRules:
    """What a certificate-of-merit rule set says, read from its columns and its `merit` data."""

    rule_set: RuleSet
    base_title: str
    window_years: int
    cap_pct: Decimal
    cap_rounding: str = "down"
    cap_at_least_one: bool = True
    tie_break: tuple = ("agree_share", "registered_on", "code")
    no_overlap: bool = True
    in_force: bool = True
    council: dict | None = None
    basis: dict = field(default_factory=dict)

    @classmethod
    def of(cls, rule_set):
        data = rule_set.merit or {}
        if not data.get("base_title"):
            raise MeritRulesError(f"{rule_set.code} is not a certificate-of-merit rule set (no merit.base_title).")
        if not rule_set.consecutive_years or rule_set.cap_pct is None:
            raise MeritRulesError(f"{rule_set.code} names no window (consecutive_years) or cap (cap_pct).")
        rounding = data.get("cap_rounding", "down")
        if rounding not in ROUNDINGS:
            raise MeritRulesError(f"{rule_set.code}: cap_rounding {rounding!r} is not one of {sorted(ROUNDINGS)}.")
        tie_break = tuple(data.get("tie_break") or ("agree_share", "registered_on", "code"))
        if tie_break != (ADMIT_ALL_TIED,) and any(key not in TIE_BREAKS for key in tie_break):
            raise MeritRulesError(f"{rule_set.code}: tie_break {list(tie_break)} mixes unknown keys "
                                  f"(known: {sorted(TIE_BREAKS)}, or [{ADMIT_ALL_TIED!r}] alone).")
        return cls(rule_set=rule_set, base_title=data["base_title"], window_years=rule_set.consecutive_years,
                   cap_pct=Decimal(rule_set.cap_pct), cap_rounding=rounding,
                   cap_at_least_one=bool(data.get("cap_at_least_one", True)), tie_break=tie_break,
                   no_overlap=bool(data.get("no_overlap", True)), in_force=bool(data.get("in_force", True)),
                   council=data.get("council") or None, basis=dict(data.get("basis") or {}))

    def window(self, year):
        return (year - self.window_years + 1, year)

    def cap(self, eligible):
        return cap_for(eligible, self.cap_pct, self.cap_rounding, self.cap_at_least_one)

    def bases(self):
        """[(what, legal basis)] of the points the rule set gives a basis for."""
        return [(BASIS_LABELS.get(point, point), text) for point, text in
                sorted(self.basis.items(), key=lambda item: list(BASIS_LABELS).index(item[0])
                       if item[0] in BASIS_LABELS else len(BASIS_LABELS))]

    def description(self, base_title_name):
        """The rules in sentences, for the page beside the list (the legal basis of each below it)."""
        lines = [_("Counts %(title)s: %(n)s consecutive years ending in the year of the round, each held by "
                   "an award that was not revoked.") % {"title": base_title_name, "n": self.window_years}]
        if self.no_overlap:
            lines.append(_("The years may not overlap those of a certificate of merit already held."))
        lines.append(_("At most %(pct)s%% of the eligible, ranked by agree votes at the review meeting; the "
                       "number is %(rounding)s.") % {"pct": format_pct(self.cap_pct),
                                                      "rounding": ROUNDING_LABELS[self.cap_rounding]}
                     + (" " + _("At least one where anyone is eligible.") if self.cap_at_least_one else ""))
        if self.tie_break == (ADMIT_ALL_TIED,):
            lines.append(_("Ties at the cut-off: everyone tied is admitted, even beyond the cap."))
        else:
            lines.append(_("Ties at the cut-off are broken by %(order)s, in that order.")
                         % {"order": ", ".join(str(TIE_BREAKS[key]) for key in self.tie_break)})
        if self.council:
            lines.append(_("%(council)s meets before the decision.") % {"council": self.council.get("name", "")})
        return lines


def format_pct(pct):
    """15.00 -> "15", 12.50 -> "12.5"."""
    return f"{Decimal(pct).normalize():f}"


# ---------------------------------------------------------------- the rule, on plain values

# Named tuples, not dataclasses: a district's register is 200,000 of them, and a frozen dataclass
# costs several times a tuple to build. The loops below build them with tuple.__new__ (_tuple), which
# skips the named tuple's Python-level __new__ and its defaults: a third of a district's time otherwise.
_tuple = tuple.__new__
class TitleYear(NamedTuple):
    """One award of the counted title: its year, its decision's number, and when it was revoked."""

    year: int
    decision: str = ""
    revoked_on: datetime.date | None = None


class MeritWindow(NamedTuple):
    """A certificate of merit the subject holds, by the years it counted."""

    first: int
    last: int
    decision: str = ""
    revoked_on: datetime.date | None = None


@dataclass(frozen=True)
class Exclusion:
    """Why a subject is not eligible: a gap ("gap", the years without the title), a revoked title
    ("revoked", its year and date), or an overlap with a certificate's window ("overlap")."""

    code: str
    years: tuple
    on: datetime.date | None = None
    decision: str = ""

    @property
    def message(self):
        if self.code == "gap":
            years = ", ".join(str(year) for year in self.years)
            return ngettext("a gap in %(years)s: no title that year", "gaps in %(years)s: no title those years",
                            len(self.years)) % {"years": years}
        if self.code == "revoked":
            return _("the title of %(year)s was revoked on %(date)s (decision %(decision)s)") % {
                "year": self.years[0], "date": self.on.strftime("%d/%m/%Y") if self.on else "?",
                "decision": self.decision or "?"}
        return _("overlaps the %(first)s–%(last)s certificate of merit (decision %(decision)s)") % {
            "first": self.years[0], "last": self.years[1], "decision": self.decision or "?"}


class Judgement(NamedTuple):
    streak: tuple  # TitleYear, oldest first: the run of unrevoked years ending in the year judged
    exclusions: tuple  # Exclusion, gaps and revocations by year, then overlaps

    @property
    def eligible(self):
        return not self.exclusions


def judge(titles, merits, year, window_years, *, no_overlap=True):
    """Whether a subject holding `titles` (TitleYear) and certificates `merits` (MeritWindow) is
    eligible for the certificate of `year` whose window is `window_years` long."""
    first = year - window_years + 1
    held = {title.year: title for title in titles}
    missing, exclusions = [], []
    for y in range(first, year + 1):
        title = held.get(y)
        if title is None:
            missing.append(y)
        elif title.revoked_on is not None:
            exclusions.append((y, Exclusion("revoked", (y,), title.revoked_on, title.decision)))
    if missing:
        exclusions.append((missing[0], Exclusion("gap", tuple(missing))))
    if len(exclusions) > 1:
        exclusions.sort(key=lambda pair: (pair[0], pair[1].code))
    exclusions = [exclusion for _, exclusion in exclusions]
    if no_overlap:
        for merit in sorted(merits, key=lambda m: (m.first, m.last)):
            if merit.revoked_on is None and merit.first <= year and merit.last >= first:
                exclusions.append(Exclusion("overlap", (merit.first, merit.last), decision=merit.decision))
    streak = []
    y = year
    while y in held and held[y].revoked_on is None:
        streak.append(held[y])
        y -= 1
    return _tuple(Judgement, (tuple(reversed(streak)), tuple(exclusions)))


# ---------------------------------------------------------------- the cap

def cap_for(eligible, pct, rounding="down", at_least_one=True):
    """How many of `eligible` subjects a round may propose: `pct` percent, rounded as the rule set
    says, at least one where anyone is eligible if it says so, never more than all."""
    if eligible <= 0:
        return 0
    cap = int((Decimal(eligible) * Decimal(pct) / 100).to_integral_value(rounding=ROUNDINGS[rounding]))
    if at_least_one:
        cap = max(cap, 1)
    return min(cap, eligible)


@dataclass(frozen=True)
class Ballot:
    """A proposed subject at the review meeting: its votes, when it registered, its code."""

    key: object
    votes_for: int
    votes_against: int = 0
    registered_on: datetime.date | None = None
    code: str = ""

    @property
    def agree_share(self):
        cast = self.votes_for + self.votes_against
        return Decimal(self.votes_for) / cast if cast else Decimal(0)


@dataclass(frozen=True)
class CapResult:
    admitted: tuple  # ballot keys, best first
    left_out: tuple
    cap: int
    # The keys tied on agree votes with the last admitted, where the tie reached past the cap:
    # the page says the tie-break decided between them (or that all were admitted).
    tied_at_cut: tuple = ()


def _order_key(ballot, tie_break):
    key = [-ballot.votes_for]
    for criterion in tie_break:
        if criterion == "agree_share":
            key.append(-ballot.agree_share)
        elif criterion == "registered_on":
            key.append(ballot.registered_on or datetime.date.max)
        elif criterion == "code":
            key.append(ballot.code)
    return key


def rank_within_cap(ballots, cap, tie_break=("agree_share", "registered_on", "code")):
    """Rank by agree votes and keep `cap`; at the cut-off, the rule set's `tie_break` decides, or
    (["admit_all_tied"]) everyone tied with the last admitted is admitted too."""
    tie_break = tuple(tie_break)
    admit_all = tie_break == (ADMIT_ALL_TIED,)
    ordered = sorted(ballots, key=lambda b: _order_key(b, () if admit_all else tie_break))
    if cap <= 0 or not ordered:
        return CapResult(admitted=(), left_out=tuple(b.key for b in ordered), cap=max(cap, 0))
    if len(ordered) <= cap:
        return CapResult(admitted=tuple(b.key for b in ordered), left_out=(), cap=cap)
    cut_votes = ordered[cap - 1].votes_for
    tied = tuple(b.key for b in ordered if b.votes_for == cut_votes)
    reaches_past = ordered[cap].votes_for == cut_votes
    if admit_all:
        admitted = [b for b in ordered if b.votes_for >= cut_votes]
    else:
        admitted = ordered[:cap]
    kept = {id(b) for b in admitted}
    return CapResult(admitted=tuple(b.key for b in admitted),
                     left_out=tuple(b.key for b in ordered if id(b) not in kept),
                     cap=cap, tied_at_cut=tied if reaches_past else ())


def cap_refusal(proposed, eligible, rules):
    """The message refusing `proposed` subjects where the cap is lower, or None within the cap."""
    cap = rules.cap(eligible)
    if proposed <= cap:
        return None
    return _("%(proposed)s proposed, the cap is %(cap)s of %(eligible)s eligible (%(pct)s%%).") % {
        "proposed": proposed, "cap": cap, "eligible": eligible, "pct": format_pct(rules.cap_pct)}


# ---------------------------------------------------------------- the register

def merit_titles_counting(title_type):
    """The certificate-of-merit title types whose rule sets count `title_type` (one query)."""
    ids = RuleSet.objects.filter(merit__base_title=title_type.code).values("title_type_id")
    return list(TitleType.objects.filter(pk__in=ids).order_by("pk"))


def is_merit_title(title_type):
    return title_type.rule_sets.filter(merit__has_key="base_title").exists()


@dataclass(slots=True)
class Standing:
    subject: object
    judgement: Judgement

    @property
    def eligible(self):
        return self.judgement.eligible


@dataclass
class Eligibility:
    title: TitleType
    unit: object
    year: int
    rules: MeritRules | None  # the rules the list applies: those in force, else the nearest, for information
    in_force: bool
    # Why no round can be opened, when the rules are not in force for the year (None when they are).
    not_in_force: str | None
    base_title: TitleType | None = None
    standings: list = field(default_factory=list)

    @property
    def window(self):
        return self.rules.window(self.year) if self.rules else None

    @property
    def eligible(self):
        return [s for s in self.standings if s.eligible]

    @property
    def excluded(self):
        return [s for s in self.standings if not s.eligible]

    @property
    def cap(self):
        return self.rules.cap(len(self.eligible)) if self.rules else 0


def rules_for(title, year):
    """(rules, in force, why not) for `title`'s certificates of `year`. Rules not in force (none covers
    the year, or the province has not confirmed them) still come back where any exist, the ones of the
    year or else the nearest, so that the list can be shown for information."""
    in_force = RuleSet.objects.in_force_for(title, year)
    if in_force is not None:
        rules = MeritRules.of(in_force)
        if rules.in_force:
            return rules, True, None
        return rules, False, _(
            "No certificate-of-merit rule set is in force for %(year)s: %(rules)s awaits the province's "
            "confirmation, so no round can be opened. The list applies its default rules, for information.") % {"year": year, "rules": in_force.name}
    def distance(rule_set):
        if year < rule_set.effective_from.year:
            return rule_set.effective_from.year - year
        return year - rule_set.effective_to.year if rule_set.effective_to else 0

    nearest = sorted(RuleSet.objects.filter(title_type=title),
                     key=lambda r: (distance(r), -r.effective_from.toordinal()))
    if not nearest:
        return None, False, _("No certificate-of-merit rule set exists for %(title)s, so no round can be "
                              "opened.") % {"title": title}
    return MeritRules.of(nearest[0]), False, _(
        "No certificate-of-merit rule set is in force for %(year)s, so no round can be opened. The list "
        "applies the rules of %(rules)s, for information.") % {"year": year, "rules": nearest[0].name}


def eligibility(title, unit, year, *, subjects=None, base_title=None):
    """Each subject of `unit` (or of `subjects`, a queryset of them) judged for `title`'s certificate of
    `year`, from the register: five queries at most, whatever the numbers of subjects and years."""
    rules, in_force, why_not = rules_for(title, year)
    result = Eligibility(title=title, unit=unit, year=year, rules=rules, in_force=in_force, not_in_force=why_not)
    if rules is None:
        return result
    kind = subject_kind_of(title)
    today = timezone.localdate()
    day = min(datetime.date(year, 12, 31), max(today, datetime.date(year, 1, 1)))
    chosen = subjects if subjects is not None else kind.within(unit, day)
    # A queryset (the subtree's, or a caller's such as a decision's holders) is read as plain rows: a
    # 300-household decision as model instances cost more than the rest of the judgement.
    listed = kind.rows(chosen) if hasattr(chosen, "values_list") else list(chosen)
    # `base_title`: the counted title when the caller holds it already (a decision's dossier's title).
    result.base_title = (base_title if base_title is not None and base_title.code == rules.base_title
                         else TitleType.objects.filter(code=rules.base_title).first())
    if result.base_title is None or not listed:
        result.standings = [Standing(s, judge((), (), year, rules.window_years)) for s in listed]
        return result
    first = rules.window(year)[0]
    subject_field = f"{kind.field}_id"
    # Every year up to the one judged, so the streak shows how long it runs. No ORDER BY (Award's
    # Meta.ordering would sort 200,000 rows of a district for nothing).
    titles = defaultdict(list)
    title_rows = (Award.objects.filter(title_type=result.base_title, year__lte=year,
                                       **{f"{kind.field}__in": _ids(chosen)}).order_by()
                  .values_list(subject_field, "year", "decision__number", "revoked_at", "revocation__decided_on"))
    for subject_id, y, number, revoked_at, revoked_on in title_rows:
        if revoked_at is None:
            titles[subject_id].append(_tuple(TitleYear, (y, number, None)))
        else:
            titles[subject_id].append(TitleYear(y, number, revoked_on or timezone.localdate(revoked_at)))
    # A certificate whose year is before the window's first cannot reach into it; a later one can
    # (its window starts before the year judged), so no upper bound in SQL.
    merits = defaultdict(list)
    merit_rows = (Award.objects.filter(title_type=title, year__gte=first, **{f"{kind.field}__in": _ids(chosen)})
                  .order_by().values_list(subject_field, "year", "nomination__dossier__rule_set__consecutive_years",
                                          "decision__number", "revoked_at"))
    for subject_id, y, window_years, number, revoked_at in merit_rows:
        merits[subject_id].append(MeritWindow(y - (window_years or rules.window_years) + 1, y, number,
                                              timezone.localdate(revoked_at) if revoked_at else None))
    window, no_overlap, none = rules.window_years, rules.no_overlap, ()
    result.standings = [
        Standing(s, judge(titles.get(s.pk, none), merits.get(s.pk, none), year, window, no_overlap=no_overlap))
        for s in listed
    ]
    return result


def eligible_next_year(title, unit, year, subjects, *, base_title=None):
    """(Eligibility of `title`'s certificates of `year` + 1 for `subjects`, how many of them it lists as
    eligible once they hold the counted title in `year` + 1 too): those whose only exclusion is that year's
    missing title. What a decision of `year` tells its chair; the queries of `eligibility`."""
    coming = year + 1
    result = eligibility(title, unit, coming, subjects=subjects, base_title=base_title)
    only_next = (Exclusion("gap", (coming,)),)
    return result, sum(1 for s in result.standings if s.judgement.exclusions == only_next)


def subject_merits(subject, kind, unit):
    """[Eligibility of `subject` alone] for each certificate of merit of its kind, in the last year it
    holds the counted title (none where it never held it): what its own page shows, `unit` being the
    list it belongs to (a household's hamlet)."""
    found = []
    titles = TitleType.objects.filter(subject_kind=kind.code, rule_sets__merit__has_key="base_title")
    for title in titles.distinct().order_by("pk"):
        base = RuleSet.objects.filter(title_type=title).values_list("merit__base_title", flat=True).first()
        last = (Award.objects.filter(title_type__code=base, revoked_at__isnull=True, **{kind.field: subject})
                .aggregate(last=Max("year"))["last"])
        if last is not None:
            found.append(eligibility(title, unit, last, subjects=[subject]))
    return found


def _ids(subjects):
    """The subjects as the right-hand side of an IN: a subquery of their keys, or the keys of a list."""
    return subjects.values("pk") if hasattr(subjects, "values") else [s.pk for s in subjects]


def unit_lists_subjects_of(unit, title):
    return unit.level in PAGE_LEVELS.get(title.subject_kind, ())
