"""The tally's draft on the server and the delayed sending of a meeting typed on a phone."""

import json
from datetime import date

from django.urls import reverse

from workflows import services
from workflows.models import DossierState, Meeting, TallyDraft

from .scenario import open_with_households
from .test_tally_sheet import in_english
from .test_web_flow import login

TOKEN = "phone-draft-token-0123456789"


def draft_url(name, dossier):
    return reverse(f"workflows:{name}", args=[dossier.pk])


def tally(dossier, *, present="30", votes=None):
    rows = {str(n.pk): ["30", "0", ""] for n in dossier.nominations.all()}
    rows.update(votes or {})
    return {"fields": {"held_on": "02/11/2025", "invited": "40", "present": present, "method": "show_of_hands",
                       "chaired_by": "Nguyễn Văn Trưởng",
                       # 2025 is more than 60 days ago: the head confirms the date, as on the page.
                       "dates_confirmed": "on"}, "rows": rows}


def send(client, name, dossier, *, token=TOKEN, revision=None, data=None):
    body = {"token": token, "revision": dossier.revision if revision is None else revision,
            "data": data if data is not None else tally(dossier)}
    return client.post(draft_url(name, dossier), json.dumps(body), content_type="application/json")


def open_dossier(district, head, title, households, n=3):
    dossier = open_with_households(head=head, hamlet=district.hamlet, title=title, year=2025, households=households(n))
    dossier.refresh_from_db()
    return dossier


def test_a_draft_saved_by_the_hamlet_head_is_offered_to_the_front_head_and_counts_as_no_meeting(
    client, district, hamlet_head, hamlet_front_head, family_title, households
):
    dossier = open_dossier(district, hamlet_head, family_title, households)
    login(client, hamlet_head)
    response = send(client, "meeting_draft", dossier)
    assert response.status_code == 200 and response.json()["status"] == "saved"
    # A later save of the same phone's draft replaces it.
    assert send(client, "meeting_draft", dossier, data=tally(dossier, present="31")).status_code == 200
    assert TallyDraft.objects.filter(dossier=dossier).count() == 1
    client.logout()
    login(client, hamlet_front_head)
    shown = client.get(draft_url("meeting_draft", dossier)).json()
    assert shown["draft"]["token"] == TOKEN and shown["draft"]["data"]["fields"]["present"] == "31"
    assert shown["recorded"] is False and shown["draft"]["stale"] is False
    dossier.refresh_from_db()
    assert dossier.state == DossierState.OPEN and not Meeting.objects.filter(dossier=dossier).exists()


def test_the_draft_of_another_hamlet_is_not_found_and_a_role_without_the_meeting_is_refused(
    client, district, hamlet_head, other_hamlet_head, commune_officer, family_title, households
):
    dossier = open_dossier(district, hamlet_head, family_title, households)
    login(client, other_hamlet_head)
    assert send(client, "meeting_draft", dossier).status_code == 404
    assert client.get(draft_url("meeting_draft", dossier)).status_code == 404
    assert send(client, "meeting_sync", dossier).status_code == 404
    client.logout()
    login(client, commune_officer)
    assert send(client, "meeting_draft", dossier).status_code == 403
    assert client.get(draft_url("meeting_draft", dossier)).status_code == 403
    assert send(client, "meeting_sync", dossier).status_code == 403
    assert not TallyDraft.objects.exists() and not Meeting.objects.exists()


def test_a_meeting_sent_from_the_phone_is_recorded_once_however_often_it_is_sent(
    client, district, hamlet_head, family_title, households
):
    dossier = open_dossier(district, hamlet_head, family_title, households)
    login(client, hamlet_head)
    first = send(client, "meeting_sync", dossier)
    assert first.status_code == 200 and first.json()["status"] == "recorded"
    # The answer was lost on the way: the phone sends the same draft again.
    again = send(client, "meeting_sync", dossier)
    assert again.status_code == 200 and again.json()["status"] == "already"
    assert Meeting.objects.filter(dossier=dossier).count() == 1
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED and dossier.proposed_count == 3
    assert client.get(draft_url("meeting_draft", dossier), {"token": TOKEN}).json()["recorded"] is True


def test_a_draft_from_before_someone_else_changed_the_dossier_is_refused_with_both_versions_and_kept(
    client, district, hamlet_head, hamlet_front_head, family_title, households
):
    dossier = open_dossier(district, hamlet_head, family_title, households)
    started_at = dossier.revision
    # The Front head records the meeting first, from another device.
    services.record_meeting(actor=hamlet_front_head, dossier=dossier, held_on=date(2025, 11, 3),
                            invited=40, present=25, method="secret_ballot", dates_confirmed=True,
                            votes={n.pk: (20, 5) for n in dossier.nominations.all()})
    login(client, hamlet_head)
    response = send(client, "meeting_sync", dossier, revision=started_at)
    assert response.status_code == 409
    answer = response.json()
    assert answer["status"] == "conflict"
    assert answer["current"]["meeting"]["present"] == 25 and answer["draft"]["data"]["fields"]["present"] == "30"
    assert Meeting.objects.filter(dossier=dossier).count() == 1
    kept = TallyDraft.objects.get(dossier=dossier, token=TOKEN)
    assert kept.revision == started_at and kept.data["fields"]["present"] == "30"


def test_a_wrong_row_sent_from_the_phone_is_refused_on_its_row_and_the_draft_is_kept(
    client, district, hamlet_head, family_title, households
):
    dossier = open_dossier(district, hamlet_head, family_title, households)
    wrong = dossier.nominations.first()
    login(in_english(client), hamlet_head)
    response = send(client, "meeting_sync", dossier, data=tally(dossier, votes={str(wrong.pk): ["3o", "0", ""]}))
    assert response.status_code == 400
    assert response.json()["rows"][str(wrong.pk)].startswith("Votes for")
    assert not Meeting.objects.exists()
    assert TallyDraft.objects.get(token=TOKEN).data["rows"][str(wrong.pk)] == ["3o", "0", ""]
