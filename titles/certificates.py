"""The PDF certificate of recognition (giấy công nhận), with its verification code and QR code.

The certificate is an administrative document whose wording is fixed in
Vietnamese whatever the reader's interface language, so its text lives in
CERTIFICATE_TEXT below rather than in the translation catalogue. The font is
Roboto from the `font-roboto` package (full Vietnamese coverage), so nothing
depends on fonts installed on the machine; the QR code is reportlab's own.
"""

import io
import re

import font_roboto
from django.utils import timezone

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from . import commendations
from .subjects import merit_phrase, subject_kind_of, subject_of

CERTIFICATE_TEXT = {
    "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "motto": "Độc lập – Tự do – Hạnh phúc",
    "issuer": "ỦY BAN NHÂN DÂN {unit}",
    "heading": "GIẤY CÔNG NHẬN",
    "merit_heading": "GIẤY KHEN",
    "decision": "Theo Quyết định số {number} ngày {date}",
    "place_date": "{place}, ngày {day} tháng {month} năm {year}",
    "signer_body": "TM. ỦY BAN NHÂN DÂN",
    "signer_role": "CHỦ TỊCH",
    "code": "Mã xác minh: {code}",
    "verify": "Quét mã QR hoặc truy cập {url} để kiểm tra",
    "revoked": "ĐÃ THU HỒI – {date}",
    "anchor": "Mốc neo kiểm toán: {hash}",
}

_FONTS_READY = False


def _register_fonts():
    global _FONTS_READY
    if not _FONTS_READY:
        pdfmetrics.registerFont(TTFont("Roboto", font_roboto.Roboto))
        pdfmetrics.registerFont(TTFont("Roboto-Bold", font_roboto.RobotoBold))
        _FONTS_READY = True


