"""The REST API drives the same services as the UI and shows each user only their units."""

import pytest

from tests.factories import UserFactory
from tests.workflows.scenario import d, open_with_households
from workflows.models import AuditEvent, Dossier, DossierState, Meeting, NominationState

pytestmark = pytest.mark.django_db


def _votes(dossier, votes_for=30, votes_against=0):
    return [{"nomination": n.pk, "votes_for": votes_for, "votes_against": votes_against}
            for n in dossier.nominations.all()]


def test_whole_2021_cycle_through_the_api_recognizes_the_households(
    api, district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    homes = households(3)
    head, officer, chair = api(hamlet_head), api(commune_officer), api(commune_chair)

    opened = head.post("/api/dossiers/", {"hamlet": district.hamlet.pk, "title_type": family_title.code,
                                          "year": 2021}, format="json")
    assert opened.status_code == 201, opened.json()
    pk = opened.json()["id"]
    assert opened.json()["rule_set"] == "gdvh-nd122-2018"

    r = head.post(f"/api/dossiers/{pk}/register/", {"household_ids": [h.pk for h in homes],
                                                     "registered_on": "2021-03-01"}, format="json")
    assert r.status_code == 200, r.json()
    dossier = Dossier.objects.get(pk=pk)
    r = head.post(f"/api/dossiers/{pk}/meeting/", {
        "held_on": "2021-11-02", "invited": 40, "present": 30, "method": "show_of_hands",
        "votes": _votes(dossier)}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == DossierState.REVIEWED
    r = head.post(f"/api/dossiers/{pk}/submit/", {"submitted_on": "2021-11-04"}, format="json")
    assert r.json()["state"] == DossierState.SUBMITTED, r.json()
    r = officer.post(f"/api/dossiers/{pk}/appraise/", {"strikes": []}, format="json")
    assert r.json()["state"] == DossierState.APPRAISED, r.json()
    r = chair.post(f"/api/dossiers/{pk}/decide/", {"number": "12/QĐ-UBND", "signed_on": "2021-11-20",
                                                   "signer": "Trần Văn A"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == DossierState.DECIDED, r.json()

    awards = head.get("/api/awards/", {"year": 2021}).json()
    assert awards["count"] == 3
    events = head.get("/api/audit-events/", {"dossier": pk, "page_size": 100}).json()
    assert [e["action"] for e in events["results"]][-1] == "decide"


def test_meeting_below_quorum_is_refused_with_the_rule_and_changes_nothing(
    api, district, hamlet_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    before = AuditEvent.objects.count()
    r = api(hamlet_head).post(f"/api/dossiers/{dossier.pk}/meeting/", {
        "held_on": "2021-11-02", "invited": 40, "present": 18, "method": "secret_ballot",
        "votes": _votes(dossier, 18)}, format="json")
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "rule_violation"
    assert "18/40" in body["message"] and "60%" in body["message"]  # Vietnamese by default
    assert AuditEvent.objects.count() == before
    assert not Meeting.objects.exists()
    assert set(dossier.nominations.values_list("state", flat=True)) == {NominationState.REGISTERED}


def test_malformed_request_answers_invalid_with_field_details(api, district, hamlet_head, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(1))
    r = api(hamlet_head).post(f"/api/dossiers/{dossier.pk}/meeting/", {"invited": "many"}, format="json")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    assert "invited" in r.json()["details"] and "held_on" in r.json()["details"]


def test_dossier_of_another_commune_is_not_found_and_its_lists_are_empty(
    api, district, hamlet_head, other_commune_officer, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    client = api(other_commune_officer)
    r = client.get(f"/api/dossiers/{dossier.pk}/")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client.get("/api/dossiers/").json()["count"] == 0
    assert client.get("/api/nominations/").json()["count"] == 0
    assert client.get("/api/audit-events/").json()["count"] == 0
    assert client.get("/api/households/").json()["count"] == 0
    r = client.post(f"/api/dossiers/{dossier.pk}/appraise/", {}, format="json")
    assert r.status_code == 404


def test_commune_chair_sees_the_dossier_but_cannot_register_households(
    api, district, hamlet_head, commune_chair, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(1))
    client = api(commune_chair)
    assert client.get(f"/api/dossiers/{dossier.pk}/").status_code == 200
    r = client.post(f"/api/dossiers/{dossier.pk}/register/",
                    {"household_ids": [households(1)[0].pk], "registered_on": "2021-03-02"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert dossier.nominations.count() == 1


def test_anonymous_callers_get_401_in_the_error_shape(api):
    r = api().get("/api/dossiers/")
    assert r.status_code == 401
    assert r.json()["code"] == "not_authenticated"


def test_household_phone_is_shown_only_to_roles_that_may_see_it(
    api, district, hamlet_head, commune_chair, households
):
    households(1)
    assert api(hamlet_head).get("/api/households/").json()["results"][0]["phone"] == "0912345678"
    assert api(commune_chair).get("/api/households/").json()["results"][0]["phone"] == ""


def test_dossier_list_filters_by_year_and_state(api, district, hamlet_head, family_title, households):
    open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                         households=households(1))
    client = api(hamlet_head)
    assert client.get("/api/dossiers/", {"year": 2021}).json()["count"] == 1
    assert client.get("/api/dossiers/", {"year": 2022}).json()["count"] == 0
    assert client.get("/api/dossiers/", {"state": "decided"}).json()["count"] == 0
    assert client.get("/api/dossiers/", {"state": "nonsense"}).status_code == 400


def test_schema_and_docs_are_served(api, hamlet_head):
    client = api(hamlet_head)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/dossiers/{id}/meeting/" in paths
    assert "400" in paths["/api/dossiers/{id}/meeting/"]["post"]["responses"]
    client.force_login(hamlet_head)
    assert client.get("/api/docs/").status_code == 200


def test_unknown_api_paths_and_malformed_ids_answer_json_not_found(api, hamlet_head):
    client = api(hamlet_head)
    for path in ("/api/nothing-here/", "/api/dossiers/1.5e-16/", "/api/dossiers/99999999999999999999999/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_filter_numbers_too_large_for_the_database_are_refused_as_invalid(api, hamlet_head):
    response = api(hamlet_head).get("/api/dossiers/", {"year": 10**30})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["code"] == "invalid"


def test_unknown_api_paths_answer_json_even_to_a_post_with_a_newline(api, hamlet_head):
    client = api(hamlet_head)
    client.cookies["csrftoken"] = "x" * 32
    response = client.post("/api/dossiers/%C2%84/submit/%0A", {}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_body_over_the_upload_limit_is_refused_as_invalid_json(api, hamlet_head, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api(hamlet_head).post("/api/dossiers/1/self-assessments/",
                                     {"assessments": [{"nomination": 1, "text": "0" * 5000}]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_a_superuser_reads_every_dossier_and_another_unit_s_dossier_stays_404_for_a_hamlet_head(
    api, district, hamlet_head, family_title, households
):
    # The visible subtrees come from one statement (directory.selectors.visible_unit_paths, issue 17):
    # for a superuser, every top unit's; for a hamlet head, its hamlet's only.
    own = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                               households=households(1))
    far = Dossier.objects.create(unit=district.far_hamlet, title_type=family_title, year=2021,
                                 rule_set=own.rule_set, appraising_unit=district.other_commune,
                                 deciding_unit=district.other_commune)
    root = UserFactory(username="root-api", is_superuser=True)
    listed = {row["id"] for row in api(root).get("/api/dossiers/").json()["results"]}
    assert {own.pk, far.pk} <= listed
    assert api(root).get(f"/api/dossiers/{far.pk}/").status_code == 200
    head = api(hamlet_head)
    assert {row["id"] for row in head.get("/api/dossiers/").json()["results"]} == {own.pk}
    assert head.get(f"/api/dossiers/{far.pk}/").status_code == 404
    assert head.get("/api/nominations/", {"dossier": far.pk}).json()["count"] == 0
