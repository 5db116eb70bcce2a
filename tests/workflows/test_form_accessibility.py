"""Forms as assistive technology reads them: every id on the inbox is unique (the filter's year
keeps its label), help texts and errors exist under the ids aria-describedby names, and a radio
group's errors are linked to the group."""

import re
from collections import Counter

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db


class SampleForm(forms.Form):
    held_on = forms.CharField(label="Ngày họp", help_text="dd/mm/yyyy")
    method = forms.ChoiceField(label="Hình thức", help_text="Chọn một", widget=forms.RadioSelect,
                               choices=[("a", "Giơ tay"), ("b", "Bỏ phiếu kín")])


def described_ids(html):
    return {i for attr in re.findall(r'aria-describedby="([^"]+)"', html) for i in attr.split()}


def test_inbox_ids_are_unique_and_the_filter_year_keeps_its_label(client, district, hamlet_head):
    client.force_login(hamlet_head)
    html = client.get(reverse("workflows:home")).content.decode()
    assert 'action="/rounds/open/"' in html  # both forms are on the page
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    assert '<label for="id_year">' in html and 'name="year"' in html
    assert '<label for="open_year">' in html and 'id="open_year"' in html


def test_help_text_is_printed_under_the_id_the_input_points_at():
    html = render_to_string("workflows/includes/field.html", {"field": SampleForm()["held_on"]})
    assert 'aria-describedby="id_held_on_helptext"' in html
    assert 'id="id_held_on_helptext"' in html


def test_every_id_aria_describedby_names_exists_also_with_errors():
    form = SampleForm(data={"held_on": "", "method": ""})
    assert not form.is_valid()
    for name in ("held_on", "method"):
        html = render_to_string("workflows/includes/field.html", {"field": form[name]})
        named = described_ids(html)
        assert named, name
        for target in named:
            assert f'id="{target}"' in html, (name, target)


def test_radio_group_errors_and_help_are_linked_to_its_fieldset():
    form = SampleForm(data={"held_on": "1", "method": ""})
    form.is_valid()
    html = render_to_string("workflows/includes/field.html", {"field": form["method"]})
    assert '<fieldset aria-describedby="id_method_helptext id_method_error">' in html
    assert '<div id="id_method_error"><p class="error">' in html
