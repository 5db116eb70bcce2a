"""Issue 15: the exclusion grounds on each tally row without JavaScript. A small sheet lists
their names on every row; a large one lists them once, numbered, and each row offers the
numbers (the script then puts the names on every row). Either way the form a browser without
JavaScript sends records the ground chosen."""

import html
import re

import pytest

from workflows.models import DossierState, NominationState
from workflows.views import actions

from .scenario import open_with_households
from .test_tally_sheet import in_english
from .test_web_flow import login, tally_post, text, url

pytestmark = pytest.mark.django_db


def options(page, pk):
    """(value sent, text shown, selected) of each option of row `pk`'s ground list, as a
    browser reads them: without a value attribute an option sends its text."""
    select = re.search(rf'<select name="excl_{pk}"[^>]*>(.*?)</select>', page, re.S).group(1)
    found = []
    for attrs, label in re.findall(r"<option([^>]*)>(.*?)</option>", select):
        value = re.search(r'value="([^"]*)"', attrs)
        label = html.unescape(label)
        found.append((html.unescape(value.group(1)) if value else label, label, "selected" in attrs))
    return found


def sent_for(page, pk, shown):
    return next(value for value, label, _selected in options(page, pk) if label == shown)


@pytest.fixture
def sheet(district, hamlet_head, family_title, households):
    # 2025: the rule set with ten exclusion grounds.
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(3))
    dossier.refresh_from_db()
    rows = list(dossier.nominations.order_by("household__code"))
    return dossier, rows, dossier.rule_set.exclusion_grounds


def record(client, dossier, rows, excl, present=30):
    return client.post(url("meeting", dossier), tally_post(
        dossier, held_on="02/11/2025", invited=40, present=present, votes={n.pk: (30, 0) for n in rows},
        **{f"excl_{rows[1].pk}": excl}))


def test_a_small_sheet_names_every_ground_on_every_row_and_records_the_one_chosen(
    client, sheet, hamlet_head
):
    dossier, rows, grounds = sheet
    login(in_english(client), hamlet_head)
    page = text(client.get(url("meeting", dossier)))
    assert 'data-testid="grounds-legend"' not in page
    for row in rows:
        assert options(page, row.pk) == [("", "–", False)] + [(g["code"], g["label"], False) for g in grounds]

    response = record(client, dossier, rows, sent_for(page, rows[1].pk, "Trốn thuế"))

    assert response.status_code == 302, text(response)[:1500]
    rows[1].refresh_from_db()
    assert rows[1].exclusion == "tax_evasion" and rows[1].state == NominationState.NOT_PROPOSED
    assert rows[1].reason == "Excluded: Trốn thuế."


def test_a_large_sheet_lists_the_grounds_once_and_a_row_chooses_one_by_its_number(
    client, sheet, hamlet_head, monkeypatch
):
    dossier, rows, grounds = sheet
    monkeypatch.setattr(actions, "GROUND_NAMES_MAX_OPTIONS", len(grounds) * len(rows) - 1)
    login(in_english(client), hamlet_head)
    page = text(client.get(url("meeting", dossier)))
    legend = re.search(r'data-testid="grounds-legend">(.*?)</div>', page, re.S).group(1)
    assert re.findall(r'<li data-code="([a-z_]+)">(.*?)</li>', legend) == [(g["code"], g["label"]) for g in grounds]
    # No name is repeated on the rows: each offers the numbers of the legend.
    numbers = [str(i) for i in range(1, len(grounds) + 1)]
    assert options(page, rows[0].pk) == [("", "–", False)] + [(n, n, False) for n in numbers]
    assert page.count("Trốn thuế") == 1
    number = str(next(i for i, g in enumerate(grounds, start=1) if g["code"] == "tax_evasion"))

    # A wrong row elsewhere: the form comes back with the number still chosen.
    votes_refused = client.post(url("meeting", dossier), tally_post(
        dossier, held_on="02/11/2025", invited=40, present=30,
        votes={**{n.pk: (30, 0) for n in rows}, rows[2].pk: (31, 0)}, **{f"excl_{rows[1].pk}": number}))
    assert votes_refused.status_code == 400
    assert (number, number, True) in options(text(votes_refused), rows[1].pk)

    response = record(client, dossier, rows, sent_for(page, rows[1].pk, number))

    assert response.status_code == 302, text(response)[:1500]
    rows[1].refresh_from_db()
    assert rows[1].exclusion == "tax_evasion" and rows[1].reason == "Excluded: Trốn thuế."
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED and dossier.proposed_count == 2


def test_a_number_that_is_no_ground_is_refused_naming_it(client, sheet, hamlet_head, monkeypatch):
    dossier, rows, grounds = sheet
    monkeypatch.setattr(actions, "GROUND_NAMES_MAX_OPTIONS", 0)
    login(in_english(client), hamlet_head)

    response = record(client, dossier, rows, str(len(grounds) + 1))

    assert response.status_code == 400
    assert f"Exclusion ground “{len(grounds) + 1}” is not one of the grounds of" in text(response)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.OPEN and not dossier.meetings.exists()


def test_the_sheet_reads_the_servers_rows_whatever_counts_or_extra_rows_are_posted(
    client, sheet, hamlet_head, district, family_title, households
):
    """The rows are a formset of the listed nominations, not of a count the client posts: a
    forged management count cannot drop a household's votes, and a row of another dossier's
    household is not read."""
    dossier, rows, grounds = sheet
    other = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2024,
                                 households=households(1))
    stranger = other.nominations.get()
    login(in_english(client), hamlet_head)

    response = client.post(url("meeting", dossier), tally_post(
        dossier, held_on="02/11/2025", invited=40, present=30, votes={n.pk: (30, 0) for n in rows},
        **{"tally-TOTAL_FORMS": "0", "tally-INITIAL_FORMS": "0", f"for_{stranger.pk}": "1",
           f"against_{stranger.pk}": "29"}))

    assert response.status_code == 302, text(response)[:1500]
    for row in rows:
        row.refresh_from_db()
        assert (row.votes_for, row.votes_against, row.state) == (30, 0, NominationState.PROPOSED)
    stranger.refresh_from_db()
    assert stranger.votes_for is None and stranger.state == NominationState.REGISTERED
