"""The documents officials print: each carries the recorded facts and the dossier's verification code."""

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from documents import builder, registry
from documents.models import DossierCode
from titles.models import Award
from tests.workflows.scenario import d, through_appraisal
from workflows import services
from workflows.models import NominationState

from .conftest import docx_tables, docx_text

pytestmark = pytest.mark.django_db


def _get(client, user, name, dossier, *args):
    client.force_login(user)
    return client.get(reverse(name, args=[dossier.pk, *args]))


def _names(dossier, states):
    return {n.household.head_name for n in dossier.nominations.select_related("household")
            if n.state in states}


def test_minutes_carry_the_recorded_meeting_and_every_households_votes(client, decided_2025, hamlet_head):
    response = _get(client, hamlet_head, "documents:document", decided_2025, "minutes")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    text = docx_text(response.content)
    for fact in ["Mẫu số 06", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "ẤP ĐÔNG KINH", "GIA KIỆM", "Gia Kiệm, ngày 02 tháng 11 năm 2025", "ngày 02/11/2025",
                 "Số người được mời: 40; số người có mặt: 30 (75,0%)", "Bỏ phiếu kín", "Lê Thị Chủ Trì",
                 "“Gia đình văn hóa” năm 2025", "THƯ KÝ", "CHỦ TRÌ"]:
        assert fact in text, fact
    [table] = [t for t in docx_tables(response.content) if t[0][0] == "STT"]
    rows = {row[1]: row for row in table[1:]}
    made = decided_2025.test_households
    assert set(rows) == {h.head_name for h in made}
    assert rows[made[0].head_name][4:6] == ["28", "2"]
    assert rows[made[3].head_name][4:] == ["10", "20", "Không đề nghị"]
    assert rows[made[0].head_name][6] == "Đề nghị công nhận"
    code = DossierCode.objects.get(dossier=decided_2025).code
    assert f"Mã xác minh hồ sơ: {code}" in text and f"/verify/{code}/" in text


def test_the_2018_rule_set_prints_its_own_forms_07_and_11(client, decided_2021, commune_chair):
    minutes = docx_text(_get(client, commune_chair, "documents:document", decided_2021, "minutes").content)
    decision = docx_text(_get(client, commune_chair, "documents:document", decided_2021, "decision").content)
    assert "Mẫu số 07" in minutes and "Nghị định 122/2018/NĐ-CP" in minutes
    assert "Mẫu số 11" in decision and "Nghị định số 122/2018/NĐ-CP" in decision
    # Decree 122 has no public posting: its dossiers print no posting list.
    assert _get(client, commune_chair, "documents:document", decided_2021, "posting_list").status_code == 404


def test_decision_is_generated_from_its_number_date_and_signer_with_an_annex_of_exactly_the_recognized(
    client, decided_2025, commune_chair
):
    response = _get(client, commune_chair, "documents:document", decided_2025, "decision")
    text = docx_text(response.content)
    for fact in ["Mẫu số 10", "QUYẾT ĐỊNH", "Số: 77/QĐ-UBND", "Gia Kiệm, ngày 20 tháng 11 năm 2025",
                 "Nghị định số 86/2023/NĐ-CP", "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
                 "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Phạm Văn Ký", "Căn cứ Biên bản họp bình xét ngày 02/11/2025",
                 "Kèm theo Quyết định số 77/QĐ-UBND ngày 20/11/2025", "cho 2 hộ gia đình"]:
        assert fact in text, fact
    assert "Chủ tịch UBND xã" not in text.split("CHỦ TỊCH\n")[-1].split("\n")[0]
    [annex] = [t for t in docx_tables(response.content) if t[0][0] == "STT"]
    recognized = _names(decided_2025, [NominationState.RECOGNIZED])
    assert {row[1] for row in annex[1:]} == recognized and len(annex) - 1 == 2
    struck = _names(decided_2025, [NominationState.STRUCK, NominationState.NOT_PROPOSED])
    assert len(struck) == 2 and not struck & {row[1] for row in annex[1:]}


