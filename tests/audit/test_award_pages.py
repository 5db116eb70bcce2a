"""The public verification page, the PDF certificate and the provenance page of an award."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from tests.workflows.scenario import d
from titles.certificates import qr_drawing
from titles.models import Award
from workflows.services import revoke_award
from workflows.models import ViewLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    cache.clear()


def award_of(dossier):
    return Award.objects.filter(decision__dossier=dossier).select_related("household__hamlet").order_by("pk").first()


def test_valid_certificate_shows_holder_hamlet_title_year_and_the_public_decision(client, decided_dossier):
    award = award_of(decided_dossier)
    response = client.get(reverse("documents:verify", args=[award.certificate_code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert award.household.head_name in body and award.household.hamlet.name in body
    assert "Gia đình văn hóa" in body and "2021" in body
    assert 'data-testid="status"' in body and "verdict ok" in body and "HỢP LỆ" in body
    assert "M7 12.5l3.2 3.2L17 9" in body  # the tick icon, so the verdict is not told by colour alone
    decision = award.decision
    assert f"Số {decision.number} ngày 25/11/2021 của {decision.unit.name}" in body
    for private in (award.household.phone, award.household.code, award.household.address):
        assert private not in body


def test_revoked_award_verifies_as_revoked_naming_the_revocation_decision(client, decided_dossier, commune_chair):
    award = award_of(decided_dossier)
    revoke_award(actor=commune_chair, award=award, ground="d", decision_number="09/QĐ-UBND",
                 decided_on=d(2022, 2, 1), reason="Vi phạm tiêu chí sau kiểm tra")
    body = client.get(reverse("documents:verify", args=[award.certificate_code])).content.decode()
    assert "verdict revoked" in body and "verdict ok" not in body
    assert "ĐÃ THU HỒI" in body and "HỢP LỆ" not in body
    assert "M8 8l8 8M16 8l-8 8" in body and "M7 12.5l3.2 3.2L17 9" not in body  # a cross, not a tick
    assert "Quyết định số 09/QĐ-UBND ngày 01/02/2022" in body
    assert "Vi phạm" not in body


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "abc", "0000000000", "'; DROP TABLE x;--", "A" * 200])
def test_unknown_or_malformed_code_gets_a_framed_404_with_a_box_to_retype_it(client, decided_dossier, code):
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert 'class="topbar"' in body and "Không có giấy chứng nhận nào mang mã này." in body
    assert '<form method="get" action="/verify/"' in body and 'name="code"' in body
    assert code not in body or len(code) < 4


def test_unknown_and_malformed_codes_look_the_same(client, decided_dossier):
    unknown = client.get(reverse("documents:verify", args=["ZZZZZZZZZZ"]))
    malformed = client.get(reverse("documents:verify", args=["x"]))
    assert unknown.content == malformed.content and unknown.status_code == malformed.status_code == 404


def test_retyped_code_leads_to_its_verification_page(client, decided_dossier):
    code = award_of(decided_dossier).certificate_code
    response = client.get(reverse("documents:verify_lookup"), {"code": f" {code[:5].lower()}-{code[5:]} "})
    assert response.status_code == 302 and response["Location"] == reverse("documents:verify", args=[code])
    odd = client.get(reverse("documents:verify_lookup"), {"code": "a/b?c"}, follow=True)
    assert odd.status_code == 404


@override_settings(VERIFY_RATE_LIMIT="3/m")
def test_verification_is_rate_limited_per_client_address(client, decided_dossier):
    code = award_of(decided_dossier).certificate_code
    url = reverse("documents:verify", args=[code])
    statuses = [client.get(url, REMOTE_ADDR="10.20.30.40").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert client.get(url, REMOTE_ADDR="10.20.30.40").status_code == 429
    assert client.get("/verify/ZZZZZZZZZZ/", REMOTE_ADDR="10.20.30.40").status_code == 429
    assert client.get(url, REMOTE_ADDR="10.20.30.41").status_code == 200


def test_certificate_pdf_is_served_to_users_who_may_see_the_award(client, decided_dossier, hamlet_head):
    award = award_of(decided_dossier)
    client.force_login(hamlet_head)
    response = client.get(reverse("workflows:certificate", args=[award.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and award.certificate_code in response["Content-Disposition"]
    assert ViewLog.objects.filter(user=hamlet_head, household=award.household, what="award_certificate").exists()


def test_certificate_qr_code_encodes_the_public_verification_address(client, decided_dossier):
    award = award_of(decided_dossier)
    url = "http://testserver" + reverse("documents:verify", args=[award.certificate_code])
    _drawing, widget = qr_drawing(url, 100)
    assert widget.value == url
    assert client.get(url).status_code == 200


def test_certificate_of_another_communes_award_is_refused(client, decided_dossier, other_commune_officer, outsider):
    award = award_of(decided_dossier)
    for user in (other_commune_officer, outsider):
        client.force_login(user)
        assert client.get(reverse("workflows:certificate", args=[award.pk])).status_code == 404


def test_provenance_page_tells_the_whole_story_with_who_and_role(client, decided_dossier, commune_officer):
    award = award_of(decided_dossier)
    client.force_login(commune_officer)
    response = client.get(reverse("workflows:provenance", args=[award.pk]))
    assert response.status_code == 200
    actions = [step.code for step in response.context["steps"]]
    assert actions[0] == "open_round" and actions[-1] == "decide"
    for needed in ("register", "meeting_vote", "record_meeting", "submit", "appraise", "accept", "recognize"):
        assert needed in actions
    # Only this household's own events, not its neighbours'.
    assert actions.count("register") == 1 and actions.count("meeting_vote") == 1
    body = response.content.decode()
    assert "45/QĐ-UBND" in body and "Trần Văn Chủ Tịch" in body and award.certificate_code in body
    assert ViewLog.objects.filter(user=commune_officer, household=award.household).exists()


def test_provenance_json_lists_the_same_steps(client, decided_dossier, commune_chair):
    award = award_of(decided_dossier)
    revoke_award(actor=commune_chair, award=award, ground="a", decision_number="10/QĐ", reason="Khai sai")
    client.force_login(commune_chair)
    data = client.get(reverse("workflows:provenance_json", args=[award.pk])).json()
    assert data["award"]["revoked"] is True and data["award"]["certificate_code"] == award.certificate_code
    last = data["steps"][-1]
    assert last["action"] == "revoke" and last["actor"] == commune_chair.username and last["unit"]
    meeting = next(s for s in data["steps"] if s["action"] == "record_meeting")
    assert set(meeting["details"]) >= {"invited", "present", "method", "held_on"}


def test_provenance_of_another_units_award_is_refused(client, decided_dossier, other_commune_officer, outsider):
    award = award_of(decided_dossier)
    for user in (other_commune_officer, outsider):
        client.force_login(user)
        assert client.get(reverse("workflows:provenance", args=[award.pk])).status_code == 404
        assert client.get(reverse("workflows:provenance_json", args=[award.pk])).status_code == 404
    assert not ViewLog.objects.exists()


def test_provenance_requires_login(client, decided_dossier):
    response = client.get(reverse("workflows:provenance", args=[award_of(decided_dossier).pk]))
    assert response.status_code == 302


def test_provenance_query_count_does_not_grow_with_the_dossier(
    client, decided_dossier, district, other_hamlet_head, commune_officer, commune_chair, family_title, households
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.workflows.scenario import through_appraisal
    from workflows import services

    big = through_appraisal(head=other_hamlet_head, officer=commune_officer, hamlet=district.other_hamlet,
                            title=family_title, year=2021, households=households(15, hamlet=district.other_hamlet))
    services.decide(actor=commune_chair, dossier=big, number="46/QĐ-UBND", signed_on=d(2021, 11, 25), signer="X")
    client.force_login(commune_officer)
    counts = []
    for dossier in (decided_dossier, big):
        award = award_of(dossier)
        client.get(reverse("workflows:provenance", args=[award.pk]))  # warm the session and permission caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("workflows:provenance", args=[award.pk])).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_certificate_prints_the_anchor_covering_the_decision_once_there_is_one(client, decided_dossier, hamlet_head,
                                                                               monkeypatch):
    from reportlab.pdfgen.canvas import Canvas

    from workflows.audit.chain import create_anchor

    printed = []
    original = Canvas.drawRightString
    monkeypatch.setattr(Canvas, "drawRightString",
                        lambda self, x, y, text, *a, **k: printed.append(text) or original(self, x, y, text, *a, **k))
    award = award_of(decided_dossier)
    client.force_login(hamlet_head)
    url = reverse("workflows:certificate", args=[award.pk])
    assert client.get(url).status_code == 200
    assert not any("kiểm toán" in text for text in printed)
    anchor = create_anchor()
    assert client.get(url).status_code == 200
    assert f"Mốc neo kiểm toán: {anchor.hash}" in printed
