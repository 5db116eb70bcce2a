"""Forms only parse and validate input shapes; the rules live in workflows.services."""

from django import forms
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


def parse_tally(data, nominations, grounds=()):
    """Read the tally rows (for_<id>, against_<id>, excl_<id>) of the listed households;
    `grounds`: the rule set's exclusion grounds, for a ground chosen by its number.

    Empty cells stay empty so the service can name the household whose votes are missing.
    """
    votes, exclusions = {}, {}
    for nomination in nominations:
        pk = nomination.pk
        votes[pk] = (data.get(f"for_{pk}", "").strip(), data.get(f"against_{pk}", "").strip())
        ground = ground_code(grounds, data.get(f"excl_{pk}", ""))
        if ground:
            exclusions[pk] = ground
    return votes, exclusions


def parse_change_reasons(data, nominations):
    """{nomination id: reason} typed in the tally's "reason for the change" cells
    (change_<id>); the service says which households owe one."""
    return {n.pk: data.get(f"change_{n.pk}", "").strip() for n in nominations if data.get(f"change_{n.pk}", "").strip()}


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


def parse_strikes(data, nominations):
    """{nomination id: reason} for the rows whose strike box is ticked or whose reason is
    typed: a reason typed without ticking the box is a strike, never silently dropped
    (the confirmation step lists it among the struck). The reason may be empty: the
    service refuses a strike without reason, naming the household."""
    strikes = {}
    for n in nominations:
        reason = data.get(f"reason_{n.pk}", "").strip()
        if data.get(f"strike_{n.pk}") or reason:
            strikes[n.pk] = reason
    return strikes


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
