"""Withdrawing a registration through the API: the same service as the web page."""

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
