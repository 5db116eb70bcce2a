"""A refusal about objects the actor may not see names only what the actor may see.

Ids of another hamlet's households or of another dossier's nominations, sent in any
body (registration, tally, self-assessments, comments, strikes; API and web form),
are refused with exactly the answer an id that exists nowhere gets: the same status
and the same message, with none of the other unit's names or codes.
"""

import datetime

import pytest

from directory.models import Household, Role
from directory.services import grant_membership
from tests.api.conftest import api  # noqa: F401 (the API client fixture)
from tests.factories import HouseholdFactory, UserFactory
from tests.workflows.scenario import meet, open_with_households, send
from workflows.models import Nomination

pytestmark = pytest.mark.django_db

YEAR = 2021


@pytest.fixture
def own(district, hamlet_head, family_title, households):
    """The hamlet head's dossier with two registered households."""
    return open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=YEAR,
                                households=households(2))


@pytest.fixture
def strangers(district):
    """Six households the hamlet head may not see: of the neighbouring hamlet and of another commune."""
    return (HouseholdFactory.create_batch(3, hamlet=district.other_hamlet)
            + HouseholdFactory.create_batch(3, hamlet=district.far_hamlet))


@pytest.fixture
def far_dossier(district, family_title):
    """Another commune's dossier, with its nominations (ids the hamlet head and the commune officer may not see)."""
    head = UserFactory(username="far_head")
    grant_membership(user=head, unit=district.far_hamlet, role=Role.HAMLET_HEAD, since=datetime.date(2018, 1, 1))
    return open_with_households(head=head, hamlet=district.far_hamlet, title=family_title, year=YEAR,
                                households=HouseholdFactory.create_batch(6, hamlet=district.far_hamlet))


def _missing_ids(model, n):
    top = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return list(range(top + 1000, top + 1000 + n))


def _leaks(text, households):
    return [h for h in households if h.head_name in text or h.code in text]


def _far_nominations(far_dossier):
    nominations = list(far_dossier.nominations.select_related("household").order_by("pk"))
    return nominations, [n.household for n in nominations]


# ---------------------------------------------------------------- registration

def test_registering_another_units_households_through_the_api_answers_as_for_missing_ones(
    api, hamlet_head, own, strangers
):
    client = api(hamlet_head)
    url = f"/api/dossiers/{own.pk}/register/"
    hidden = client.post(url, {"household_ids": [h.pk for h in strangers], "registered_on": f"{YEAR}-03-02"},
                         format="json")
    missing = client.post(url, {"household_ids": _missing_ids(Household, len(strangers)),
                                "registered_on": f"{YEAR}-03-02"}, format="json")
    assert hidden.status_code == 400 and hidden.json()["code"] == "rule_violation"
    assert hidden.json() == missing.json()
    assert not _leaks(hidden.content.decode(), strangers)
    assert own.nominations.count() == 2


def test_registering_another_units_households_through_the_web_form_answers_as_for_missing_ones(
    client, hamlet_head, own, strangers
):
    client.force_login(hamlet_head)
    url = f"/dossiers/{own.pk}/register/"

    def post(ids):
        own.refresh_from_db()
        return client.post(url, {"households": ids, "registered_on": f"02/03/{YEAR}",
                                 "expected_revision": own.revision})

    hidden = post([h.pk for h in strangers])
    missing = post(_missing_ids(Household, len(strangers)))
    assert hidden.status_code == missing.status_code == 400
    assert hidden.context["error"] and hidden.context["error"] == missing.context["error"]
    assert "6" in hidden.context["error"]
    assert not _leaks(hidden.content.decode(), strangers)
    assert own.nominations.count() == 2


# ---------------------------------------------------------------- nomination ids in a body

def _same_refusal(client, url, body_for):
    """POST the body built for the other dossier's nominations and for ids that exist nowhere."""
    def ids(n):
        return _missing_ids(Nomination, n)

    return client.post(url, body_for(None), format="json"), client.post(url, body_for(ids), format="json")


