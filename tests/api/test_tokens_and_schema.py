"""API users: their own token (obtain, revoke, throttled like the login), a schema whose
type names do not depend on the request's language, and translated authentication errors."""

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Thidua-2026"
TOKEN_URL = "/api/auth/token/"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()


@pytest.fixture
def user():
    return UserFactory(username="truong_ap_api")


def test_a_user_obtains_their_token_with_their_password_and_it_authenticates(user):
    response = APIClient().post(TOKEN_URL, {"username": "truong_ap_api", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=user).key == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/dossiers/").status_code == 200
    # Asking again gives the same token, not a second one.
    again = APIClient().post(TOKEN_URL, {"username": "truong_ap_api", "password": PASSWORD}, format="json")
    assert again.json()["token"] == key and Token.objects.filter(user=user).count() == 1


def test_a_wrong_password_gets_no_token_and_a_vietnamese_message(user):
    response = APIClient().post(TOKEN_URL, {"username": "truong_ap_api", "password": "sai"}, format="json",
                                HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["details"]["non_field_errors"] == ["Sai tên đăng nhập hoặc mật khẩu."]
    assert not Token.objects.filter(user=user).exists()


def test_a_user_revokes_their_token_and_it_stops_working(user):
    key = APIClient().post(TOKEN_URL, {"username": "truong_ap_api", "password": PASSWORD},
                           format="json").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(TOKEN_URL).status_code == 204
    assert not Token.objects.filter(user=user).exists()
    refused = client.get("/api/dossiers/", HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 401
    assert refused.json()["message"] == "Mã truy cập không hợp lệ (sai, hoặc đã bị thu hồi)."


def test_revoking_needs_a_caller_and_touches_nobody_elses_token(user):
    other = UserFactory(username="nguoi_khac")
    Token.objects.create(user=other)
    assert APIClient().delete(TOKEN_URL).status_code == 401
    client = APIClient()
    client.force_authenticate(user)
    assert client.delete(TOKEN_URL).status_code == 204
    assert Token.objects.filter(user=other).exists()


def test_wrong_passwords_lock_the_token_endpoint_like_the_login(user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient().post(TOKEN_URL, {"username": "truong_ap_api", "password": "sai"}, format="json")
    locked = APIClient().post(TOKEN_URL, {"username": "truong_ap_api", "password": PASSWORD}, format="json",
                              HTTP_ACCEPT_LANGUAGE="vi")
    assert locked.status_code == 429
    assert locked.json()["code"] == "throttled" and "bị khóa trong 30 phút" in locked.json()["message"]
    assert not Token.objects.filter(user=user).exists()
    # The same lock holds on the login page.
    page = APIClient().post("/accounts/login/", {"username": "truong_ap_api", "password": PASSWORD})
    assert page.status_code == 429


def test_the_token_endpoint_is_throttled_per_client(user, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth_token": "3/minute"})
    statuses = [APIClient().post(TOKEN_URL, {"username": "nobody", "password": "x"}, format="json").status_code
                for _ in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_authentication_errors_are_translated(user):
    anonymous = APIClient().get("/api/dossiers/", HTTP_ACCEPT_LANGUAGE="vi")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    assert anonymous.json()["message"].startswith("Chưa có thông tin xác thực")
    english = APIClient().get("/api/dossiers/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"] == "Authentication credentials were not provided."
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token a b")
    assert bad.get("/api/dossiers/", HTTP_ACCEPT_LANGUAGE="vi").json()["message"] == (
        "Tiêu đề Authorization không hợp lệ: mã truy cập không được chứa khoảng trắng.")


def _without_text(node):
    """The schema with its human-readable text left out: what a client generator builds types from."""
    if isinstance(node, dict):
        return {k: _without_text(v) for k, v in node.items() if k not in ("title", "description", "summary")}
    if isinstance(node, list):
        return [_without_text(v) for v in node]
    return node


def test_schema_types_and_names_are_the_same_in_vietnamese_and_english(user):
    client = APIClient()
    client.force_authenticate(user)
    schemas = {}
    for language in ("vi", "en"):
        response = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        schemas[language] = response.json()
    assert set(schemas["vi"]["components"]["schemas"]) == set(schemas["en"]["components"]["schemas"])
    assert all(name.isascii() for name in schemas["vi"]["components"]["schemas"])
    # An inline enum with a translated title made generators name it DossiersListTrẠNgThÁI.
    params = {p["name"]: p for p in schemas["vi"]["paths"]["/api/dossiers/"]["get"]["parameters"]}
    assert params["state"]["schema"] == {"$ref": "#/components/schemas/DossierStateEnum"}
    vi, en = _without_text(schemas["vi"]), _without_text(schemas["en"])
    vi.pop("info"), en.pop("info")
    assert vi == en


def test_the_token_endpoint_is_documented(user):
    client = APIClient()
    client.force_authenticate(user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operations = schema["paths"]["/api/auth/token/"]
    assert operations["post"]["operationId"] == "auth_token_obtain"
    assert operations["delete"]["operationId"] == "auth_token_revoke"
    assert "TokenRequestRequest" in schema["components"]["schemas"] or "TokenRequest" in schema["components"]["schemas"]
