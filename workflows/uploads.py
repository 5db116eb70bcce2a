"""Checks on uploaded meeting minutes: what the file really is, and how big.

The type is read from the first bytes of the content, not from the name or the
browser's Content-Type, both of which the uploader controls. The stored name is
chosen here, so nothing the uploader typed reaches the storage path.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .services.errors import RuleViolation


@dataclass(frozen=True)
class MinutesType:
    extension: str
    content_type: str
    magic: bytes


MINUTES_TYPES = [
    MinutesType("pdf", "application/pdf", b"%PDF-"),
    MinutesType("jpg", "image/jpeg", b"\xff\xd8\xff"),
    MinutesType("png", "image/png", b"\x89PNG\r\n\x1a\n"),
]


def sniff_minutes_type(head):
    for kind in MINUTES_TYPES:
        if head.startswith(kind.magic):
            return kind
    return None


def validate_minutes(upload):
    """Return the upload renamed to a safe random name, or raise RuleViolation.

    Called by the meeting service before anything is written.
    """
    if not upload:
        return None
    limit = settings.MINUTES_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise RuleViolation(
            _("The minutes file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(upload.size or 0), "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise RuleViolation(_("The minutes file is empty."))
    upload.seek(0)
    kind = sniff_minutes_type(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise RuleViolation(
            _("The minutes file “%(name)s” is not a PDF, JPEG or PNG file. Scan or photograph the signed "
              "minutes and upload that.") % {"name": upload.name}
        )
    upload.name = f"bien-ban-{secrets.token_hex(8)}.{kind.extension}"
    return upload
