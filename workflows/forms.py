"""Forms only parse and validate input shapes; the rules live in workflows.services."""

from django import forms
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.utils.functional import cached_property
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DayField, OneTimeTokenMixin
from core.text import TEXT_MAX_LENGTH
from directory.models import Unit
from titles.services import revocation_grounds

from .models import DossierState, VotingMethod


class RevisionForm(OneTimeTokenMixin):
    """Every action form carries the revision it was rendered at (see Dossier.revision)."""

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class OpenRoundForm(OneTimeTokenMixin):
    """Which round to open: one choice of (title, unit), grouped by title, so a unit can
    only be paired with a title whose rounds it opens."""

    round = forms.ChoiceField(label=_("Title and unit"))
    year = forms.IntegerField(label=_("Campaign year"), min_value=2018, max_value=2100,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, options, **kwargs):
        """`options`: [(title type, [units])] already read; the choices render without a query."""
        super().__init__(*args, **kwargs)
        self._pairs = {f"{title.pk}:{unit.pk}": (title, unit) for title, units in options for unit in units}
        self.fields["round"].choices = [
            (str(title), [(f"{title.pk}:{unit.pk}", str(unit)) for unit in units]) for title, units in options
        ]
        self.fields["year"].initial = timezone.localdate().year

    def clean_round(self):
        return self._pairs[self.cleaned_data["round"]]


class ConfirmDates(forms.Form):
    """A form whose dates the service may find unusual (long ago, or in another month
    than the round): the box is shown with the warning, and ticking it confirms."""

    dates_confirmed = forms.BooleanField(label=_("The dates are correct"), required=False)


class RegisterForm(RevisionForm, ConfirmDates):
    registered_on = DayField(label=_("Registration date"))
    households = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    # Sent only by the "register all not yet registered" button, with the number of
    # households it named: the service refuses if the list changed since. The ticked
    # boxes are never widened into "all": exactly the posted ids are registered.
    register_all = forms.IntegerField(required=False, min_value=0)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here: the service checks each belongs to the hamlet and
        # refuses a malformed one instead of dropping it.
        self.fields["households"].choices = choices


