"""Printing a decision from a phone: the dossier page's decision document link downloads the .docx."""

import io
from pathlib import Path

from docx import Document

from workflows import services

from ..documents.conftest import docx_text
from ..workflows.scenario import d, through_appraisal
from .support import MARKS, log_in

pytestmark = MARKS


def test_the_chair_downloads_the_signed_decision_from_the_dossier_page_on_a_phone(
    live_server, phone, district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    dossier = through_appraisal(head=hamlet_head, officer=commune_officer, hamlet=district.hamlet,
                                title=family_title, year=2025, households=households(3))
    services.decide(actor=commune_chair, dossier=dossier, number="91/QĐ-UBND", signed_on=d(2025, 11, 20),
                    signer="Phạm Văn Ký")
    log_in(phone, live_server, commune_chair)
    phone.goto(f"{live_server.url}/dossiers/{dossier.pk}/")
    link = phone.get_by_test_id("decision-document")
    link.scroll_into_view_if_needed()
    assert link.is_visible()
    with phone.expect_download() as arrived:
        link.click()
    download = arrived.value
    assert download.suggested_filename.endswith(".docx") and "quyet-dinh" in download.suggested_filename
    content = Path(download.path()).read_bytes()
    text = docx_text(content)
    assert "91/QĐ-UBND" in text and "Phạm Văn Ký" in text
    assert len(Document(io.BytesIO(content)).tables) >= 3  # heading, signature block, annex
