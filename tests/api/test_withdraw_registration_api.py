"""Withdrawing a registration, and a comment sent twice, through the API: the same services as the web pages."""

import pytest

from tests.workflows.scenario import open_with_households
from workflows.models import NominationState

pytestmark = pytest.mark.django_db


def test_withdraw_through_the_api(api, district, hamlet_head, family_title, households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    nomination = dossier.nominations.first()
    client = api(hamlet_head)
    refused = client.post(f"/api/dossiers/{dossier.pk}/withdraw-registrations/",
                          {"nomination_ids": [nomination.pk], "reason": ""}, format="json")
    assert refused.status_code == 400
    response = client.post(f"/api/dossiers/{dossier.pk}/withdraw-registrations/",
                           {"nomination_ids": [nomination.pk], "reason": "Mistake"}, format="json")
    assert response.status_code == 200, response.json()
    nomination.refresh_from_db()
    assert nomination.state == NominationState.WITHDRAWN


def test_a_comment_sent_twice_with_its_revision_through_the_api_is_recorded_once(
    api, district, hamlet_head, family_title, households
):
    from tests.workflows.scenario import d, meet
    from workflows import services
    from workflows.models import PostingComment

    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(1))
    meet(head=hamlet_head, dossier=dossier, held_on=d(2025, 11, 2))
    dossier.refresh_from_db()
    services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(2025, 11, 3), place="Nhà văn hóa")
    dossier.refresh_from_db()
    body = {"received_on": "2025-11-04", "author": "Ông Ba", "text": "Đồng ý", "expected_revision": dossier.revision}
    client = api(hamlet_head)
    assert client.post(f"/api/dossiers/{dossier.pk}/comment/", body, format="json").status_code == 200
    again = client.post(f"/api/dossiers/{dossier.pk}/comment/", body, format="json")
    assert again.status_code == 400
    assert PostingComment.objects.filter(posting__dossier=dossier).count() == 1
