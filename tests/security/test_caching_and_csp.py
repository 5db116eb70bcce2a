"""Pages with personal data are never stored by a browser or proxy; the script policy names no CDN."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.workflows.scenario import d, through_appraisal
from titles.models import Award
from workflows import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(district, hamlet_head, commune_officer, commune_chair, family_title, households):
    cache.clear()
    dossier = through_appraisal(head=hamlet_head, officer=commune_officer, hamlet=district.hamlet,
                                title=family_title, year=2021, households=households(2))
    services.decide(actor=commune_chair, dossier=dossier, number="45/QĐ-UBND", signed_on=d(2021, 11, 25),
                    signer="Trần Văn Chủ Tịch")
    return dossier


def not_stored(response):
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives and "private" in directives


def test_pages_with_households_phones_and_certificates_are_marked_no_store(client, decided, hamlet_head):
    award = Award.objects.filter(decision__dossier=decided).order_by("pk").first()
    household = award.household
    client.force_login(hamlet_head)
    for url in ["/", f"/dossiers/{decided.pk}/", f"/households/{household.pk}/",
                f"/awards/{award.pk}/provenance/", f"/awards/{award.pk}/provenance.json",
                f"/awards/{award.pk}/certificate.pdf", "/notifications/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not_stored(response), (url, response.get("Cache-Control"))


def test_api_answers_to_a_token_are_marked_no_store(decided, hamlet_head):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=hamlet_head)[0].key}")
    for url in ["/api/households/", f"/api/dossiers/{decided.pk}/", "/api/audit-events/"]:
        response = api.get(url)
        assert response.status_code == 200, url
        assert not_stored(response), (url, response.get("Cache-Control"))


def test_the_public_verify_page_is_left_to_its_own_headers(client, decided):
    award = Award.objects.filter(decision__dossier=decided).order_by("pk").first()
    response = client.get(f"/verify/{award.certificate_code}/")
    assert response.status_code == 200
    assert "max-age=0" in response["Cache-Control"]  # never_cache: a revocation shows at once


def test_the_script_policy_allows_only_our_own_origin_even_on_the_api_docs(client, hamlet_head):
    client.force_login(hamlet_head)
    for url in ["/accounts/login/", "/api/docs/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'", (url, policy)
        assert "http" not in policy["style-src"] and "http" not in policy["img-src"], (url, policy)
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert "cdn.jsdelivr.net" not in docs
    assert "<style" not in docs and "/static/css/api-docs.css" in docs  # no inline style for the policy to block


def test_static_files_keep_their_cache_lifetime_for_a_signed_in_user(settings, hamlet_head):
    from django.test import Client

    settings.WHITENOISE_USE_FINDERS = True  # serve from the apps' static folders: tests never collect
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()  # a new client builds the middleware chain with these settings
    client.force_login(hamlet_head)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "") and "max-age" in response["Cache-Control"]
