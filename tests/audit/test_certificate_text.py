"""The certificate's wording, read back from the PDF: one address without a repeated hamlet,
the signature block of a People's Committee (TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH / name) and
the place-and-date line."""

import io

import pytest
from pypdf import PdfReader

from directory.models import Household
from titles.certificates import render_certificate
from titles.models import Award
from workflows.models import Decision

pytestmark = pytest.mark.django_db


def pdf_lines(award):
    pdf = render_certificate(award, "http://testserver/verify/X/")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture
def award(decided_dossier):
    award = Award.objects.filter(decision__dossier=decided_dossier).order_by("pk").first()
    # As the demo and the people who type them write addresses: with the hamlet in them.
    Household.objects.filter(pk=award.household_id).update(address="Số 12, tổ 3, ấp Đông Kinh")
    Decision.objects.filter(pk=award.decision_id).update(signer="Trần Văn Chủ Tịch – Chủ tịch UBND xã Gia Kiệm")
    return Award.objects.select_related("household__hamlet__parent", "decision__unit", "title_type").get(pk=award.pk)


def test_address_names_the_hamlet_once_then_the_commune(award):
    lines = pdf_lines(award)
    address = [line for line in lines if line.startswith("Địa chỉ:")]
    assert address == ["Địa chỉ: Số 12, tổ 3, ấp Đông Kinh, Gia Kiệm"]


def test_signature_block_gives_the_title_once_then_the_name(award):
    lines = pdf_lines(award)
    assert "TM. ỦY BAN NHÂN DÂN" in lines
    body = lines.index("TM. ỦY BAN NHÂN DÂN")
    assert lines[body + 1] == "CHỦ TỊCH"
    assert lines[body + 2] == "Trần Văn Chủ Tịch"
    text = "\n".join(lines)
    assert text.lower().count("chủ tịch") == 2  # the title and the name Trần Văn Chủ Tịch, nothing else


def test_place_and_date_line_above_the_signature(award):
    lines = pdf_lines(award)
    assert "Gia Kiệm, ngày 25 tháng 11 năm 2021" in lines
    assert lines.index("Gia Kiệm, ngày 25 tháng 11 năm 2021") < lines.index("TM. ỦY BAN NHÂN DÂN")


def test_place_and_date_write_early_days_and_months_with_a_leading_zero(award):
    from datetime import date

    from titles.certificates import place_and_date

    award.decision.unit.name = "Xã Dầu Giây"
    assert place_and_date(award.decision.unit, date(2026, 2, 5)) == "Dầu Giây, ngày 05 tháng 02 năm 2026"
    assert place_and_date(award.decision.unit, date(2026, 11, 5)) == "Dầu Giây, ngày 05 tháng 11 năm 2026"
