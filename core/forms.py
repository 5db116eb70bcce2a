"""Form fields and the one-time token shared by every app's forms."""

import calendar
import re
import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

# dd/mm/yyyy is what people type; ISO is what <input type=date> and scripts send.
DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DAY_MONTH_YEAR = re.compile(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*")


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

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            # "31/02/2026" is typed in the right format: telling the person to use dd/mm/yyyy
            # would send them looking for a typo in the format instead of in the day.
            raise self._no_such_day(value) from None

    def _no_such_day(self, value):
        match = DAY_MONTH_YEAR.fullmatch(str(value))
        if not match:
            return forms.ValidationError(self.error_messages["invalid"], code="invalid")
        day, month, year = (int(part) for part in match.groups())
        shown = value.strip()
        if not 1 <= month <= 12:
            return forms.ValidationError(
                _("%(value)s is not a day: a year has 12 months, not %(month)s."),
                code="no_such_month", params={"value": shown, "month": month})
        return forms.ValidationError(
            _("%(value)s is not a day: month %(month)s of %(year)s has %(days)s days."),
            code="no_such_day",
            params={"value": shown, "month": month, "year": year, "days": calendar.monthrange(year, month)[1]})


class OneTimeTokenMixin(forms.Form):
    """Every creating form carries a token drawn when it is rendered: the server
    records it with the write, so the same form sent twice is recorded once
    (core.services.once)."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["form_token"].initial = secrets.token_urlsafe(24)