def qr_drawing(url, size):
    widget = QrCodeWidget(url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing, widget


# What a certificate reads of its award, for select_related: the subject of either kind with the
# units above it, the decision, and the rule set that names the title.
CERTIFICATE_RELATED = ("title_type", "household", "household__hamlet", "household__hamlet__parent", "hamlet",
                       "hamlet__parent", "hamlet__parent__parent", "decision", "decision__unit", "nomination",
                       "nomination__dossier", "nomination__dossier__rule_set")

# How each line about the holder is drawn (titles.subjects gives the lines): font, size, red or
# not, and how far below it the next line goes (mm).
_LINE_STYLE = {"title": ("Roboto-Bold", 18, True, 17), "holder": ("Roboto-Bold", 16, False, 9),
               "text": ("Roboto", 12, False, 9)}


def _instrument(award):
    """The 18 November instrument the award's proposal asked for, or None (a title)."""
    return commendations.instrument(award.nomination.instrument) if award.nomination.instrument else None


def certificate_text(award):
    """The fixed words of the certificate: a recognition's, or those of the award's instrument (the Front's
    certificate of recognition reads "ỦY BAN MTTQ VIỆT NAM XÃ …", "GIẤY GHI NHẬN")."""
    item = _instrument(award)
    return CERTIFICATE_TEXT if item is None else {**CERTIFICATE_TEXT, **item.certificate_text}


def holder_lines(award):
    """The certificate's lines about the holder, as the award's subject kind words them."""
    kind = subject_kind_of(award.title_type)
    subject = subject_of(award)
    lines = kind.certificate_lines(award, kind.title_name(subject, award.title_type, award.nomination.dossier.rule_set))
    item = _instrument(award)
    if item is None:
        return lines
    # A commendation: who grants it ("Ủy ban MTTQ Việt Nam xã … ghi nhận"), the holder, what was achieved.
    return [("text", item.issued_by(award.decision.unit)), *(line for line in lines if line[0] != "title"),
            ("title", commendations.citation(award.year))]


# The kind words that open a unit's name; the place line names the place without them.
_KIND_WORDS = ("thành phố", "thị trấn", "thị xã", "phường", "quận", "huyện", "tỉnh", "xã")
# Parts of a typed signer that are a title, already printed above the name.
_TITLE_PART = re.compile(r"^(tm\.|kt\.|q\.|phó chủ tịch|chủ tịch|pct\b|ct\b)", re.IGNORECASE)


def place_name(unit):
    """ "Xã Dầu Giây" -> "Dầu Giây", the place the decision is signed in."""
    name = unit.name.strip()
    for word in _KIND_WORDS:
        if name.lower().startswith(word + " "):
            return name[len(word) + 1:].strip()
    return name


def place_and_date(unit, day):
    """The place-and-date line of an administrative document (Decree 30/2020, appendix I):
    days below 10 and the months January and February are written with a leading zero."""
    return CERTIFICATE_TEXT["place_date"].format(
        place=place_name(unit), day=f"{day.day:02d}", month=f"{day.month:02d}" if day.month < 3 else str(day.month),
        year=day.year)


def signer_name(signer):
    """The signer's name alone: the title is printed above it, so "Nguyễn Văn A – Chủ tịch
    UBND xã Dầu Giây" loses its second half (and "Chủ tịch, Nguyễn Văn A" its first)."""
    parts = [part.strip() for part in re.split(r"\s[–—-]\s|,", signer) if part.strip()]
    names = [part for part in parts if not _TITLE_PART.match(part)]
    return " ".join(names) if names else signer.strip()


def render_certificate(award, verify_url, anchor_hash=None):
    """The certificate of one award as PDF bytes, worded for its subject (titles.subjects): a
    household's names its head and address, a hamlet's says "Công nhận Ấp … đạt danh hiệu …".

    `anchor_hash`: the audit anchor covering the decision, when one exists; with it
    printed, `verify_audit --expect-anchor` proves later that the decision's trail
    was not rewritten since.
    """
    _register_fonts()
    text = certificate_text(award)
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{text['heading']} {award.certificate_code}")
    pdf.setAuthor(award.decision.unit.name)
    red = HexColor("#9b1c1c")
    pdf.setStrokeColor(red)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(0.8)
    pdf.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

    center = width / 2
    pdf.setFont("Roboto-Bold", 11)
    pdf.drawCentredString(width * 0.27, height - 30 * mm, text["issuer"].format(unit=award.decision.unit.name.upper()))
    pdf.drawCentredString(width * 0.70, height - 30 * mm, text["nation"])
    pdf.setFont("Roboto", 11)
    pdf.drawCentredString(width * 0.70, height - 36 * mm, text["motto"])

    pdf.setFillColor(red)
    pdf.setFont("Roboto-Bold", 30)
    pdf.drawCentredString(center, height - 62 * mm, text["merit_heading"] if merit_phrase(award) else text["heading"])
    black = HexColor("#000000")
    y = height - 75 * mm
    for style, line in holder_lines(award):
        font, size, is_red, below = _LINE_STYLE[style]
        # A long hamlet name and title stay on one line within the frame: the font shrinks to fit.
        size = min(size, size * (width - 50 * mm) / max(pdfmetrics.stringWidth(line, font, size), 1))
        pdf.setFillColor(red if is_red else black)
        pdf.setFont(font, size)
        pdf.drawCentredString(center, y, line)
        y -= below * mm
    pdf.setFillColor(black)
    pdf.setFont("Roboto", 12)
    pdf.drawCentredString(center, y, text["decision"].format(
        number=award.decision.number, date=award.decision.signed_on.strftime("%d/%m/%Y")))

    pdf.setFont("Roboto", 12)
    pdf.drawCentredString(width * 0.72, 76 * mm, place_and_date(award.decision.unit, award.decision.signed_on))
    pdf.setFont("Roboto-Bold", 12)
    if text["signer_body"]:
        pdf.drawCentredString(width * 0.72, 68 * mm, text["signer_body"])
    pdf.drawCentredString(width * 0.72, 62 * mm, text["signer_role"])
    pdf.drawCentredString(width * 0.72, 36 * mm, signer_name(award.decision.signer))

    qr_size = 34 * mm
    drawing, _widget = qr_drawing(verify_url, qr_size)
    renderPDF.draw(drawing, pdf, 24 * mm, 26 * mm)
    pdf.setFont("Roboto-Bold", 11)
    pdf.drawString(24 * mm, 21 * mm, text["code"].format(code=award.certificate_code))
    pdf.setFont("Roboto", 8)
    pdf.drawString(24 * mm, 17 * mm, text["verify"].format(url=verify_url))
    if anchor_hash:
        pdf.setFont("Roboto", 6)
        pdf.drawRightString(width - 20 * mm, 17 * mm, text["anchor"].format(hash=anchor_hash))

    if award.revoked_at:
        pdf.saveState()
        pdf.setFillColor(red)
        pdf.setFont("Roboto-Bold", 40)
        pdf.translate(center, height / 2)
        pdf.rotate(20)
        pdf.drawCentredString(0, 0, text["revoked"].format(
            date=timezone.localtime(award.revoked_at).strftime("%d/%m/%Y")))
        pdf.restoreState()

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
