"""Email through Django's configured email backend (EMAIL_BACKEND)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _


def absolute(url):
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def send(delivery):
    notification = delivery.notification
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Emulation titles: %(text)s") % {"text": notification.text[:80]}
        body = notification.text
        if notification.url:
            body += "\n\n" + _("Open: %(url)s") % {"url": absolute(notification.url)}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [delivery.address], fail_silently=False)
