"""Issue 15: the signed minutes attached on their own, after the votes: a meeting typed before
the paper was signed, or sent from the phone's outbox (which carries no file)."""

import hashlib
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import image_bytes, pdf_bytes
from workflows import services
from workflows.models import AuditEvent, DossierState, MinutesPage

from .scenario import meet, open_with_households, snapshot
from .test_tally_drafts import TOKEN, tally
from .test_tally_sheet import in_english
from .test_web_flow import login, tally_post, text, url

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()
JPEG = image_bytes("JPEG")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def typed_meeting(client, dossier, year=2025):
    """The tally typed on the page and recorded without a minutes file."""
    response = client.post(url("meeting", dossier), tally_post(
        dossier, held_on=f"02/11/{year}", invited=40, present=30,
        votes={n.pk: (30, 0) for n in dossier.nominations.all()}))
    assert response.status_code == 302, text(response)[:2000]
    dossier.refresh_from_db()
    return dossier.meetings.get()


def attach(client, dossier, files):
    return client.post(url("attach_minutes", dossier), {"expected_revision": dossier.revision, "minutes": files})


def pages():
    return [SimpleUploadedFile("trang-1.pdf", PDF, "application/pdf"),
            SimpleUploadedFile("trang-2.jpg", JPEG, "image/jpeg")]


@pytest.fixture
def dossier(district, hamlet_head, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(3))
    dossier.refresh_from_db()
    return dossier


def test_minutes_attached_after_a_typed_meeting_open_from_the_dossier_page_and_are_audited(
    client, dossier, hamlet_head, district
):
    login(in_english(client), hamlet_head)
    meeting = typed_meeting(client, dossier)
    page = text(client.get(url("dossier", dossier)))
    assert f'href="{url("attach_minutes", dossier)}" data-action="attach_minutes"' in page  # in the menu
    missing = re.search(r'data-testid="minutes-missing">(.*?)</span>', page, re.S).group(1)
    assert "Minutes not attached yet" in missing and url("attach_minutes", dossier) in missing
    form = text(client.get(url("attach_minutes", dossier)))
    assert 'enctype="multipart/form-data"' in form and "its signed minutes are not attached yet" in form
    seq = dossier.case.audit_seq

    response = attach(client, dossier, pages())

    assert response.status_code == 302 and response["Location"] == url("dossier", dossier)
    meeting.refresh_from_db()
    stored = [meeting.minutes, meeting.minutes_pages.get(number=2).file]
    assert all(stored) and meeting.minutes.name.endswith(".pdf") and stored[1].name.endswith(".jpg")
    page = text(client.get(url("dossier", dossier)))
    assert 'data-testid="minutes-missing"' not in page
    links = re.findall(r'href="(/dossiers/\d+/meetings/\d+/minutes/\d+/)"', page)
    assert links == [reverse("workflows:minutes", args=[dossier.pk, meeting.pk, n]) for n in (1, 2)]
    assert client.get(links[1])["Content-Type"] == "image/jpeg"
    # Who, as what, for which unit, when, which meeting, and each stored file with its hash.
    event = AuditEvent.objects.get(case_id=dossier.case_id, seq__gt=seq)
    assert event.action == "attach_minutes" and event.target_type == "dossier"
    assert (event.actor, event.role, event.unit) == (hamlet_head, "hamlet_head", district.hamlet)
    assert event.at is not None and event.payload["meeting"] == meeting.pk
    assert event.payload["held_on"] == "2025-11-02" and event.payload["minutes_pages"] == 2
    assert event.payload["files"] == [f.name.rsplit("/", 1)[-1] for f in stored]
    assert event.payload["sha256"] == [hashlib.sha256(f.open("rb").read()).hexdigest() for f in stored]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED and dossier.case.audit_seq == seq + 1
    # The history shows it in words.
    history = text(client.get(url("history", dossier)))
    assert "Signed minutes attached" in history and "SHA-256 of the files" in history