def test_posting_list_and_proposal_list_the_proposed_households_with_place_and_dates(
    client, decided_2025, hamlet_head
):
    posting = _get(client, hamlet_head, "documents:document", decided_2025, "posting_list").content
    text = docx_text(posting)
    assert "Niêm yết tại Nhà văn hóa ấp Đông Kinh từ ngày 03/11/2025 đến ngày 13/11/2025 (10 ngày)" in text
    assert "TRƯỞNG ẤP" in text
    proposed = _names(decided_2025, [NominationState.RECOGNIZED, NominationState.STRUCK])
    [table] = [t for t in docx_tables(posting) if t[0][0] == "STT"]
    assert {row[1] for row in table[1:]} == proposed
    proposal = _get(client, hamlet_head, "documents:document", decided_2025, "proposal").content
    text = docx_text(proposal)
    assert "TỜ TRÌNH" in text and "Kính gửi: Ủy ban nhân dân Gia Kiệm." in text
    assert "cho 3 hộ gia đình" in text and "trên tổng số 4 hộ đăng ký" in text
    [table] = [t for t in docx_tables(proposal) if t[0][0] == "STT"]
    assert {row[1] for row in table[1:]} == proposed


def test_the_dossier_keeps_one_verification_code_on_every_document(client, decided_2025, hamlet_head):
    for kind in ("minutes", "posting_list", "proposal", "decision", "published_list"):
        assert _get(client, hamlet_head, "documents:document", decided_2025, kind).status_code == 200
    [code] = DossierCode.objects.filter(dossier=decided_2025).values_list("code", flat=True)
    client.logout()
    page = client.get(reverse("documents:verify", args=[code])).content.decode()
    assert "77/QĐ-UBND" in page and "Ấp Đông Kinh" in page
    assert reverse("documents:published", args=[code]) in page


def test_a_document_not_ready_yet_is_not_served(client, district, hamlet_head, family_title, households):
    from tests.workflows.scenario import open_with_households

    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    assert _get(client, hamlet_head, "documents:document", dossier, "minutes").status_code == 404
    assert _get(client, hamlet_head, "documents:document", dossier, "decision").status_code == 404
    assert _get(client, hamlet_head, "documents:certificates", dossier).status_code == 404
    page = _get(client, hamlet_head, "documents:index", dossier).content.decode()
    assert "sau khi ghi nhận cuộc họp bình xét" in page


def test_print_all_puts_every_certificate_of_the_decision_in_one_pdf(client, decided_2025, commune_chair):
    response = _get(client, commune_chair, "documents:certificates", decided_2025)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    codes = set(Award.objects.filter(decision__dossier=decided_2025).values_list("certificate_code", flat=True))
    assert len(reader.pages) == len(codes) == 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    for code in codes:
        assert code in text and f"/verify/{code}/" in text
    assert text.count("77/QĐ-UBND") == 2


def test_documents_of_a_dossier_are_refused_to_another_communes_user_as_not_found(
    client, decided_2025, other_commune_chair, outsider
):
    for user in (other_commune_chair, outsider):
        client.force_login(user)
        for name, args in [("documents:index", []), ("documents:document", ["decision"]),
                           ("documents:document", ["minutes"]), ("documents:document_pdf", ["decision"]),
                           ("documents:certificates", [])]:
            assert client.get(reverse(name, args=[decided_2025.pk, *args])).status_code == 404, (user, name)
    assert not DossierCode.objects.exists()


def test_personal_documents_are_never_stored_by_a_cache(client, decided_2025, commune_chair):
    for name, args in [("documents:document", ["decision"]), ("documents:certificates", []),
                       ("documents:index", [])]:
        response = _get(client, commune_chair, name, decided_2025, *args)
        assert "no-store" in response["Cache-Control"], name