def test_a_tally_naming_another_dossiers_households_answers_as_for_missing_ones(
    api, hamlet_head, own, far_dossier
):
    far, far_households = _far_nominations(far_dossier)

    def body(ids):
        pks = ids(len(far)) if ids else [n.pk for n in far]
        votes = [{"nomination": n.pk, "votes_for": 30, "votes_against": 0} for n in own.nominations.all()]
        votes += [{"nomination": pk, "votes_for": 30, "votes_against": 0} for pk in pks]
        return {"held_on": f"{YEAR}-11-02", "invited": 40, "present": 30, "method": "show_of_hands", "votes": votes}

    hidden, missing = _same_refusal(api(hamlet_head), f"/api/dossiers/{own.pk}/meeting/", body)
    assert hidden.status_code == 400 and hidden.json() == missing.json()
    assert not _leaks(hidden.content.decode(), far_households)


def test_self_assessments_naming_another_dossiers_households_answer_as_for_missing_ones(
    api, hamlet_head, own, far_dossier
):
    far, far_households = _far_nominations(far_dossier)

    def body(ids):
        pks = ids(len(far)) if ids else [n.pk for n in far]
        return {"assessments": [{"nomination": pk, "text": "Đạt"} for pk in pks], "assessed_on": f"{YEAR}-03-05"}

    hidden, missing = _same_refusal(api(hamlet_head), f"/api/dossiers/{own.pk}/self-assessments/", body)
    assert hidden.status_code == 400 and hidden.json() == missing.json()
    assert not _leaks(hidden.content.decode(), far_households)


def test_strikes_naming_another_dossiers_households_answer_as_for_missing_ones(
    api, hamlet_head, commune_officer, own, far_dossier
):
    meet(head=hamlet_head, dossier=own)
    send(head=hamlet_head, dossier=own)
    far, far_households = _far_nominations(far_dossier)

    def body(ids):
        pks = ids(len(far)) if ids else [n.pk for n in far]
        return {"strikes": [{"nomination": pk, "reason": ""} for pk in pks]}

    hidden, missing = _same_refusal(api(commune_officer), f"/api/dossiers/{own.pk}/appraise/", body)
    assert hidden.status_code == 400 and hidden.json() == missing.json()
    assert not _leaks(hidden.content.decode(), far_households)


def test_a_comment_naming_another_dossiers_household_answers_as_for_a_missing_one(
    api, district, hamlet_head, family_title, households, far_dossier
):
    from workflows import services

    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier)
    services.post_list(actor=hamlet_head, dossier=dossier, starts_on=datetime.date(2025, 11, 3), place="Nhà văn hóa")
    far, far_households = _far_nominations(far_dossier)

    def body(ids):
        pk = ids(1)[0] if ids else far[0].pk
        return {"received_on": "2025-11-04", "author": "Ông Ba", "text": "Đồng ý", "nomination": pk}

    hidden, missing = _same_refusal(api(hamlet_head), f"/api/dossiers/{dossier.pk}/comment/", body)
    assert hidden.status_code == 400 and hidden.json() == missing.json()
    assert not _leaks(hidden.content.decode(), far_households)


def test_withdrawing_another_dossiers_registrations_answers_as_for_missing_ones(
    api, hamlet_head, own, far_dossier
):
    far, far_households = _far_nominations(far_dossier)

    def body(ids):
        pks = ids(len(far)) if ids else [n.pk for n in far]
        return {"nomination_ids": pks, "reason": "Đăng ký nhầm", "expected_revision": own.revision}

    own.refresh_from_db()
    hidden, missing = _same_refusal(api(hamlet_head), f"/api/dossiers/{own.pk}/withdraw-registrations/", body)
    assert hidden.status_code == 400 and hidden.json() == missing.json()
    assert not _leaks(hidden.content.decode(), far_households)
    assert far_dossier.nominations.filter(state="registered").count() == len(far)
