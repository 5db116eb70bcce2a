"""The documents of a hamlet-title dossier: the commune's minutes, posting list, proposal and the recognition
decision list the commune's hamlets (name, kind, votes) and word the title by each hamlet's kind, under the
forms and the deciding level of each rule set."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import Level, UnitKind
from tests.factories import UnitFactory
from tests.workflows.scenario import d

from .conftest import _decide_hamlets, docx_tables, docx_text

pytestmark = pytest.mark.django_db

TITLES = "“Ấp văn hóa”, “Khu phố văn hóa”"


def _doc(client, user, dossier, kind):
    client.force_login(user)
    response = client.get(reverse("documents:document", args=[dossier.pk, kind]))
    assert response.status_code == 200, kind
    return response.content


def _table(content):
    [table] = [t for t in docx_tables(content) if t[0][0] == "STT"]
    return table[0], {row[1]: row for row in table[1:]}


def _no_household_wording(text):
    for household_word in ("hộ gia đình", "Họ và tên chủ hộ", "Mã hộ", "Số hộ", "TRƯỞNG ẤP"):
        assert household_word not in text, household_word


def test_2025_minutes_list_every_hamlet_with_its_kind_votes_and_result(client, hamlets_decided_2025, commune_officer):
    content = _doc(client, commune_officer, hamlets_decided_2025, "minutes")
    text = docx_text(content)
    for fact in ["Mẫu số 06 (Nghị định 86/2023/NĐ-CP)", "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", "GIA KIỆM",
                 f"Họp Hội đồng Thi đua - Khen thưởng xét công nhận danh hiệu {TITLES} năm 2025",
                 "Gia Kiệm, ngày 02 tháng 11 năm 2025", "Thời gian: ngày 02/11/2025.", "Chủ trì: Nguyễn Văn Chủ Trì.",
                 "Số người được mời: 30; số người có mặt: 25 (83,3%).",
                 "Số ấp, khu phố đăng ký: 3; số ấp, khu phố được đề nghị công nhận: 2; "
                 "số ấp, khu phố không được đề nghị: 1.", "THƯ KÝ", "CHỦ TRÌ"]:
        assert fact in text, fact
    _no_household_wording(text)
    header, rows = _table(content)
    assert header == ["STT", "Tên ấp, khu phố", "Loại", "Đồng ý", "Không đồng ý", "Kết quả"]
    assert rows["Ấp Đông Kinh"][2:] == ["Ấp", "24", "1", "Đề nghị công nhận"]
    assert rows["Khu phố Lập Thành"][2:] == ["Khu phố", "23", "2", "Đề nghị công nhận"]
    assert rows["Ấp Võ Dõng"][2:] == ["Ấp", "8", "17", "Không đề nghị"]


def test_2025_posting_list_and_proposal_name_the_proposed_hamlets_for_the_commune_chair(
    client, hamlets_decided_2025, commune_officer
):
    posting = _doc(client, commune_officer, hamlets_decided_2025, "posting_list")
    text = docx_text(posting)
    assert f"Ấp, khu phố được đề nghị công nhận danh hiệu {TITLES} năm 2025" in text
    assert "Niêm yết tại Trụ sở UBND xã Gia Kiệm từ ngày 03/11/2025 đến ngày 13/11/2025 (10 ngày)" in text
    assert "Ủy ban nhân dân Gia Kiệm hoặc Ủy ban Mặt trận Tổ quốc Việt Nam Gia Kiệm" in text
    _no_household_wording(text)
    assert set(_table(posting)[1]) == {"Ấp Đông Kinh", "Khu phố Lập Thành"}

    proposal = _doc(client, commune_officer, hamlets_decided_2025, "proposal")
    text = docx_text(proposal)
    for fact in ["Mẫu số 04", "TỜ TRÌNH", f"Về việc đề nghị công nhận danh hiệu {TITLES} năm 2025",
                 # From 2025 there is no district: the commune's council proposes to the commune chair.
                 "Kính gửi: Chủ tịch Ủy ban nhân dân Gia Kiệm.", "TM. HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG",
                 "cho 2 ấp, khu phố (có danh sách kèm theo), trên tổng số 3 ấp, khu phố đăng ký",
                 "kết quả niêm yết công khai tại Trụ sở UBND xã Gia Kiệm"]:
        assert fact in text, fact
    _no_household_wording(text)
    assert set(_table(proposal)[1]) == {"Ấp Đông Kinh", "Khu phố Lập Thành"}


def test_2025_decision_is_the_commune_chairs_with_an_annex_of_the_recognized_hamlets(
    client, hamlets_decided_2025, commune_chair
):
    content = _doc(client, commune_chair, hamlets_decided_2025, "decision")
    text = docx_text(content)
    for fact in ["QUYẾT ĐỊNH", "Số: 88/QĐ-UBND", "CHỦ TỊCH ỦY BAN NHÂN DÂN GIA KIỆM",
                 "Gia Kiệm, ngày 20 tháng 11 năm 2025",
                 "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025", "Nghị định số 86/2023/NĐ-CP",
                 f"Về việc công nhận danh hiệu {TITLES} năm 2025",
                 f"Điều 1. Công nhận 2 ấp, khu phố thuộc Gia Kiệm đạt danh hiệu {TITLES} năm 2025",
                 "Kèm theo Quyết định số 88/QĐ-UBND ngày 20/11/2025", "Phạm Văn Ký",
                 "Danh sách có 2 ấp, khu phố."]:
        assert fact in text, fact
    _no_household_wording(text)
    header, rows = _table(content)
    assert header == ["STT", "Tên ấp, khu phố", "Loại", "Danh hiệu", "Số phiếu đồng ý"]
    assert rows == {"Ấp Đông Kinh": ["1", "Ấp Đông Kinh", "Ấp", "Ấp văn hóa", "24"],
                    "Khu phố Lập Thành": ["2", "Khu phố Lập Thành", "Khu phố", "Khu phố văn hóa", "23"]}


def test_2021_documents_follow_decree_122_with_the_district_chair_deciding(
    client, hamlets_decided_2021, commune_officer, district_chair
):
    minutes = docx_text(_doc(client, commune_officer, hamlets_decided_2021, "minutes"))
    assert "Mẫu số 09 (Nghị định 122/2018/NĐ-CP)" in minutes
    assert f"Họp bình xét danh hiệu {TITLES} năm 2021" in minutes
    assert "Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam Gia Kiệm" in minutes
    proposal = docx_text(_doc(client, commune_officer, hamlets_decided_2021, "proposal"))
    assert "Kính gửi: Ủy ban nhân dân Thống Nhất." in proposal and "TM. ỦY BAN NHÂN DÂN" in proposal
    assert "niêm yết" not in proposal
    decision = docx_text(_doc(client, district_chair, hamlets_decided_2021, "decision"))
    for fact in ["CHỦ TỊCH ỦY BAN NHÂN DÂN THỐNG NHẤT", "Số: 120/QĐ-UBND", "Thống Nhất, ngày 25 tháng 11 năm 2021",
                 "Nghị định số 122/2018/NĐ-CP", "Trưởng phòng Văn hóa và Thông tin Thống Nhất", "Lê Văn Huyện",
                 f"Điều 1. Công nhận 2 ấp, khu phố thuộc Gia Kiệm đạt danh hiệu {TITLES} năm 2021"]:
        assert fact in decision, fact
    # Decree 122 has no public posting: no posting list is printed.
    client.force_login(commune_officer)
    assert client.get(reverse("documents:document", args=[hamlets_decided_2021.pk, "posting_list"])).status_code == 404


def test_2024_proposal_is_decree_86s_form_04_to_the_district(client, hamlets_decided_2024, commune_officer):
    proposal = docx_text(_doc(client, commune_officer, hamlets_decided_2024, "proposal"))
    assert "Mẫu số 04 (Nghị định 86/2023/NĐ-CP)" in proposal
    assert "Kính gửi: Ủy ban nhân dân Thống Nhất." in proposal
    minutes = docx_text(_doc(client, commune_officer, hamlets_decided_2024, "minutes"))
    assert "Mẫu số 06 (Nghị định 86/2023/NĐ-CP)" in minutes and "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG" in minutes
    decision = docx_text(_doc(client, commune_officer, hamlets_decided_2024, "decision"))
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN THỐNG NHẤT" in decision and "Số: 99/QĐ-UBND" in decision


def test_the_documents_page_offers_the_hamlet_titles_documents(client, hamlets_decided_2025, commune_officer):
    client.force_login(commune_officer)
    page = client.get(reverse("documents:index", args=[hamlets_decided_2025.pk])).content.decode()
    for kind in ("minutes", "posting_list", "proposal", "decision", "certificates"):
        assert f'data-testid="doc-{kind}"' in page, kind
    assert 'data-testid="doc-published_list"' not in page


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_hamlet_documents_cost_the_same_queries_for_2_and_6_hamlets(
    client, district, commune_officer, other_commune_officer, commune_chair, other_commune_chair, hamlet_title
):
    counts = {}
    for n, commune, officer, chair, number in [
        (2, district.commune, commune_officer, commune_chair, "1/QĐ-UBND"),
        (6, district.other_commune, other_commune_officer, other_commune_chair, "2/QĐ-UBND"),
    ]:
        hamlets = [UnitFactory(level=Level.HAMLET, kind=UnitKind.KHU_PHO if i % 2 else UnitKind.AP, parent=commune)
                   for i in range(n)]
        dossier = _decide_hamlets(officer=officer, appraiser=officer, chair=chair, commune=commune,
                                  title=hamlet_title, year=2025, hamlets=hamlets, votes=[(20, 5)] * n,
                                  number=number, signed_on=d(2025, 11, 20), signer="Phạm Văn Ký")
        client.force_login(chair)
        client.get(reverse("documents:document", args=[dossier.pk, "minutes"]))  # issues the code once
        counts[n] = [_queries(client, reverse("documents:document", args=[dossier.pk, kind]))
                     for kind in ("minutes", "posting_list", "proposal", "decision")]
        counts[n].append(_queries(client, reverse("documents:certificates", args=[dossier.pk])))
    assert counts[2] == counts[6]


def test_a_hamlet_dossiers_document_code_verifies_without_a_public_household_list(
    client, hamlets_decided_2025, commune_officer
):
    from documents.models import DossierCode

    _doc(client, commune_officer, hamlets_decided_2025, "decision")
    code = DossierCode.objects.get(dossier=hamlets_decided_2025).code
    client.logout()
    page = client.get(reverse("documents:verify", args=[code])).content.decode()
    assert "88/QĐ-UBND" in page and "Gia Kiệm" in page
    # The hamlet title's rule sets publish no list of households: the page links none, and there is none.
    assert reverse("documents:published", args=[code]) not in page
    assert client.get(reverse("documents:published", args=[code])).status_code == 404
