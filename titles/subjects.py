"""What a nomination or an award is about: a household, a hamlet, and later a person or a collective.

A title type names its subject kind (TitleType.subject_kind); every part of the engine that
must know what a subject is (the dossier's level, the candidates of a round, the roll that is
the denominator of a rate, the label in lists and messages, the phone for an SMS, the wording
of a certificate) asks the kind here instead of assuming a household. Nomination and Award keep
one concrete nullable foreign key per kind, with a check constraint that exactly one is set and
one conditional unique constraint per kind, so PROTECT, indexes and bulk inserts keep working.

Adding a kind: a foreign key on Nomination and Award (and their constraints), a class below,
and an entry in SUBJECT_KINDS.

The certificate's wording (certificate_lines) is an administrative text: it is fixed in
Vietnamese whatever the reader's interface language, like the rest of the certificate
(titles.certificates), so it is not in the translation catalogue.
"""

from typing import NamedTuple

from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory.models import Collective, Household, Level, Person, Unit, UnitKind
from directory.search import fold

from .models import RuleSet, TitleType, subject_code_of, subject_name_of, subject_of  # noqa: F401 - shared here


class SubjectKindBase:
    code = ""
    # The Nomination / Award foreign key that carries this kind's subject.
    field = ""
    # The level of the unit whose dossier lists the subjects: a hamlet lists its households,
    # a commune lists its hamlets.
    dossier_level = ""
    noun = ""
    nouns = ""

    def candidates(self, unit):
        """The subjects a dossier of `unit` may list (a queryset), before eligibility checks."""
        raise NotImplementedError

    def roll(self, unit, day):
        """How many subjects `unit` has on `day`: the denominator of the year's rate."""
        raise NotImplementedError

    # The field a registration list searches by name.
    name_field = ""
    # The field lists of the kind's subjects are sorted by.
    sort_field = "code"

    def registration_rows(self, unit, day):
        """The subjects the registration page lists for `unit` on `day`, each annotated with `label`,
        `detail` and `registrable` (whether the service would take it), so one page lists any kind."""
        raise NotImplementedError

    def within(self, unit, day):
        """The subjects of `unit`'s whole subtree on `day` (a queryset in the order lists show them): the
        households of a hamlet or a commune, the hamlets of a commune or a district."""
        raise NotImplementedError

    def rows(self, subjects):
        """The subjects of `within` as a long list reads them (pk, code and what label and belongs_to show)."""
        return list(subjects)

    def ineligible(self, subjects, unit, day):
        """[(subjects, message)] for subjects that cannot be registered."""
        return []

    def title_name(self, subject, title_type, rule_set):
        """The title as this subject holds it, on its certificate and the public /verify/ page."""
        return title_type.name

    def award_title(self, award):
        """The title of `award` as the public /verify/ page names it: a certificate of merit says
        "Giấy khen: đã đạt danh hiệu … N năm liên tục (first–last)"."""
        phrase = merit_phrase(award)
        if phrase:
            return f"Giấy khen: {phrase}"
        return self.title_name(subject_of(award), award.title_type, award.nomination.dossier.rule_set)

    def public_facts(self, subject):
        """[(label, value)] the public /verify/ page shows of the holder: who it is, then where."""
        raise NotImplementedError

    def document_columns(self, subject, title_type, rule_set):
        """The subject's own columns in the tables of the printed documents (documents.builder):
        "name" and "code", and what else the kind's layout prints, in the law's Vietnamese."""
        raise NotImplementedError

    def certificate_lines(self, award, title):
        """The certificate's lines about the holder, [(style, text)] in the law's Vietnamese, top
        to bottom; style is "title" (the large red line), "holder" (bold) or "text"."""
        raise NotImplementedError


class HouseholdRow(NamedTuple):
    """A household as a long list shows it; `hamlet` is the hamlet's name."""

    pk: int
    code: str
    head_name: str
    hamlet_id: int
    hamlet: str