def test_minutes_attached_by_the_front_head_after_a_meeting_sent_from_the_phone_outbox(
    client, dossier, hamlet_front_head
):
    login(in_english(client), hamlet_front_head)
    body = {"token": TOKEN, "revision": dossier.revision, "data": tally(dossier)}
    synced = client.post(url("meeting_sync", dossier), json.dumps(body), content_type="application/json")
    assert synced.json()["status"] == "recorded"
    dossier.refresh_from_db()
    meeting = dossier.meetings.get()
    assert not meeting.minutes
    assert "Minutes not attached yet" in text(client.get(url("dossier", dossier)))

    response = attach(client, dossier, [SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")])

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes and not meeting.minutes_pages.exists()
    event = AuditEvent.objects.filter(case_id=dossier.case_id, action="attach_minutes").get()
    assert event.actor == hamlet_front_head and event.role == "hamlet_front_head"


def test_a_role_without_the_review_is_refused_and_another_hamlet_does_not_find_it(
    client, dossier, hamlet_head, commune_officer, other_hamlet_head
):
    login(client, hamlet_head)
    typed_meeting(client, dossier)
    client.logout()
    before = snapshot(dossier)
    for user, status in ((commune_officer, 403), (other_hamlet_head, 404)):
        login(client, user)
        assert client.get(url("attach_minutes", dossier)).status_code == status
        assert attach(client, dossier, pages()).status_code == status
        client.logout()
    assert snapshot(dossier) == before


def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused_naming_it_and_nothing_changes(
    client, dossier, hamlet_head, media
):
    login(in_english(client), hamlet_head)
    meeting = typed_meeting(client, dossier)
    before = snapshot(dossier)

    # The good first page is not kept either: every file is checked before any is stored.
    response = attach(client, dossier, [SimpleUploadedFile("trang-1.jpg", JPEG, "image/jpeg"),
                                        SimpleUploadedFile("bien-ban.pdf", b"not a scan at all", "application/pdf")])

    assert response.status_code == 400
    page = text(response)
    assert "The minutes file “bien-ban.pdf” is not a PDF, JPEG or PNG file." in page
    # The chosen files cannot be given back: the page names them.
    assert "The 2 files you chose (trang-1.jpg, bien-ban.pdf) were not kept" in page
    assert snapshot(dossier) == before
    meeting.refresh_from_db()
    assert not meeting.minutes and not MinutesPage.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_pages_are_added_after_those_attached_up_to_the_limit(client, dossier, hamlet_head, settings):
    settings.MINUTES_MAX_PAGES = 2
    login(in_english(client), hamlet_head)
    meeting = typed_meeting(client, dossier)
    assert attach(client, dossier, [SimpleUploadedFile("p1.pdf", PDF, "application/pdf")]).status_code == 302
    dossier.refresh_from_db()
    # Once minutes are attached the menu no longer offers it; the page still takes a forgotten page.
    assert f'href="{url("attach_minutes", dossier)}"' not in text(client.get(url("dossier", dossier)))
    assert "have 1 page; the files chosen are added from page 2" in text(client.get(url("attach_minutes", dossier)))

    refused = attach(client, dossier, pages())

    assert refused.status_code == 400
    assert ("The minutes of the meeting of 02/11/2025 already have 1 page; 2 more would make 3, and at most 2 "
            "pages can be attached.") in text(refused)
    assert attach(client, dossier, [SimpleUploadedFile("p2.jpg", JPEG, "image/jpeg")]).status_code == 302
    assert [p.number for p in meeting.minutes_pages.all()] == [2]


def test_the_send_page_warns_that_the_minutes_are_missing_without_blocking(
    client, district, hamlet_head, family_title, households
):
    # Decree 122 (2021): no posting, the reviewed list is sent at once.
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    dossier.refresh_from_db()
    login(in_english(client), hamlet_head)
    typed_meeting(client, dossier, year=2021)
    page = text(client.get(url("submit", dossier)))
    warning = re.search(r'data-testid="minutes-missing">(.*?)</div>', page, re.S).group(1)
    assert "The signed minutes of the meeting of 02/11/2021 are not attached yet" in warning
    assert url("attach_minutes", dossier) in warning
    assert "<form" in page  # a warning, not a block

    assert attach(client, dossier, [SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")]).status_code == 302
    assert 'data-testid="minutes-missing"' not in text(client.get(url("submit", dossier)))


def test_minutes_attached_to_a_returned_dossier_answer_the_return(
    client, district, hamlet_head, commune_officer, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    dossier.refresh_from_db()
    login(in_english(client), hamlet_head)
    typed_meeting(client, dossier, year=2021)
    dossier.refresh_from_db()
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=dossier.meetings.get().held_on)
    services.return_dossier(actor=commune_officer, dossier=dossier, reason="Thiếu biên bản họp")
    dossier.refresh_from_db()

    assert attach(client, dossier, [SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")]).status_code == 302

    dossier.refresh_from_db()
    # The attachment is the correction: sent again without a note.
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=dossier.meetings.get().held_on)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_the_api_attaches_several_pages_in_one_request(dossier, hamlet_head):
    meeting = meet(head=hamlet_head, dossier=dossier)
    dossier.refresh_from_db()
    api = APIClient()
    api.force_authenticate(hamlet_head)

    response = api.post(f"/api/dossiers/{dossier.pk}/minutes/", {"expected_revision": dossier.revision,
                                                                 "minutes": pages()}, format="multipart")

    assert response.status_code == 200, response.content
    assert api.get(f"/api/meetings/{meeting.pk}/").json()["minutes_pages"] == 2
    refused = api.post(f"/api/dossiers/{dossier.pk}/minutes/", {"minutes": [
        SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\nbroken", "image/png")]}, format="multipart")
    assert refused.status_code == 400 and refused.json()["code"] == "rule_violation" and "x.png" in refused.json()["message"]
    assert api.get(f"/api/meetings/{meeting.pk}/").json()["minutes_pages"] == 2
