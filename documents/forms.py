from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DayField


class PublicationForm(forms.Form):
    expected_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    published_on = DayField(label=_("Published on"))
    place = forms.CharField(label=_("Where"), max_length=200,
                            help_text=_("The notice board of the commune's office, the hamlet's culture house, "
                                        "the website…"))
