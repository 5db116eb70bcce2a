"""Checks on uploaded meeting minutes: what the file really is, and how big.

The type is read from the content, not from the name or the browser's
Content-Type, both of which the uploader controls, and the whole file must open
as that type. The stored name is chosen here, so nothing the uploader typed
reaches the storage path.
"""

import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader

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
    content = upload.read()
    upload.seek(0)
    kind = sniff_minutes_type(content[:16])
    if kind is None:
        raise RuleViolation(
            _("The minutes file “%(name)s” is not a PDF, JPEG or PNG file. Scan or photograph the signed "
              "minutes and upload that.") % {"name": upload.name}
        )
    # The first bytes only say what the file claims to be: a file that starts like a
    # PDF and is something else (a polyglot) passed. The whole file must open as what
    # it claims, and a photo is re-encoded, which also drops its metadata (EXIF: the
    # phone, the time, often the place it was taken).
    if kind.extension == "pdf":
        content = _checked_pdf(content, upload.name)
    else:
        content = _clean_image(content, kind, upload.name)
    return ContentFile(content, name=f"bien-ban-{secrets.token_hex(8)}.{kind.extension}")


def _unreadable(name, kind):
    return RuleViolation(
        _("The minutes file “%(name)s” looks like a %(kind)s file but cannot be opened as one (damaged, or "
          "another kind of file). Scan or photograph the signed minutes again and upload that.")
        % {"name": name, "kind": kind}
    )


def _checked_pdf(content, name):
    try:
        reader = PdfReader(io.BytesIO(content))
        pages = len(reader.pages)
    except Exception:  # pypdf raises many kinds of errors on a damaged file; all mean "not a PDF"
        raise _unreadable(name, "PDF") from None
    if pages == 0:
        raise RuleViolation(_("The minutes file “%(name)s” is a PDF without any page.") % {"name": name})
    return content


PILLOW_FORMATS = {"jpg": "JPEG", "png": "PNG"}


def _clean_image(content, kind, name):
    label = PILLOW_FORMATS[kind.extension]
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != label:
                raise _unreadable(name, label)
            image.load()  # decodes every pixel: a truncated or forged image fails here
            # Keep the photo upright once the orientation tag is gone.
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("RGB", "L") and label == "JPEG":
                upright = upright.convert("RGB")
            out = io.BytesIO()
            # No exif= and no pnginfo=: Pillow writes none of the original metadata.
            upright.save(out, format=label, **({"quality": 92} if label == "JPEG" else {}))
    except RuleViolation:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _unreadable(name, label) from None
    return out.getvalue()


def validate_minutes_pages(uploads):
    """The pages of the minutes (one upload, a list of them, or none), each checked
    and renamed by validate_minutes; at most MINUTES_MAX_PAGES of them."""
    if not uploads:
        return []
    pages = list(uploads) if isinstance(uploads, (list, tuple)) else [uploads]
    limit = settings.MINUTES_MAX_PAGES
    if len(pages) > limit:
        raise RuleViolation(
            _("%(n)s files were chosen for the minutes; at most %(limit)s pages can be attached.")
            % {"n": len(pages), "limit": limit}
        )
    return [validate_minutes(page) for page in pages]
