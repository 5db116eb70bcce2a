"""Guards no other test held (issue 18, "Tests that cannot fail today must fail"): an
action page opened in a state that does not allow it, and the action menu following
the rule set's posting step."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from .scenario import meet, open_with_households, send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def dossier_at(district, hamlet_head, family_title, households):
    def make(stage, year=2021):
        dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=year,
                                       households=households(2))
        if stage in ("reviewed", "submitted"):
            meet(head=hamlet_head, dossier=dossier)
        if stage == "submitted":
            send(head=hamlet_head, dossier=dossier)
        dossier.refresh_from_db()
        return dossier

    return make


# page, the stage it is not allowed in, who may otherwise open it
WRONG_STATE_PAGES = [
    ("register", "submitted", "hamlet_head"),
    ("assessments", "submitted", "hamlet_front_head"),
    ("meeting", "submitted", "hamlet_head"),
    ("posting", "open", "hamlet_head"),
    ("comment", "reviewed", "hamlet_head"),
    ("submit", "open", "hamlet_head"),
    ("appraise", "reviewed", "commune_officer"),
    ("return", "open", "commune_officer"),
    ("decide", "submitted", "commune_chair"),
]


@pytest.mark.parametrize("page,stage,who", WRONG_STATE_PAGES, ids=[row[0] for row in WRONG_STATE_PAGES])
def test_an_action_page_opened_in_a_state_that_does_not_allow_it_goes_back_to_the_dossier_saying_why(
    client, request, dossier_at, page, stage, who
):
    dossier = dossier_at(stage, year=2024 if page in ("posting", "comment") else 2021)
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(f"workflows:{page}", args=[dossier.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("workflows:dossier", args=[dossier.pk])
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [f"This action is not possible while the dossier is “{dossier.get_state_display()}”."]


def offered(client, dossier):
    html = client.get(reverse("workflows:dossier", args=[dossier.pk])).content.decode()
    return re.findall(r'data-action="([a-z_]+)"', html.split('id="hist-h"')[0])


def test_under_decree_122_a_reviewed_dossier_is_sent_and_never_posted(client, dossier_at, hamlet_head):
    client.force_login(hamlet_head)
    actions = offered(client, dossier_at("reviewed", year=2021))
    assert "submit" in actions and "posting" not in actions


def test_under_decree_86_a_reviewed_dossier_is_posted_before_it_can_be_sent(client, dossier_at, hamlet_head):
    client.force_login(hamlet_head)
    actions = offered(client, dossier_at("reviewed", year=2024))
    assert "posting" in actions and "submit" not in actions
