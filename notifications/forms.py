from django import forms
from django.utils.translation import gettext_lazy as _


class ChannelForm(forms.Form):
    email = forms.BooleanField(label=_("Also send me emails"), required=False)
    sms = forms.BooleanField(label=_("Also send me SMS"), required=False)
    phone = forms.CharField(label=_("Phone for SMS"), max_length=20, required=False)
