"""Form fields shared by every app's forms."""

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
