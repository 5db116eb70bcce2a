"""SMS through a small backend interface, chosen by SMS_BACKEND.

LoggingSmsBackend writes the message to the log (development, tests, or a
deployment without a gateway contract). HttpGatewaySmsBackend posts JSON to an
HTTP SMS gateway configured from the environment (SMS_GATEWAY_URL,
SMS_GATEWAY_TOKEN, SMS_SENDER_ID, SMS_GATEWAY_TIMEOUT).
"""

import json
import logging
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from .email import absolute

log = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class SmsBackend:
    def send(self, *, phone, text):
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    def send(self, *, phone, text):
        log.info("SMS to %s: %s", phone, text)


class HttpGatewaySmsBackend(SmsBackend):
    """POST {"to", "from", "text"} with a bearer token; any non-2xx answer is a failure."""

    def __init__(self, *, url=None, token=None, sender=None, timeout=None):
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.sender = sender or settings.SMS_SENDER_ID
        self.timeout = timeout or settings.SMS_GATEWAY_TIMEOUT
        if not self.url:
            raise SmsError("SMS_GATEWAY_URL is not set")

    def send(self, *, phone, text):
        body = json.dumps({"to": phone, "from": self.sender, "text": text}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise SmsError(f"gateway answered {response.status}")
        except OSError as exc:  # URLError, HTTPError and timeouts are all OSError
            raise SmsError(f"gateway unreachable or refused: {exc}") from exc


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send(delivery):
    notification = delivery.notification
    text = notification.text
    # Households have no account: a link to a login page would only confuse them.
    if notification.url and notification.recipient_id:
        text += " " + absolute(notification.url)
    get_backend().send(phone=delivery.address, text=text)
