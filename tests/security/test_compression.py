"""Pages and API answers travel compressed to a client that accepts it (a 300-household
dossier page is ~10x smaller gzipped on a phone connection)."""

import gzip
import json

import pytest
from rest_framework.authtoken.models import Token

from tests.workflows.scenario import open_with_households

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(district, hamlet_head, family_title, households):
    return open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                households=households(5))


def test_an_html_page_is_sent_gzipped_to_a_client_that_accepts_it(client, dossier, hamlet_head):
    client.force_login(hamlet_head)
    plain = client.get(f"/dossiers/{dossier.pk}/")
    packed = client.get(f"/dossiers/{dossier.pk}/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert dossier.unit.name in html and len(packed.content) < len(plain.content) / 2


def test_an_api_json_answer_is_sent_gzipped_to_a_client_that_accepts_it(client, dossier, hamlet_head):
    token, _ = Token.objects.get_or_create(user=hamlet_head)
    response = client.get("/api/dossiers/", HTTP_AUTHORIZATION=f"Token {token.key}",
                          HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(response.content))
    assert dossier.pk in [row["id"] for row in body["results"]]
