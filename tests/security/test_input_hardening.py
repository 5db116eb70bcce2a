"""Hostile input on the web pages and the API: a clear 400 and nothing changed, never a server error.

NUL characters, JSON nested 100,000 levels deep, texts past the one length limit,
and invisible text-direction controls in names and reasons.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.text import TEXT_MAX_LENGTH
from directory.services import add_household
from tests.workflows.scenario import meet, open_with_households, send, snapshot
from workflows.models import DossierState

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


@pytest.fixture
def web():
    def make(user):
        client = Client(raise_request_exception=False)  # a server error must show as a 500, not raise
        client.force_login(user)
        return client
    return make


@pytest.fixture
def api():
    def make(user):
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client
    return make


@pytest.fixture
def open_dossier(district, hamlet_head, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    dossier.refresh_from_db()  # the revision the forms carry
    return dossier


@pytest.fixture
def submitted(open_dossier, hamlet_head):
    meet(head=hamlet_head, dossier=open_dossier)
    send(head=hamlet_head, dossier=open_dossier)
    open_dossier.refresh_from_db()
    return open_dossier


# ---------------------------------------------------------------- NUL characters

@pytest.mark.parametrize("page", ["", "register/"])
def test_a_nul_character_in_a_search_box_is_a_400_naming_it(web, hamlet_head, open_dossier, page):
    response = web(hamlet_head).get(f"/dossiers/{open_dossier.pk}/{page}", {"q": "Nguy\x00n"})
    assert response.status_code == 400
    assert 'data-testid="reason"' in response.content.decode() and "NUL" in response.content.decode()


def test_a_nul_character_in_a_raw_table_cell_is_a_400_and_changes_nothing(web, hamlet_head, open_dossier):
    nomination = open_dossier.nominations.first()
    before = snapshot(open_dossier)
    response = web(hamlet_head).post(f"/dossiers/{open_dossier.pk}/self-assessments/", {
        "assessed_on": "05/03/2021", "dates_confirmed": "on", "expected_revision": open_dossier.revision,
        f"text_{nomination.pk}": "Gia đình\x00 hòa thuận"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert snapshot(open_dossier) == before


# ---------------------------------------------------------------- deeply nested JSON

@pytest.mark.parametrize("path", ["/api/dossiers/", "/api/dossiers/{pk}/register/", "/api/dossiers/{pk}/return/"])
def test_json_nested_100000_levels_deep_is_a_400_on_any_endpoint(api, hamlet_head, open_dossier, path):
    response = api(hamlet_head).post(path.format(pk=open_dossier.pk), "[" * 100_000 + "]" * 100_000,
                                     content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] in ("parse_error", "invalid") and "JSON" in response.json()["message"]


def test_a_deeply_nested_tally_in_a_multipart_meeting_is_a_400(api, hamlet_head, open_dossier):
    before = snapshot(open_dossier)
    response = api(hamlet_head).post(f"/api/dossiers/{open_dossier.pk}/meeting/", {
        "held_on": "2021-11-02", "invited": "40", "present": "30", "method": "secret_ballot",
        "votes": "[" * 100_000 + "]" * 100_000}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert snapshot(open_dossier) == before


# ---------------------------------------------------------------- one length limit

def test_a_web_reason_over_the_api_limit_is_refused_and_changes_nothing(web, commune_officer, submitted):
    before = snapshot(submitted)
    response = web(commune_officer).post(f"/dossiers/{submitted.pk}/return/", {
        "reason": "x" * 100_000, "expected_revision": submitted.revision})
    assert response.status_code in (200, 400)
    assert str(TEXT_MAX_LENGTH) in response.content.decode().replace(".", "").replace(",", "")
    assert snapshot(submitted) == before


def test_a_web_self_assessment_over_the_limit_is_refused_naming_both_lengths(web, hamlet_head, open_dossier):
    nomination = open_dossier.nominations.first()
    before = snapshot(open_dossier)
    response = web(hamlet_head).post(f"/dossiers/{open_dossier.pk}/self-assessments/", {
        "assessed_on": "05/03/2021", "dates_confirmed": "on", "expected_revision": open_dossier.revision,
        f"text_{nomination.pk}": "x" * (TEXT_MAX_LENGTH + 1)})
    body = response.content.decode()
    assert response.status_code in (200, 400)
    assert str(TEXT_MAX_LENGTH + 1) in body and str(TEXT_MAX_LENGTH) in body
    assert snapshot(open_dossier) == before


def test_the_api_takes_a_reason_up_to_the_same_limit(api, commune_officer, submitted):
    client = api(commune_officer)
    too_long = client.post(f"/api/dossiers/{submitted.pk}/return/", {"reason": "x" * (TEXT_MAX_LENGTH + 1)},
                           format="json")
    assert too_long.status_code == 400
    at_limit = client.post(f"/api/dossiers/{submitted.pk}/return/", {"reason": "x" * TEXT_MAX_LENGTH}, format="json")
    assert at_limit.status_code == 200, at_limit.json()
    submitted.refresh_from_db()
    assert submitted.state == DossierState.RETURNED


# ---------------------------------------------------------------- text-direction controls

def test_a_right_to_left_override_in_a_web_reason_is_refused_and_changes_nothing(web, commune_officer, submitted):
    before = snapshot(submitted)
    response = web(commune_officer).post(f"/dossiers/{submitted.pk}/return/", {
        "reason": f"Thiếu biên bản {RLO}nạb néib", "expected_revision": submitted.revision})
    assert response.status_code in (200, 400)
    assert "U+202E" in response.content.decode()
    assert snapshot(submitted) == before


def test_a_right_to_left_override_in_an_api_reason_is_refused_and_changes_nothing(api, commune_officer, submitted):
    before = snapshot(submitted)
    response = api(commune_officer).post(f"/api/dossiers/{submitted.pk}/return/",
                                         {"reason": f"Thiếu {RLO}nạb néib"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "rule_violation"
    assert "U+202E" in response.json()["message"]
    assert snapshot(submitted) == before


@pytest.mark.parametrize("control", ["\u202a", "\u202d", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"])
def test_every_text_direction_control_in_a_name_is_refused(api, hamlet_head, open_dossier, control):
    votes = [{"nomination": n.pk, "votes_for": 30, "votes_against": 0} for n in open_dossier.nominations.all()]
    before = snapshot(open_dossier)
    response = api(hamlet_head).post(f"/api/dossiers/{open_dossier.pk}/meeting/", {
        "held_on": "2021-11-02", "invited": 40, "present": 30, "method": "secret_ballot",
        "chaired_by": f"Nguyễn{control} Văn A", "votes": votes}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "rule_violation", response.json()
    assert f"U+{ord(control):04X}" in response.json()["message"]
    assert snapshot(open_dossier) == before


def test_a_household_head_name_with_a_direction_control_is_refused(district, hamlet_head):
    with pytest.raises(ValidationError) as refused:
        add_household(actor=hamlet_head, hamlet=district.hamlet,
                      values={"code": "H-RLO-1", "head_name": f"Trần {RLO}A năV", "address": "", "members": 4,
                              "phone": ""})
    assert "U+202E" in " ".join(refused.value.messages)


def test_a_new_account_name_with_a_direction_control_is_refused_on_the_web_and_creates_nothing(
    web, district, commune_officer
):
    users = get_user_model().objects.count()
    response = web(commune_officer).post(reverse("directory:give_role"), {
        "unit": district.hamlet.pk, "role": "hamlet_head", "username": "truongap.moi",
        "full_name": f"Võ Thị {RLO}iaM", "email": "", "since": "01/01/2025", "until": "", "reason": "QĐ 12"})
    assert response.status_code in (200, 400)
    assert "U+202E" in response.content.decode()
    assert get_user_model().objects.count() == users
