"""Form fields and the one-time token shared by every app's forms."""

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

# dd/mm/yyyy is what people type; ISO is what <input type=date> and scripts send.
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]


class DayInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        base = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off",
                "pattern": r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{4}-\d{2}-\d{2}", "class": "date"}
        super().__init__({**base, **(attrs or {})}, format="%d/%m/%Y")


class DayField(forms.DateField):
    widget = DayInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("error_messages", {"invalid": _("Enter a date as dd/mm/yyyy.")})
        super().__init__(**kwargs)


class OneTimeTokenMixin(forms.Form):
    """Every creating form carries a token drawn when it is rendered: the server
    records it with the write, so the same form sent twice is recorded once
    (core.services.once)."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["form_token"].initial = secrets.token_urlsafe(24)
