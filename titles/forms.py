"""Forms of the award and supervision pages: shapes only; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DayField, OneTimeTokenMixin
from core.text import TEXT_MAX_LENGTH

from .services import revocation_grounds


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