class HouseholdSubject(SubjectKindBase):
    code = "household"
    field = "household"
    dossier_level = Level.HAMLET
    noun = pgettext_lazy("subject", "household")
    nouns = pgettext_lazy("subject", "households")
    model = Household
    loaded_fields = ("pk", "hamlet_id", "code", "head_name", "active", "members")

    def candidates(self, unit):
        return Household.objects.filter(hamlet=unit)

    name_field = "head_name"

    def registration_rows(self, unit, day):
        # A household without members is listed but not registrable (the service refuses it by name).
        return self.candidates(unit).filter(active=True).annotate(
            label=F("head_name"), detail=Concat("code", Value(" · "), "address"),
            registrable=ExpressionWrapper(Q(members__gt=0), output_field=BooleanField()))

    def ineligible(self, subjects, unit, day):
        refused = []
        inactive = [h for h in subjects if not h.active]
        if inactive:
            refused.append((inactive, _("no longer an active household of %(unit)s (moved, merged or dissolved); "
                                        "an inactive household cannot be registered.") % {"unit": unit}))
        empty = [h for h in subjects if h.members == 0]
        if empty:
            refused.append((empty, _("the household has no members on record (0 members); a household without "
                                     "members cannot be registered. Correct its members first.")))
        return refused

    def roll(self, unit, day):
        return Household.objects.filter(hamlet=unit, active=True).count()

    def within(self, unit, day):
        # Households carry no dates: the active ones of today's hamlets of the subtree.
        return (Household.objects.filter(hamlet__path__startswith=unit.path, active=True)
                .order_by("hamlet__path", "code"))

    def rows(self, subjects):
        # Plain rows: a district's 45,000 households as model instances (each with its hamlet) cost more than
        # everything else its list does.
        rows = subjects.values_list("pk", "code", "head_name", "hamlet_id", "hamlet__name")
        return [tuple.__new__(HouseholdRow, row) for row in rows]

    def label(self, household):
        return f"{household.head_name} ({household.code})"

    def belongs_to(self, household):
        return household.hamlet

    def contact(self, household):
        return household.phone

    def document_columns(self, household, title_type, rule_set):
        return {"name": household.head_name, "code": household.code}

    def public_facts(self, household):
        return [(_("Holder"), household.head_name), (_("Hamlet"), household.hamlet.name)]

    def certificate_lines(self, award, title):
        household = award.household
        parts = [household.address]
        # Addresses are often typed with the hamlet ("Số 12, tổ 3, khu phố Trần Cao Vân"):
        # a unit already named in what precedes it is not repeated.
        for unit in (household.hamlet, household.hamlet.parent if household.hamlet.parent_id else None):
            if unit is not None and fold(unit.name) not in fold(", ".join(parts)):
                parts.append(unit.name)
        address = ("text", f"Địa chỉ: {', '.join(p for p in parts if p)}")
        phrase = merit_phrase(award)
        if phrase:
            return [("holder", f"Tặng hộ gia đình ông/bà: {household.head_name}"), address,
                    ("title", phrase[0].upper() + phrase[1:])]
        return [("title", f"Danh hiệu “{title}” năm {award.year}"),
                ("holder", f"Hộ gia đình ông/bà: {household.head_name}"), address]


