"""The hamlet title (Ấp / Khu phố văn hóa) in the register: its certificate, its public /verify/ page and
the documents of its dossier, worded for a hamlet of the commune rather than a household."""

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from directory.models import Unit
from tests.workflows.scenario import d
from titles.models import Award
from workflows.services import revoke_award
from workflows.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    cache.clear()


def awards_of(dossier):
    return {a.hamlet.name: a for a in Award.objects.filter(decision__dossier=dossier).select_related("hamlet")}


def pdf_lines(content):
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def certificate(client, user, award):
    client.force_login(user)
    response = client.get(reverse("workflows:certificate", args=[award.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return pdf_lines(response.content)


def test_the_2025_certificate_recognizes_the_hamlet_under_its_kinds_title_signed_by_the_commune_chair(
    client, hamlets_decided_2025, commune_chair
):
    awards = awards_of(hamlets_decided_2025)
    assert set(awards) == {"Ấp Đông Kinh", "Khu phố Lập Thành"}  # Ấp Võ Dõng was not proposed
    lines = certificate(client, commune_chair, awards["Ấp Đông Kinh"])
    assert "Công nhận Ấp Đông Kinh đạt danh hiệu “Ấp văn hóa” năm 2025" in lines
    assert "Thuộc: Gia Kiệm, Thống Nhất" in lines
    assert "ỦY BAN NHÂN DÂN GIA KIỆM" in lines
    body = lines.index("TM. ỦY BAN NHÂN DÂN")
    assert lines[body + 1:body + 3] == ["CHỦ TỊCH", "Phạm Văn Ký"]
    assert "Gia Kiệm, ngày 20 tháng 11 năm 2025" in lines
    assert "Theo Quyết định số 88/QĐ-UBND ngày 20/11/2025" in lines
    assert not any(line.startswith("Hộ gia đình") or line.startswith("Địa chỉ") for line in lines)
    quarter = certificate(client, commune_chair, awards["Khu phố Lập Thành"])
    assert "Công nhận Khu phố Lập Thành đạt danh hiệu “Khu phố văn hóa” năm 2025" in quarter


def test_the_2021_certificate_is_issued_and_signed_by_the_district_chair(
    client, hamlets_decided_2021, district_chair
):
    lines = certificate(client, district_chair, awards_of(hamlets_decided_2021)["Khu phố Lập Thành"])
    assert "Công nhận Khu phố Lập Thành đạt danh hiệu “Khu phố văn hóa” năm 2021" in lines
    assert "Thuộc: Gia Kiệm, Thống Nhất" in lines
    assert "ỦY BAN NHÂN DÂN THỐNG NHẤT" in lines
    body = lines.index("TM. ỦY BAN NHÂN DÂN")
    assert lines[body + 1:body + 3] == ["CHỦ TỊCH", "Lê Văn Huyện"]
    assert "Thống Nhất, ngày 25 tháng 11 năm 2021" in lines


def test_a_hamlet_named_without_its_kind_word_is_still_recognized_as_an_ap(
    client, hamlets_decided_2025, commune_chair, district
):
    Unit.objects.filter(pk=district.hamlet.pk).update(name="Đông Kinh")
    lines = certificate(client, commune_chair, awards_of(hamlets_decided_2025)["Đông Kinh"])
    assert "Công nhận Ấp Đông Kinh đạt danh hiệu “Ấp văn hóa” năm 2025" in lines


def test_print_all_gives_one_certificate_per_recognized_hamlet(client, hamlets_decided_2025, commune_chair):
    client.force_login(commune_chair)
    response = client.get(reverse("documents:certificates", args=[hamlets_decided_2025.pk]))
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Công nhận Ấp Đông Kinh đạt danh hiệu “Ấp văn hóa” năm 2025" in text
    assert "Công nhận Khu phố Lập Thành đạt danh hiệu “Khu phố văn hóa” năm 2025" in text
    assert "Võ Dõng" not in text


def test_verify_shows_the_hamlet_its_commune_and_the_deciding_unit_not_a_household(client, hamlets_decided_2021):
    award = awards_of(hamlets_decided_2021)["Ấp Đông Kinh"]
    response = client.get(reverse("documents:verify", args=[award.certificate_code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "HỢP LỆ" in body and "verdict ok" in body
    assert '<dt>Đối tượng được công nhận</dt><dd data-testid="holder">Ấp Đông Kinh</dd>' in body
    assert "<dt>Xã</dt><dd>Gia Kiệm</dd>" in body
    assert "<dd>Ấp văn hóa</dd>" in body and "<dd>2021</dd>" in body
    assert "Số 120/QĐ-UBND ngày 25/11/2021 của Thống Nhất" in body
    assert "Hộ gia đình" not in body


def test_a_revoked_hamlet_award_verifies_as_revoked(client, hamlets_decided_2025, commune_chair):
    award = awards_of(hamlets_decided_2025)["Khu phố Lập Thành"]
    revoke_award(actor=commune_chair, award=award, ground="d", decision_number="05/QĐ-UBND",
                 decided_on=d(2026, 1, 5), reason="Không duy trì tiêu chuẩn")
    body = client.get(reverse("documents:verify", args=[award.certificate_code])).content.decode()
    assert "verdict revoked" in body and "ĐÃ THU HỒI" in body and "HỢP LỆ" not in body
    assert "Quyết định số 05/QĐ-UBND ngày 05/01/2026" in body
    assert 'data-testid="holder">Khu phố Lập Thành</dd>' in body and "<dd>Khu phố văn hóa</dd>" in body
    # The dossier's audit trail names the hamlet the revocation is about.
    event = AuditEvent.objects.get(action="revoke")
    assert event.payload["hamlet"] == award.hamlet.code and "household" not in event.payload
    # The other hamlet of the same decision stays valid.
    other = awards_of(hamlets_decided_2025)["Ấp Đông Kinh"]
    assert "verdict ok" in client.get(reverse("documents:verify", args=[other.certificate_code])).content.decode()


def test_the_award_page_names_the_hamlet_and_its_commune(client, hamlets_decided_2025, commune_chair):
    award = awards_of(hamlets_decided_2025)["Ấp Đông Kinh"]
    client.force_login(commune_chair)
    body = client.get(reverse("workflows:provenance", args=[award.pk])).content.decode()
    assert "Ấp Đông Kinh, Gia Kiệm" in body
