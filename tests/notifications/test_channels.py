"""The SMS channel's backends: the HTTP gateway posts what it should and reports refusals."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from notifications.channels.sms import HttpGatewaySmsBackend, SmsError


@pytest.fixture
def gateway():
    received = []

    class Handler(BaseHTTPRequestHandler):
        status = 200

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("Authorization"), json.loads(body)))
            self.send_response(Handler.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms", received, Handler
    server.shutdown()
    server.server_close()


def test_the_gateway_receives_the_phone_the_text_and_the_token(gateway):
    url, received, _ = gateway
    HttpGatewaySmsBackend(url=url, token="s3cret", sender="UBND").send(phone="0912345678", text="Xin chào")
    assert received == [("Bearer s3cret", {"to": "0912345678", "from": "UBND", "text": "Xin chào"})]


def test_a_gateway_refusal_is_a_failure_the_outbox_will_retry(gateway):
    url, _, handler = gateway
    handler.status = 503
    with pytest.raises(SmsError):
        HttpGatewaySmsBackend(url=url, token="").send(phone="0912345678", text="x")


def test_an_unreachable_gateway_is_a_failure_not_a_hang():
    with pytest.raises(SmsError):
        HttpGatewaySmsBackend(url="http://127.0.0.1:1/sms", timeout=2).send(phone="0912345678", text="x")


def test_the_gateway_backend_refuses_to_start_without_a_url(settings):
    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(SmsError):
        HttpGatewaySmsBackend()
