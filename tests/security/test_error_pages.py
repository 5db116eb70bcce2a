"""The 403, 404, 500 and lock-out pages are the project's own, in Vietnamese, inside the site frame;
a forgotten password can be reset by email from the login page."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path

from tests.factories import UserFactory


def _refuse(request):
    raise PermissionDenied


def _crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test-403/", _refuse),
    path("test-500/", _crash),
    path("", include("config.urls")),
]

FRAME = 'class="topbar"'


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_unknown_address_gets_the_framed_vietnamese_404_page(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    assert FRAME in body and "Không tìm thấy trang" in body and "Mã lỗi: 404" in body
    assert 'href="/"' in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_refused_page_gets_the_framed_vietnamese_403_page(client):
    response = client.get("/test-403/")
    assert response.status_code == 403
    body = response.content.decode()
    assert FRAME in body and "Không được phép truy cập" in body and "Mã lỗi: 403" in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_crash_gets_the_framed_vietnamese_500_page_without_a_request_context():
    client = Client(raise_request_exception=False)
    response = client.get("/test-500/")
    assert response.status_code == 500
    body = response.content.decode()
    assert FRAME in body and "Hệ thống gặp sự cố" in body and "Mã lỗi: 500" in body
    # Rendered without a request: no form that would need a CSRF token.
    assert "<form" not in body


@pytest.mark.django_db
def test_lockout_page_is_framed_says_how_long_to_wait_and_whom_to_contact(client, settings):
    settings.AXES_COOLOFF_TIME = 0.5
    settings.ACCOUNT_SUPPORT_CONTACT = "Văn phòng UBND xã, 0251 3 123 456"
    UserFactory(username="truong_ap_khoa")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "truong_ap_khoa", "password": "sai-mat-khau"})
    response = client.post("/accounts/login/", {"username": "truong_ap_khoa", "password": "pw-Thidua-2026"})
    assert response.status_code == 429
    body = response.content.decode()
    assert FRAME in body and "Tài khoản tạm thời bị khóa" in body
    assert "Vui lòng chờ 30 phút rồi thử lại." in body
    assert f"sai {settings.AXES_FAILURE_LIMIT} lần liên tiếp" in body
    assert "Văn phòng UBND xã, 0251 3 123 456" in body
    assert 'href="/accounts/password-reset/"' in body


@pytest.mark.django_db
def test_login_page_links_to_the_password_reset(client):
    body = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in body and "Quên mật khẩu?" in body


@pytest.mark.django_db
def test_password_reset_by_email_sets_a_new_password_once(client):
    user = UserFactory(username="truong_ap_quen", email="quen@example.org")
    response = client.post("/accounts/password-reset/", {"email": "quen@example.org"})
    assert response.status_code == 302
    assert "Kiểm tra hộp thư" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["quen@example.org"]
    assert message.subject == "Đặt mật khẩu mới cho hệ thống Danh hiệu thi đua"
    assert "Xin chào truong_ap_quen" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Đặt mật khẩu mới" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Moi-Thidua-2027x", "new_password2": "Moi-Thidua-2027x"})
    assert done.status_code == 302
    assert "Đã đổi mật khẩu" in client.get(done["Location"]).content.decode()
    user.refresh_from_db()
    assert user.check_password("Moi-Thidua-2027x")

    again = client.get(link, follow=True).content.decode()
    assert "không còn hiệu lực" in again


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/accounts/password-reset/", {"email": "ai-do@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_framed_vietnamese_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert FRAME in body and "Biểu mẫu đã hết hạn" in body and "chưa có gì được lưu" in body