class HamletSubject(SubjectKindBase):
    code = "hamlet"
    field = "hamlet"
    dossier_level = Level.COMMUNE
    noun = pgettext_lazy("subject", "hamlet")
    nouns = pgettext_lazy("subject", "hamlets")
    model = Unit
    loaded_fields = ("pk", "parent_id", "code", "name", "level", "valid_from", "valid_to")

    def candidates(self, unit):
        return Unit.objects.filter(parent=unit, level=Level.HAMLET)

    name_field = "name"

    def registration_rows(self, unit, day):
        return self.candidates(unit).valid_on(day).annotate(
            label=F("name"), detail=F("code"), registrable=Value(True, output_field=BooleanField()))

    def roll(self, unit, day):
        return Unit.objects.filter(parent=unit, level=Level.HAMLET).valid_on(day).count()

    def within(self, unit, day):
        return (Unit.objects.filter(path__startswith=unit.path, level=Level.HAMLET).valid_on(day)
                .select_related("parent").order_by("path"))

    def ineligible(self, subjects, unit, day):
        gone = [s for s in subjects if not s.is_valid_on(day)]
        if not gone:
            return []
        return [(gone, _("no longer a hamlet of %(unit)s on %(date)s (merged or dissolved); it cannot be "
                         "registered.") % {"unit": unit, "date": day.strftime("%d/%m/%Y")})]

    def label(self, hamlet):
        return str(hamlet)

    def belongs_to(self, hamlet):
        return hamlet.parent

    def contact(self, hamlet):
        # A hamlet is reached through its roles (the hamlet head's account), not a phone of its own.
        return ""

    def title_name(self, hamlet, title_type, rule_set):
        # One legal title, named after the kind of the hamlet (Decree 86/2023 art. 2: an ấp counts
        # as a thôn, a khu phố as a tổ dân phố): the rule set's data names each kind's title.
        return (rule_set.title_names_by_unit_kind or {}).get(hamlet.kind) or title_type.name

    def document_columns(self, hamlet, title_type, rule_set):
        return {"name": named_with_kind(hamlet), "code": hamlet.code, "kind": UNIT_KIND_WORD.get(hamlet.kind, ""),
                "title": self.title_name(hamlet, title_type, rule_set)}

    def public_facts(self, hamlet):
        return [(_("Holder"), named_with_kind(hamlet)),
                (_("Commune"), hamlet.parent.name if hamlet.parent_id else "")]

    def certificate_lines(self, award, title):
        hamlet = award.hamlet
        above = [unit for unit in (hamlet.parent, hamlet.parent.parent if hamlet.parent else None) if unit]
        phrase = merit_phrase(award)
        if phrase:
            lines = [("holder", f"Tặng {named_with_kind(hamlet)}"), ("title", phrase[0].upper() + phrase[1:])]
        else:
            lines = [("title", f"Công nhận {named_with_kind(hamlet)} đạt danh hiệu “{title}” năm {award.year}")]
        if above:
            lines.append(("text", f"Thuộc: {', '.join(unit.name for unit in above)}"))
        return lines


# The word a hamlet's name opens with, by its kind: "Ấp Đông Kinh", "Khu phố Lập Thành".
UNIT_KIND_WORD = {UnitKind.AP: "Ấp", UnitKind.KHU_PHO: "Khu phố", UnitKind.THON: "Thôn",
                  UnitKind.TO_DAN_PHO: "Tổ dân phố"}


def named_with_kind(unit):
    """The unit's name opening with its kind's word, which a name typed without it ("Đông Kinh")
    gains: the certificate says "Công nhận Ấp Đông Kinh", not "Công nhận Đông Kinh"."""
    word = UNIT_KIND_WORD.get(unit.kind)
    if word is None or fold(unit.name).startswith(fold(word) + " "):
        return unit.name
    return f"{word} {unit.name}"


