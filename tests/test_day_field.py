"""The day typed in dd/mm/yyyy: a day its month does not have is named as such, not as a bad format."""

import pytest
from django import forms
from django.utils import translation

from core.forms import DayField


def error_of(value):
    with pytest.raises(forms.ValidationError) as caught:
        DayField().clean(value)
    return caught.value.messages[0]


def test_a_day_february_does_not_have_names_the_month_and_its_days():
    with translation.override("en"):
        assert error_of("31/02/2026") == "31/02/2026 is not a day: month 2 of 2026 has 28 days."
        assert error_of("29.02.2026") == "29.02.2026 is not a day: month 2 of 2026 has 28 days."


def test_a_month_past_twelve_is_named():
    with translation.override("en"):
        assert error_of("12/13/2026") == "12/13/2026 is not a day: a year has 12 months, not 13."


def test_the_vietnamese_message_names_the_same_numbers():
    with translation.override("vi"):
        message = error_of("31/02/2026")
    assert message == "31/02/2026 không phải là một ngày: tháng 2 năm 2026 có 28 ngày."


def test_a_real_leap_day_and_a_malformed_text_are_unchanged():
    assert DayField().clean("29/02/2028").isoformat() == "2028-02-29"
    with translation.override("en"):
        assert error_of("hôm qua") == "Enter a date as dd/mm/yyyy."
