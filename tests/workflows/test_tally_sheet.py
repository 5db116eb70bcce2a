"""The tally sheet as a hamlet head on a phone sees it: every wrong row at once, on its row."""

import re

from workflows.models import DossierState

from .scenario import open_with_households
from .test_web_flow import login, tally_post, text, url


def in_english(client):
    # The assertions read the msgids; the pages are Vietnamese first.
    client.cookies["django_language"] = "en"
    return client


def test_three_wrong_rows_are_all_named_at_once_on_their_rows_and_nothing_typed_is_lost(
    client, district, hamlet_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(8))
    dossier.refresh_from_db()
    rows = list(dossier.nominations.select_related("household").order_by("household__code"))
    votes = {n.pk: (20, 5) for n in rows}
    votes[rows[1].pk] = ("2o", 5)      # a letter o for a zero
    votes[rows[4].pk] = (20, 50)       # more votes than attendees
    votes[rows[6].pk] = ("", 5)        # left empty
    login(in_english(client), hamlet_head)
    response = client.post(url("meeting", dossier), tally_post(
        dossier, held_on="02/11/2025", invited=30, present=25, votes=votes))
    assert response.status_code == 400
    page = text(response)
    start = page.index('data-testid="tally-errors"')
    summary = page[start:page.index("</div>", start)]
    for number, wrong in ((2, rows[1]), (5, rows[4]), (7, rows[6])):
        assert f'href="#r{wrong.pk}">{number}. ' in summary
        row = re.search(rf'<div class="tally-row wrong" id="r{wrong.pk}".*?</div>', page, re.S).group(0)
        assert f'id="e{wrong.pk}"' in row and wrong.household.head_name in row
    assert "3 rows of the tally must be corrected" in summary
    assert page.count('class="tally-row wrong"') == 3
    # Every number typed comes back, the wrong ones as typed.
    assert f'name="for_{rows[1].pk}" value="2o"' in page
    assert f'name="against_{rows[4].pk}" value="50"' in page
    assert f'name="for_{rows[0].pk}" value="20"' in page
    dossier.refresh_from_db()
    assert dossier.state == DossierState.OPEN and not dossier.meetings.exists()


def test_the_sheet_labels_every_input_with_household_and_column_and_carries_the_threshold(
    client, district, hamlet_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    first = dossier.nominations.select_related("household").order_by("household__code").first()
    login(in_english(client), hamlet_head)
    page = text(client.get(url("meeting", dossier)))
    assert f'<span id="h{first.pk}">{first.household.head_name}</span>' in page
    assert f'name="for_{first.pk}" value="" aria-labelledby="cf h{first.pk}"' in page
    assert 'id="cf">For<' in page and 'id="ca">Against<' in page
    # The 2021 rule set's threshold, as data for the running count.
    assert '"approval_pct": "' in page and str(dossier.rule_set.approval_pct) in page