def test_pdf_without_libreoffice_sends_back_to_the_page_which_offers_the_docx(
    client, decided_2025, commune_chair, settings
):
    settings.SOFFICE_PATH = "/nonexistent/soffice"
    response = _get(client, commune_chair, "documents:document_pdf", decided_2025, "decision")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="no-pdf"' in page and "LibreOffice" in page
    assert reverse("documents:document", args=[decided_2025.pk, "decision"]) in page


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice is not installed here")
def test_pdf_through_libreoffice_carries_the_decision_number(client, decided_2025, commune_chair):
    response = _get(client, commune_chair, "documents:document_pdf", decided_2025, "decision")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "77/QĐ-UBND" in text


def test_a_name_with_markup_characters_is_printed_as_typed(client, decided_2025, commune_chair):
    household = decided_2025.test_households[0]
    household.head_name = "Võ <Thị> & Con"
    household.save(update_fields=["head_name"])
    content = _get(client, commune_chair, "documents:document", decided_2025, "decision").content
    assert "Võ <Thị> & Con" in docx_text(content)


def test_every_rule_set_names_a_template_that_exists_and_matches_what_the_builder_makes():
    forms = {code: set(spec.forms) for code, spec in registry.all_rule_sets().items()}
    assert forms == {
        "gdvh-nd122-2018": {"minutes", "proposal", "decision"},
        "gdvh-nd86-2023": {"minutes", "posting_list", "proposal", "decision", "published_list"},
        "gdvh-2025-hai-cap": {"minutes", "posting_list", "proposal", "decision", "published_list"},
        # The hamlet title: the commune's minutes, posting list (Decree 86 on), proposal and the decision.
        "apvh-nd122-2018": {"minutes", "proposal", "decision"},
        "apvh-nd86-2023": {"minutes", "posting_list", "proposal", "decision"},
        "apvh-2025-hai-cap": {"minutes", "posting_list", "proposal", "decision"},
        # The certificates of merit print their certificate only; their .docx forms are not written yet.
        "gkgd-nd122-2018": set(), "gkgd-tinh-2024": set(),
        "gkap-nd122-2018": set(), "gkap-tinh-2024": set(), "gkap-tinh-2025-hai-cap": set(),
        # The 18 November lists print their certificates and honour list; their .docx forms are not written yet.
        **{f"ndk-{kind}-{era}": set() for kind in ("ca-nhan", "gia-dinh", "tap-the") for era in ("2015", "2025-hai-cap")},
    }
    for spec in registry.all_rule_sets().values():
        for kind, form in spec.forms.items():
            assert zipfile.is_zipfile(form.template), form.template
            built = io.BytesIO()
            builder.build(form, spec).save(built)
            assert docx_text(form.template.read_bytes()) == docx_text(built.getvalue()), form.template
            assert "{{ code }}" in docx_text(form.template.read_bytes())
    assert Document(registry.for_rule_set("gdvh-nd86-2023").form("decision").template).sections[0].left_margin



def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_documents_cost_the_same_queries_for_3_and_12_households(
    client, district, hamlet_head, other_hamlet_head, commune_officer, commune_chair, family_title, households
):
    counts = {}
    for n, hamlet, head, number in [(3, district.hamlet, hamlet_head, "1/QĐ-UBND"),
                                    (12, district.other_hamlet, other_hamlet_head, "2/QĐ-UBND")]:
        dossier = through_appraisal(head=head, officer=commune_officer, hamlet=hamlet, title=family_title,
                                    year=2025, households=households(n, hamlet=hamlet))
        services.decide(actor=commune_chair, dossier=dossier, number=number, signed_on=d(2025, 11, 20),
                        signer="Phạm Văn Ký")
        client.force_login(commune_chair)
        client.get(reverse("documents:document", args=[dossier.pk, "minutes"]))  # issues the code once
        counts[n] = [_queries(client, reverse("documents:document", args=[dossier.pk, kind]))
                     for kind in ("minutes", "posting_list", "proposal", "decision", "published_list")]
        counts[n].append(_queries(client, reverse("documents:certificates", args=[dossier.pk])))
    assert counts[3] == counts[12]