class WithdrawForm(RevisionForm):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=TEXT_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AssessmentsForm(RevisionForm, ConfirmDates):
    assessed_on = DayField(label=_("Self-assessment date"))


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the pages of the minutes): cleans to a list."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class MeetingForm(RevisionForm, ConfirmDates):
    held_on = DayField(label=_("Meeting date"))
    invited = forms.IntegerField(label=_("Invited"), min_value=0,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    present = forms.IntegerField(label=_("Present"), min_value=0,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    method = forms.ChoiceField(label=_("Voting method"), choices=VotingMethod.choices,
                               widget=forms.RadioSelect)
    chaired_by = forms.CharField(label=_("Chaired by"), max_length=200, required=False)
    # Size and type are checked by the service (workflows.uploads), whatever the client sends.
    minutes = MultipleFileField(
        label=_("Minutes file"), required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,image/jpeg,image/png"}),
        help_text=_("A scan or photos of the signed minutes (PDF, JPEG or PNG); choose several files for "
                    "several pages."))


class MinutesForm(RevisionForm):
    """The signed minutes attached after the meeting's votes were recorded."""

    # Not required here: the service refuses an empty choice with its own message.
    minutes = MultipleFileField(
        label=_("Minutes file"), required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,image/jpeg,image/png"}),
        help_text=_("A scan or photos of the signed minutes (PDF, JPEG or PNG); choose several files for "
                    "several pages."))


def ground_code(grounds, value):
    """The exclusion ground `value` names: its code, or its number in the rule set's list (a
    large sheet without JavaScript offers the numbers of its legend on each row). A code is
    kept as it is, and anything else too: the service refuses what is not a ground, naming it."""
    value = (value or "").strip()
    if value.isdecimal() and value not in {g["code"] for g in grounds} and 1 <= int(value) <= len(grounds):
        return grounds[int(value) - 1]["code"]
    return value


class NominationRowForm(forms.Form):
    """One row of a whole-list sheet, its inputs named by the nomination (`for_<id>`, ...).

    The names stay what the sheet, its script, its saved drafts and its offline outbox post.
    Cells are parsed as typed (stripped text): which values are allowed, and the message that
    names the household and the rule, are the service's.
    """

    # field name -> the input's name before "_<nomination id>"
    INPUT_NAMES = {}

    def __init__(self, *args, nomination, **kwargs):
        self.nomination = nomination
        super().__init__(*args, **kwargs)

    def add_prefix(self, field_name):
        return f"{self.INPUT_NAMES.get(field_name, field_name)}_{self.nomination.pk}"


class NominationRowFormSet(forms.BaseFormSet):
    """A formset whose rows are the server's list of nominations, not a count the client posts.

    Django's management form would let a posted TOTAL_FORMS drop or add rows; here the rows
    are exactly the nominations the view read, so none can be left out by a forged count, and
    nothing but the row inputs is posted (the sheet's pages and drafts post no management keys).
    """

    def __init__(self, data=None, *, nominations, **kwargs):
        self.nominations = list(nominations)
        super().__init__(data, **kwargs)

    def total_form_count(self):
        return len(self.nominations)

    initial_form_count = total_form_count

    @cached_property
    def management_form(self):
        count = len(self.nominations)
        return ManagementForm({f"{self.prefix}-{name}": count for name in
                               (TOTAL_FORM_COUNT, INITIAL_FORM_COUNT, MIN_NUM_FORM_COUNT, MAX_NUM_FORM_COUNT)},
                              prefix=self.prefix, renderer=self.renderer)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "nomination": self.nominations[index]}

    def rows(self):
        """(nomination, cleaned row) pairs; the cells are free text, so every bound row cleans."""
        self.is_valid()
        return [(form.nomination, form.cleaned_data) for form in self.forms]


class TallyRowForm(NominationRowForm):
    """A household's (hamlet's) row of the review meeting's tally sheet."""

    INPUT_NAMES = {"votes_for": "for", "votes_against": "against", "ground": "excl", "change_reason": "change"}

    votes_for = forms.CharField(required=False)
    votes_against = forms.CharField(required=False)
    ground = forms.CharField(required=False)
    change_reason = forms.CharField(required=False)

    def __init__(self, *args, grounds=(), **kwargs):
        self.grounds = grounds
        super().__init__(*args, **kwargs)

    def clean_ground(self):
        return ground_code(self.grounds, self.cleaned_data["ground"])


TallyFormSet = forms.formset_factory(TallyRowForm, formset=NominationRowFormSet, extra=0)


def tally_formset(data, nominations, grounds=()):
    """The tally sheet's rows, bound to `data` (the POST, or a saved draft's copy of it);
    `grounds`: the rule set's exclusion grounds, so a ground chosen by its number is read."""
    return TallyFormSet(data, nominations=nominations, form_kwargs={"grounds": grounds}, prefix="tally")


def parse_tally(data, nominations, grounds=()):
    """(votes, exclusions, change reasons) of the listed households from the sheet's rows.

    Empty cells stay empty so the service can name the household whose votes are missing;
    a change reason is what the tally's "reason for the change" cell says (the service says
    which households owe one).
    """
    votes, exclusions, change_reasons = {}, {}, {}
    for nomination, row in tally_formset(data, nominations, grounds).rows():
        votes[nomination.pk] = (row["votes_for"], row["votes_against"])
        if row["ground"]:
            exclusions[nomination.pk] = row["ground"]
        if row["change_reason"]:
            change_reasons[nomination.pk] = row["change_reason"]
    return votes, exclusions, change_reasons


class CouncilForm(RevisionForm, ConfirmDates):
    """The emulation council's meeting before a certificate of merit is decided."""

    held_on = DayField(label=_("Council meeting date"))
    members = forms.IntegerField(label=_("Council members"), min_value=0,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    present = forms.IntegerField(label=_("Present"), min_value=0,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    conclusion = forms.CharField(label=_("Conclusion"), max_length=TEXT_MAX_LENGTH,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    minutes = MultipleFileField(
        label=_("Minutes file"), required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,image/jpeg,image/png"}),
        help_text=_("A scan or photos of the council's signed minutes (PDF, JPEG or PNG)."))


class PostingForm(RevisionForm, ConfirmDates):
    starts_on = DayField(label=_("Posted on"))
    place = forms.CharField(label=_("Place of posting"), max_length=200)


class CommentForm(RevisionForm, ConfirmDates):
    received_on = DayField(label=_("Received on"))
    author = forms.CharField(label=_("From"), max_length=200)
    nomination = forms.TypedChoiceField(label=_("About"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(label=_("Comment"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, nominations=(), kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kind is not None:
            self.fields["nomination"].label = _("About the %(subject)s") % {"subject": kind.noun}
        self.fields["nomination"].choices = [("", _("The list as a whole"))] + [
            (n.pk, f"{n.subject_name} ({n.subject_code})") for n in nominations
        ]


class SubmitForm(RevisionForm, ConfirmDates):
    submitted_on = DayField(label=_("Date sent"))
    answer = forms.CharField(
        label=_("Answer to the return"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was corrected. Required unless a correction was recorded since the return."))

    def __init__(self, *args, returned=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a returned dossier answers anything.
        if not returned:
            del self.fields["answer"]


class AppraiseForm(RevisionForm):
    pass


class StrikeRowForm(NominationRowForm):
    """A proposed household's (hamlet's) row of the appraisal: struck or not, and why."""

    INPUT_NAMES = {"strike": "strike", "reason": "reason"}

    strike = forms.BooleanField(required=False)
    reason = forms.CharField(required=False)


StrikeFormSet = forms.formset_factory(StrikeRowForm, formset=NominationRowFormSet, extra=0)


def strike_formset(data, nominations):
    return StrikeFormSet(data, nominations=nominations, prefix="strike")


class ReturnForm(RevisionForm):
    reason = forms.CharField(label=_("Reason for returning"), max_length=TEXT_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(RevisionForm, ConfirmDates):
    number = forms.CharField(label=_("Decision number"), max_length=60,
                             widget=forms.TextInput(attrs={"placeholder": "123/QĐ-UBND"}))
    signed_on = DayField(label=_("Signed on"))
    signer = forms.CharField(label=_("Signer"), max_length=200)


# ---------------------------------------------------------------- an award's revocation, supervision

class RevokeForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), widget=forms.RadioSelect)
    decision_number = forms.CharField(label=_("Revocation decision number"), max_length=60)
    decided_on = DayField(label=_("Decided on"))
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        data = revocation_grounds()
        self.fields["ground"].choices = [(g["code"], f"{g['code']}) {g['label']}") for g in data["grounds"]]
        self.fields["ground"].help_text = data["legal_basis"]


class ConcernForm(OneTimeTokenMixin):
    nomination = forms.ModelChoiceField(queryset=None, required=False, label=_("Household (optional)"),
                                        empty_label=_("The whole dossier"))
    text = forms.CharField(label=_("Concern"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nomination"].queryset = dossier.nominations.select_related("household")


class ConcernReplyForm(forms.Form):
    concern = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("Text"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}),
                           required=False)
