"""Filling the .docx templates (docxtpl), converting to PDF where LibreOffice is installed,
and every certificate of a decision in one PDF."""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from docxtpl import DocxTemplate
from pypdf import PdfWriter

from titles.certificates import render_certificate

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def fill(template_path, context):
    """The template filled with `context`, as .docx bytes. Jinja autoescaping is on: a name
    with "<" or "&" is printed as typed and cannot break the document's XML."""
    template = DocxTemplate(str(template_path))
    template.render(context, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def soffice():
    """The LibreOffice executable, or None: PDF conversion is offered only where it is installed."""
    configured = getattr(settings, "SOFFICE_PATH", "") or "soffice"
    return shutil.which(configured)


def to_pdf(docx_bytes):
    """The .docx converted to PDF by LibreOffice (headless), or None when it is not installed or fails."""
    executable = soffice()
    if executable is None:
        return None
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "document.docx"
        source.write_bytes(docx_bytes)
        # Its own profile directory: a desktop LibreOffice running as the same user
        # would otherwise take the conversion over (or block it).
        profile = Path(work) / "profile"
        try:
            subprocess.run([executable, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                            "pdf", "--outdir", work, str(source)], check=True, capture_output=True,
                           timeout=settings.SOFFICE_TIMEOUT_SECONDS)
        except (subprocess.SubprocessError, OSError):
            return None
        target = Path(work) / "document.pdf"
        return target.read_bytes() if target.exists() else None


def all_certificates(awards, verify_url):
    """Every certificate of `awards` in one PDF, one page each, in the order given."""
    writer = PdfWriter()
    for award in awards:
        writer.append(io.BytesIO(render_certificate(award, verify_url(award))))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
