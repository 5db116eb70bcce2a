"""The notification list with mark-as-read, and the channel preferences page."""

import pytest
from django.urls import reverse

from notifications.models import ChannelPreference, Notification
from tests.workflows.scenario import meet, open_with_households, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(district, hamlet_head, commune_officer, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    return dossier


def test_the_officer_sees_own_notifications_with_the_unread_count(client, submitted, commune_officer, hamlet_head):
    client.force_login(commune_officer)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert response.context["unread_notifications"] == 1
    assert [n.kind for n in response.context["page"]] == ["submitted"]
    client.force_login(hamlet_head)
    kinds = [n.kind for n in client.get(reverse("notifications:list")).context["page"]]
    assert "submitted" not in kinds


def test_opening_a_notification_marks_it_read_and_goes_to_the_dossier(client, submitted, commune_officer):
    note = Notification.objects.get(recipient=commune_officer)
    client.force_login(commune_officer)
    response = client.post(reverse("notifications:mark_read"), {"id": note.pk, "open": "1"})
    assert response.status_code == 302 and response.url == f"/dossiers/{submitted.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.get(reverse("notifications:list")).context["unread_notifications"] == 0


def test_nobody_can_mark_someone_elses_notification_read(client, submitted, commune_officer, outsider):
    note = Notification.objects.get(recipient=commune_officer)
    client.force_login(outsider)
    client.post(reverse("notifications:mark_read"), {"id": note.pk})
    client.post(reverse("notifications:mark_read"))
    note.refresh_from_db()
    assert note.read_at is None


def test_choosing_sms_without_a_phone_is_refused_and_with_one_is_saved(client, commune_officer):
    client.force_login(commune_officer)
    response = client.post(reverse("notifications:preferences"), {"sms": "on", "phone": ""},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Give a phone number to receive SMS." in response.content.decode()
    assert not ChannelPreference.objects.filter(user=commune_officer).exists()
    client.post(reverse("notifications:preferences"), {"sms": "on", "phone": "0901 234 567"})
    pref = ChannelPreference.objects.get(user=commune_officer)
    assert (pref.sms, pref.email, pref.phone) == (True, False, "0901234567")


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
