"""Uploaded minutes: only real PDF/JPEG/PNG within the size limit, served only to who may see the dossier."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import image_bytes, pdf_bytes
from tests.workflows.scenario import open_with_households
from workflows.models import AuditEvent, Meeting

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()
PNG = image_bytes("PNG")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def post_meeting(user, dossier, upload):
    votes = [{"nomination": n.pk, "votes_for": 30, "votes_against": 0} for n in dossier.nominations.all()]
    return client_for(user).post(f"/api/dossiers/{dossier.pk}/meeting/", {
        "held_on": "2021-11-02", "invited": "40", "present": "30", "method": "secret_ballot",
        "votes": json.dumps(votes), "minutes": upload}, format="multipart")


@pytest.fixture
def dossier(district, hamlet_head, family_title, households):
    return open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                households=households(2))


def test_pdf_minutes_are_stored_under_a_generated_name_outside_static(dossier, hamlet_head, media, settings):
    r = post_meeting(hamlet_head, dossier, SimpleUploadedFile("../../evil name.pdf", PDF, "application/pdf"))
    assert r.status_code == 200, r.json()
    meeting = Meeting.objects.get()
    stored = media / meeting.minutes.name
    assert stored.read_bytes() == PDF
    assert "evil" not in meeting.minutes.name and meeting.minutes.name.endswith(".pdf")
    assert not str(stored).startswith(str(settings.STATIC_ROOT))


def test_a_program_renamed_to_pdf_is_refused_and_nothing_is_recorded(dossier, hamlet_head, media):
    before = AuditEvent.objects.count()
    r = post_meeting(hamlet_head, dossier, SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00binary", "application/pdf"))
    assert r.status_code == 400 and r.json()["code"] == "rule_violation"
    assert all(kind in r.json()["message"] for kind in ("PDF", "JPEG", "PNG"))  # in any language
    assert not Meeting.objects.exists() and AuditEvent.objects.count() == before
    assert not media.exists() or not any(media.rglob("*.*"))


def test_minutes_over_the_size_limit_are_refused_with_both_sizes(dossier, hamlet_head, settings):
    settings.MINUTES_MAX_BYTES = 100
    r = post_meeting(hamlet_head, dossier, SimpleUploadedFile("scan.png", PNG + b"\x00" * 200, "image/png"))
    assert r.status_code == 400 and r.json()["code"] == "rule_violation"
    assert "100" in r.json()["message"]
    assert not Meeting.objects.exists()


def test_minutes_are_served_to_the_commune_but_not_to_another_commune(
    dossier, hamlet_head, commune_officer, other_commune_officer, client, media
):
    post_meeting(hamlet_head, dossier, SimpleUploadedFile("scan.png", PNG, "image/png"))
    meeting = Meeting.objects.get()
    url = f"/api/meetings/{meeting.pk}/minutes/"
    ok = client_for(commune_officer).get(url)
    assert ok.status_code == 200 and ok["Content-Type"] == "image/png"
    served = b"".join(ok.streaming_content)
    assert served == (media / meeting.minutes.name).read_bytes()
    assert Image.open(io.BytesIO(served)).size == Image.open(io.BytesIO(PNG)).size
    assert client_for(other_commune_officer).get(url).status_code == 404
    assert client.get(url).status_code == 401
    # Nothing under MEDIA_URL is served directly.
    assert client.get(f"/media/{meeting.minutes.name}").status_code == 404


@pytest.mark.parametrize("name,content,kind", [
    ("minutes.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>", "PDF"),
    ("minutes.pdf", b"%PDF-1.4\n" + b"\x00" * 500, "PDF"),
    ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG"),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"MZ\x90\x00 a program" * 20, "JPEG"),
    ("photo.jpg", image_bytes("JPEG")[:200], "JPEG"),  # truncated
])
def test_a_file_that_only_starts_like_a_pdf_or_image_is_refused_and_nothing_is_recorded(
    dossier, hamlet_head, media, name, content, kind
):
    before = AuditEvent.objects.count()
    r = post_meeting(hamlet_head, dossier, SimpleUploadedFile(name, content, "application/octet-stream"))
    assert r.status_code == 400 and r.json()["code"] == "rule_violation"
    assert kind in r.json()["message"] and name in r.json()["message"]
    assert not Meeting.objects.exists() and AuditEvent.objects.count() == before
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_photo_is_stored_without_its_metadata(dossier, hamlet_head, media):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x9003] = "2021:11:02 19:30:00"  # DateTimeOriginal
    photo = image_bytes("JPEG", exif=exif, size=(40, 30))
    assert b"PhoneMaker" in photo and Image.open(io.BytesIO(photo)).getexif()

    r = post_meeting(hamlet_head, dossier, SimpleUploadedFile("photo.jpg", photo, "image/jpeg"))

    assert r.status_code == 200, r.json()
    stored = (media / Meeting.objects.get().minutes.name).read_bytes()
    assert b"PhoneMaker" not in stored and b"Phone 12" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (40, 30) and not image.getexif()