class _FrontRecordSubject(SubjectKindBase):
    """A dated record of the hamlet's Front committee (directory.Person, directory.Collective), listed on
    the hamlet's 18 November proposal list (workflows.procedures.festival)."""

    dossier_level = Level.HAMLET
    loaded_fields = ("pk", "unit_id", "valid_from", "valid_to")
    name_field = ""

    @property
    def sort_field(self):
        return self.name_field

    def candidates(self, unit):
        return self.model.objects.filter(unit=unit)

    def roll(self, unit, day):
        return self.candidates(unit).valid_on(day).count()

    def within(self, unit, day):
        return self.model.objects.filter(unit__path__startswith=unit.path).valid_on(day).order_by(
            "unit__path", self.name_field, "pk")

    def ineligible(self, subjects, unit, day):
        gone = [s for s in subjects if not s.is_valid_on(day)]
        if not gone:
            return []
        return [(gone, _("not on the records of %(unit)s on %(date)s; only a person or collective on record "
                         "that day can be proposed.") % {"unit": unit, "date": day.strftime("%d/%m/%Y")})]

    def registration_rows(self, unit, day):
        return self.candidates(unit).valid_on(day).annotate(
            label=F(self.name_field), detail=self.detail_expression(),
            registrable=Value(True, output_field=BooleanField()))

    def belongs_to(self, record):
        return record.unit

    def contact(self, record):
        # Reached through the hamlet's Front head (the app), not a phone of their own.
        return ""

    def public_facts(self, record):
        return [(_("Holder"), self.label(record)), (_("Hamlet"), record.unit.name)]

    def document_columns(self, record, title_type, rule_set):
        return {"name": self.label(record), "code": record.code}

    def certificate_lines(self, award, title):
        record = getattr(award, self.field)
        hamlet = record.unit
        above = [unit.name for unit in (hamlet, hamlet.parent) if unit is not None]
        return [("title", title), ("holder", self.certificate_holder(record)), ("text", ", ".join(above))]


class PersonSubject(_FrontRecordSubject):
    code = "person"
    field = "person"
    noun = pgettext_lazy("subject", "person")
    nouns = pgettext_lazy("subject", "people")
    model = Person
    loaded_fields = (*_FrontRecordSubject.loaded_fields, "full_name", "birth_year")
    name_field = "full_name"

    def detail_expression(self):
        return Concat(Cast("birth_year", CharField()), Value(" · "), "hamlet_role", output_field=CharField())

    def label(self, person):
        return str(person)

    def certificate_holder(self, person):
        born = f", sinh năm {person.birth_year}" if person.birth_year else ""
        return f"Ông/Bà {person.full_name}{born}"


class CollectiveSubject(_FrontRecordSubject):
    code = "collective"
    field = "collective"
    noun = pgettext_lazy("subject", "collective")
    nouns = pgettext_lazy("subject", "collectives")
    model = Collective
    loaded_fields = (*_FrontRecordSubject.loaded_fields, "name", "kind")
    name_field = "name"

    def detail_expression(self):
        return F("kind")

    def label(self, collective):
        return collective.name

    def certificate_holder(self, collective):
        return f"Tập thể {collective.name}"


SUBJECT_KINDS = {kind.code: kind for kind in (HouseholdSubject(), HamletSubject(), PersonSubject(),
                                               CollectiveSubject())}
# The Nomination / Award foreign keys of the kinds, exactly one of which is set.
SUBJECT_FIELDS = tuple(kind.field for kind in SUBJECT_KINDS.values())


def merit_phrase(award):
    """ "đã đạt danh hiệu Gia đình văn hóa 3 năm liên tục (2019–2021)" for a certificate of merit (its
    rule set's `merit` names the counted title, `consecutive_years` the window ending in its year), or
    "" for a yearly title. The counted title is named as the holder held it in the window's last year."""
    rule_set = award.nomination.dossier.rule_set
    base_code = (rule_set.merit or {}).get("base_title")
    if not base_code:
        return ""
    base = TitleType.objects.get(code=base_code)
    base_rules = RuleSet.objects.in_force_for(base, award.year)
    kind = subject_kind_of(award.title_type)
    name = kind.title_name(subject_of(award), base, base_rules) if base_rules else base.name
    first = award.year - rule_set.consecutive_years + 1
    return f"đã đạt danh hiệu {name} {rule_set.consecutive_years} năm liên tục ({first}–{award.year})"


def subject_kind_of(title_type):
    return SUBJECT_KINDS[title_type.subject_kind]


# The subject's name and code in a query, for rows read without the subject: a household
# is named by its head, a hamlet by its own name, a person by their full name.
SUBJECT_NAME = Coalesce(F("household__head_name"), F("hamlet__name"), F("person__full_name"), F("collective__name"),
                        Value(""))
SUBJECT_CODE = Coalesce(F("household__code"), F("hamlet__code"), Value(""))
