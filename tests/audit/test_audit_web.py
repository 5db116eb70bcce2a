"""Revocation and supervision concerns through the web pages."""

import pytest
from django.urls import reverse

from tests.workflows.scenario import through_appraisal
from titles.models import Award, Revocation
from workflows.models import Concern, ConcernState

pytestmark = pytest.mark.django_db


def test_chair_revokes_through_the_form_and_verification_says_revoked(client, decided_dossier, commune_chair):
    award = Award.objects.filter(decision__dossier=decided_dossier).first()
    client.force_login(commune_chair)
    page = client.get(reverse("workflows:provenance", args=[award.pk]))
    assert reverse("workflows:revoke", args=[award.pk]) in page.content.decode()
    response = client.post(reverse("workflows:revoke", args=[award.pk]), {
        "ground": "c", "decision_number": "12/QĐ-UBND", "decided_on": "01/03/2022", "reason": "Thẩm định sai",
    })
    assert response.status_code == 302
    assert Revocation.objects.get(award=award).ground == "c"
    client.logout()
    body = client.get(reverse("documents:verify", args=[award.certificate_code])).content.decode()
    assert "verdict revoked" in body


def test_revoke_form_is_refused_to_an_officer_and_bad_ground_changes_nothing(
    client, decided_dossier, commune_officer, commune_chair
):
    award = Award.objects.filter(decision__dossier=decided_dossier).first()
    client.force_login(commune_officer)
    assert client.get(reverse("workflows:revoke", args=[award.pk])).status_code == 403
    client.force_login(commune_chair)
    response = client.post(reverse("workflows:revoke", args=[award.pk]), {
        "ground": "z", "decision_number": "12/QĐ", "decided_on": "01/03/2022", "reason": "x"})
    assert response.status_code == 200 and not Revocation.objects.exists()


def test_concern_raised_answered_and_closed_through_the_page(
    client, district, hamlet_head, commune_officer, supervisor, family_title, households
):
    dossier = through_appraisal(head=hamlet_head, officer=commune_officer, hamlet=district.hamlet,
                                title=family_title, year=2021, households=households(2))
    url = reverse("workflows:concerns", args=[dossier.pk])
    client.force_login(supervisor)
    assert client.post(url, {"action": "raise", "text": "Thiếu chữ ký biên bản"}).status_code == 302
    concern = Concern.objects.get()
    client.force_login(commune_officer)
    assert client.post(url, {"action": "close", "concern": concern.pk, "text": ""}).status_code == 403
    client.post(url, {"action": "answer", "concern": concern.pk, "text": "Đã bổ sung"})
    client.force_login(supervisor)
    client.post(url, {"action": "close", "concern": concern.pk, "text": "Đồng ý"})
    concern.refresh_from_db()
    assert concern.state == ConcernState.CLOSED and concern.answer == "Đã bổ sung"


def test_concerns_page_of_another_commune_is_not_found(client, decided_dossier, other_commune_officer):
    client.force_login(other_commune_officer)
    assert client.get(reverse("workflows:concerns", args=[decided_dossier.pk])).status_code == 404
