"""What a nomination or an award is about: a household, a hamlet, and later a person or a collective.

A title type names its subject kind (TitleType.subject_kind); every part of the engine that
must know what a subject is (the dossier's level, the candidates of a round, the roll that is
the denominator of a rate, the label in lists and messages, the phone for an SMS, the wording
of a certificate) asks the kind here instead of assuming a household. Nomination and Award keep
one concrete nullable foreign key per kind, with a check constraint that exactly one is set and
one conditional unique constraint per kind, so PROTECT, indexes and bulk inserts keep working.

Adding a kind: a foreign key on Nomination and Award (and their constraints), a class below,
and an entry in SUBJECT_KINDS.
"""

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory.models import Household, Level, Unit


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

    def ineligible(self, subjects, unit, day):
        """[(subjects, message)] for subjects that cannot be registered."""
        return []


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

    def label(self, household):
        return f"{household.head_name} ({household.code})"

    def belongs_to(self, household):
        return household.hamlet

    def contact(self, household):
        return household.phone

    def certificate_line(self, household):
        return _("Household of Mr/Ms: %(name)s") % {"name": household.head_name}


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

    def roll(self, unit, day):
        return Unit.objects.filter(parent=unit, level=Level.HAMLET).valid_on(day).count()

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

    def certificate_line(self, hamlet):
        return str(hamlet)


SUBJECT_KINDS = {kind.code: kind for kind in (HouseholdSubject(), HamletSubject())}


def subject_kind_of(title_type):
    return SUBJECT_KINDS[title_type.subject_kind]


def subject_of(nomination_or_award):
    """The household or hamlet a nomination or an award is about."""
    if nomination_or_award.household_id:
        return nomination_or_award.household
    return nomination_or_award.hamlet


# The subject's name and code in a query, for rows read without the subject: a household
# is named by its head, a hamlet by its own name.
SUBJECT_NAME = Coalesce(F("household__head_name"), F("hamlet__name"), Value(""))
SUBJECT_CODE = Coalesce(F("household__code"), F("hamlet__code"), Value(""))
