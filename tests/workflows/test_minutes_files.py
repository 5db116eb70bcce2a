"""Issue 18, item 12: the minutes link of the dossier page opens the file for those
who may see the dossier (and nobody else), a multi-page paper record can be
attached as several files, and a refused meeting form says the chosen file must be
chosen again."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import image_bytes, pdf_bytes
from workflows.models import Meeting, MinutesPage

from .scenario import open_with_households, snapshot

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Thidua-2026"
PDF = pdf_bytes()
JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def browser(user=None):
    client = Client()
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_login(user)
    return client


def meeting_form(dossier, files, present=30):
    data = {"expected_revision": dossier.revision, "held_on": "02/11/2025", "invited": 40, "present": present,
            "method": "show_of_hands", "chaired_by": "", "minutes": files, "dates_confirmed": "on"}
    for nomination in dossier.nominations.all():
        data[f"for_{nomination.pk}"], data[f"against_{nomination.pk}"] = 30, 0
    return data


def uploads():
    return [SimpleUploadedFile("trang-1.pdf", PDF, "application/pdf"),
            SimpleUploadedFile("trang-2.jpg", JPEG, "image/jpeg"),
            SimpleUploadedFile("trang-3.png", PNG, "image/png")]


def minutes_links(page):
    return re.findall(r'<a href="(/dossiers/\d+/meetings/\d+/minutes/\d+/)"', page)


@pytest.fixture
def recorded(district, hamlet_head, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    dossier.refresh_from_db()
    response = browser(hamlet_head).post(reverse("workflows:meeting", args=[dossier.pk]),
                                         meeting_form(dossier, uploads()))
    assert response.status_code == 302
    return dossier


def test_minutes_link_on_the_dossier_page_opens_the_file_without_being_cached(recorded, hamlet_head):
    page = browser(hamlet_head).get(reverse("workflows:dossier", args=[recorded.pk])).content.decode()
    first = minutes_links(page)[0]
    response = browser(hamlet_head).get(first)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert "/media/" not in page


def test_every_page_of_a_multi_page_minutes_is_attached_and_opens(recorded, commune_officer):
    meeting = Meeting.objects.get(dossier=recorded)
    assert list(MinutesPage.objects.filter(meeting=meeting).values_list("number", flat=True)) == [2, 3]
    from workflows.models import AuditEvent

    assert AuditEvent.objects.get(case_id=recorded.case_id, action="record_meeting").payload["minutes_pages"] == 3
    # The commune appraises the dossier: it may read the minutes too.
    client = browser(commune_officer)
    page = client.get(reverse("workflows:dossier", args=[recorded.pk])).content.decode()
    links = minutes_links(page)
    assert len(links) == 3
    bodies = [b"".join(client.get(link).streaming_content) for link in links]
    # Photos are stored re-encoded (without their metadata): the same kind, not the same bytes.
    assert bodies[0] == PDF and bodies[1][:3] == b"\xff\xd8\xff" and bodies[2][:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(links[1])["Content-Type"] == "image/jpeg"


def test_minutes_are_not_found_for_anyone_who_cannot_see_the_dossier(
    recorded, other_hamlet_head, other_commune_officer, outsider
):
    link = reverse("workflows:minutes", args=[recorded.pk, Meeting.objects.get(dossier=recorded).pk, 1])
    for user in (other_hamlet_head, other_commune_officer, outsider):
        assert browser(user).get(link).status_code == 404, user
    anonymous = browser().get(link)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_page_that_does_not_exist_is_not_found(recorded, hamlet_head):
    meeting = Meeting.objects.get(dossier=recorded)
    assert browser(hamlet_head).get(reverse("workflows:minutes", args=[recorded.pk, meeting.pk, 4])).status_code == 404


def test_more_pages_than_the_limit_are_refused_and_nothing_is_written(
    settings, district, hamlet_head, family_title, households
):
    settings.MINUTES_MAX_PAGES = 2
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(1))
    dossier.refresh_from_db()
    before = snapshot(dossier)
    response = browser(hamlet_head).post(reverse("workflows:meeting", args=[dossier.pk]),
                                         meeting_form(dossier, uploads()))
    assert response.status_code == 400
    assert "3 files were chosen for the minutes; at most 2 pages can be attached." in response.content.decode()
    assert snapshot(dossier) == before and not MinutesPage.objects.exists()


def test_a_refused_meeting_form_says_the_chosen_file_must_be_chosen_again(
    district, hamlet_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(1))
    dossier.refresh_from_db()
    # Below the quorum: the service refuses the meeting, the browser's file choice is gone.
    response = browser(hamlet_head).post(reverse("workflows:meeting", args=[dossier.pk]),
                                         meeting_form(dossier, uploads()[:1], present=5))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="minutes-lost"' in page
    assert "(trang-1.pdf) was not kept because the form was refused: choose it again" in page
    assert not Meeting.objects.exists()


def test_every_page_of_the_minutes_downloads_through_the_api_for_its_readers_only(
    recorded, commune_officer, other_commune_officer
):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def api(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    meeting = Meeting.objects.get(dossier=recorded)
    reader = api(commune_officer)
    assert reader.get(f"/api/meetings/{meeting.pk}/").json()["minutes_pages"] == 3
    pages = [reader.get(f"/api/meetings/{meeting.pk}/minutes/", {"page": n}) for n in (1, 2, 3)]
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert b"".join(pages[0].streaming_content) == PDF and pages[1]["Content-Type"] == "image/jpeg"
    assert "no-store" in pages[2]["Cache-Control"]
    assert reader.get(f"/api/meetings/{meeting.pk}/minutes/", {"page": 4}).status_code == 404
    assert api(other_commune_officer).get(f"/api/meetings/{meeting.pk}/minutes/", {"page": 2}).status_code == 404
