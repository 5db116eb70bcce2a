"""The public list of a decision's recognized households, its 15-day deadline and 'mark as published'."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from documents import services
from documents.models import Publication
from notifications.models import DeadlineAlert, Notification
from tests.workflows.scenario import d, snapshot
from titles.models import Award
from workflows.services import revoke_award
from workflows.models import AuditEvent
from workflows.services import RuleViolation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _code(client, user, dossier):
    client.force_login(user)
    client.get(reverse("documents:document", args=[dossier.pk, "decision"]))
    client.logout()
    return dossier.document_code.code


def test_public_list_shows_names_and_hamlet_but_no_phone_address_or_code(client, decided_2025, commune_chair):
    made = decided_2025.test_households
    for household in made:
        household.phone, household.address = "0987654321", "Số 12, tổ 3"
        household.save(update_fields=["phone", "address"])
    code = _code(client, commune_chair, decided_2025)
    response = client.get(reverse("documents:published", args=[code]))
    assert response.status_code == 200
    page = response.content.decode()
    recognized = Award.objects.filter(decision__dossier=decided_2025).values_list("household__head_name", flat=True)
    for name in recognized:
        assert name in page
    assert "Ấp Đông Kinh" in page and "77/QĐ-UBND" in page
    not_recognized = {h.head_name for h in made} - set(recognized)
    assert not_recognized and not any(name in page for name in not_recognized)
    for private in ["0987654321", "Số 12, tổ 3", made[0].code]:
        assert private not in page
    for award_code in Award.objects.values_list("certificate_code", flat=True):
        assert award_code not in page


def test_a_revoked_award_leaves_the_public_list(client, decided_2025, commune_chair):
    award = Award.objects.filter(decision__dossier=decided_2025).select_related("household").first()
    revoke_award(actor=commune_chair, award=award, ground="d", decision_number="12/QĐ-UBND", reason="Vi phạm.",
                 decided_on=d(2025, 11, 25))
    code = _code(client, commune_chair, decided_2025)
    assert award.household.head_name not in client.get(reverse("documents:published", args=[code])).content.decode()


def test_public_list_of_an_unknown_or_undecided_dossier_is_the_same_404(
    client, district, hamlet_head, family_title, households
):
    from tests.workflows.scenario import meet, open_with_households

    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier)
    code = _code(client, hamlet_head, dossier)
    undecided = client.get(reverse("documents:published", args=[code]))
    unknown = client.get(reverse("documents:published", args=["ZZZZZZZZZZ"]))
    malformed = client.get(reverse("documents:published", args=["<b>"]))
    assert undecided.status_code == unknown.status_code == malformed.status_code == 404
    assert undecided.content == unknown.content == malformed.content


def test_public_list_is_rate_limited_per_client_address(client, decided_2025, commune_chair, settings):
    settings.VERIFY_RATE_LIMIT = "3/m"
    code = _code(client, commune_chair, decided_2025)
    answers = [client.get(reverse("documents:published", args=[code])).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_the_deciding_chair_marks_the_list_published_and_it_is_audited(client, decided_2025, commune_chair):
    client.force_login(commune_chair)
    page = client.get(reverse("documents:index", args=[decided_2025.pk])).content.decode()
    assert "trong 15 ngày kể từ ngày ra quyết định: chậm nhất ngày 05/12/2025" in page
    assert reverse("documents:published", args=[decided_2025.document_code.code]) in page
    response = client.post(reverse("documents:publish", args=[decided_2025.pk]), {
        "expected_revision": decided_2025.revision, "published_on": "28/11/2025",
        "place": "Bảng tin UBND xã"})
    assert response.status_code == 302
    publication = Publication.objects.get(decision__dossier=decided_2025)
    assert (publication.published_on, publication.place) == (d(2025, 11, 28), "Bảng tin UBND xã")
    event = AuditEvent.objects.filter(case_id=decided_2025.case_id).order_by("-seq").first()
    assert (event.action, event.actor, event.role, event.unit_id) == ("publish_list", commune_chair,
                                                                     "commune_chair", decided_2025.deciding_unit_id)
    assert event.payload == {"decision": "77/QĐ-UBND", "published_on": "2025-11-28", "place": "Bảng tin UBND xã",
                             "late": False}
    page = client.get(reverse("documents:index", args=[decided_2025.pk])).content.decode()
    assert 'data-testid="published"' in page and "Ghi nhận đã công khai" not in page


def test_marking_published_by_one_who_does_not_decide_is_refused_and_changes_nothing(
    client, decided_2025, commune_officer, hamlet_head
):
    before = snapshot(decided_2025)
    for user in (commune_officer, hamlet_head):
        with pytest.raises(PermissionDenied):
            services.mark_published(actor=user, dossier=decided_2025, published_on=d(2025, 11, 28), place="Bảng tin")
        client.force_login(user)
        response = client.post(reverse("documents:publish", args=[decided_2025.pk]), {
            "expected_revision": decided_2025.revision, "published_on": "28/11/2025", "place": "Bảng tin"})
        assert response.status_code == 403
    assert snapshot(decided_2025) == before and not Publication.objects.exists()


def test_marking_published_from_another_commune_answers_as_for_a_missing_dossier(
    client, decided_2025, other_commune_chair
):
    client.force_login(other_commune_chair)
    response = client.post(reverse("documents:publish", args=[decided_2025.pk]), {
        "expected_revision": decided_2025.revision, "published_on": "28/11/2025", "place": "Bảng tin"})
    missing = client.post(reverse("documents:publish", args=[999999]), {})
    assert response.status_code == missing.status_code == 404
    assert not Publication.objects.exists()


@pytest.mark.parametrize("day, place, expected", [
    (d(2025, 11, 19), "Bảng tin", "between the decision's date 20/11/2025 and today"),
    (d(2030, 1, 1), "Bảng tin", "not on 01/01/2030"),
    (d(2025, 11, 28), "  ", "Say where the list was published"),
])
def test_a_bad_publication_date_or_place_is_refused_with_the_rule_and_changes_nothing(
    decided_2025, commune_chair, day, place, expected
):
    before = snapshot(decided_2025)
    with pytest.raises(RuleViolation, match=expected):
        services.mark_published(actor=commune_chair, dossier=decided_2025, published_on=day, place=place)
    assert snapshot(decided_2025) == before and not Publication.objects.exists()


def test_marking_published_twice_is_refused(decided_2025, commune_chair):
    services.mark_published(actor=commune_chair, dossier=decided_2025, published_on=d(2025, 11, 28), place="Bảng tin")
    with pytest.raises(RuleViolation, match="already marked as published"):
        services.mark_published(actor=commune_chair, dossier=decided_2025, published_on=d(2025, 11, 29),
                                place="Web")
    assert Publication.objects.count() == 1


# ---------------------------------------------------------------- the 15-day deadline (rule-set data)

def test_the_deciding_chair_is_reminded_before_the_15th_day_and_the_district_told_once_overdue(
    decided_2025, commune_chair, commune_officer, supervisor, district_chair
):
    # Signed 20/11/2025; 15 calendar days (gdvh-2025-hai-cap's publication_days): due 05/12/2025.
    assert [a for a in services.check_publication_deadlines(today=d(2025, 12, 2)) if a.state == "publication"] == []
    [alert] = [a for a in services.check_publication_deadlines(today=d(2025, 12, 3)) if a.state == "publication"]
    assert (alert.kind, alert.due_on, alert.unit_id) == ("reminder", d(2025, 12, 5), decided_2025.deciding_unit_id)
    reminder = Notification.objects.get(kind="reminder", case_id=decided_2025.case_id)
    assert reminder.recipient == commune_chair
    assert "publish the list of recognized households" in reminder.text and "05/12/2025" in reminder.text
    assert reminder.url == reverse("documents:index", args=[decided_2025.pk])
    assert services.check_publication_deadlines(today=d(2025, 12, 4)) == []
    [late] = services.check_publication_deadlines(today=d(2025, 12, 6))
    assert (late.kind, late.period, late.unit_id) == ("escalation", 0, decided_2025.deciding_unit.parent_id)
    told = set(Notification.objects.filter(kind="escalation").values_list("recipient__username", flat=True))
    assert told == {"chu_tich_huyen"}


def test_a_published_list_is_no_longer_reminded(decided_2025, commune_chair):
    services.mark_published(actor=commune_chair, dossier=decided_2025, published_on=d(2025, 11, 21), place="Bảng tin")
    assert services.check_publication_deadlines(today=d(2025, 12, 3)) == []
    assert services.check_publication_deadlines(today=d(2025, 12, 20)) == []
    assert not DeadlineAlert.objects.exists()


def test_a_rule_set_without_a_publication_period_sets_no_deadline(decided_2021):
    assert services.check_publication_deadlines(today=d(2021, 12, 30)) == []
    assert not DeadlineAlert.objects.filter(state="publication").exists()


def test_the_printable_notice_lists_the_recognized_names_and_hamlet_only(client, decided_2025, commune_chair):
    from .conftest import docx_tables, docx_text

    client.force_login(commune_chair)
    content = client.get(reverse("documents:document", args=[decided_2025.pk, "published_list"])).content
    text = docx_text(content)
    assert "THÔNG BÁO" in text and "Quyết định số 77/QĐ-UBND ngày 20/11/2025" in text
    code = decided_2025.document_code.code
    assert f"/published/{code}/" in text
    [table] = [t for t in docx_tables(content) if t[0][0] == "STT"]
    assert table[0] == ["STT", "Họ và tên chủ hộ", "Ấp, khu phố"]
    recognized = set(Award.objects.filter(decision__dossier=decided_2025).values_list("household__head_name",
                                                                                      flat=True))
    assert {row[1] for row in table[1:]} == recognized and {row[2] for row in table[1:]} == {"Ấp Đông Kinh"}
    for household in decided_2025.test_households:
        assert household.code not in text and household.phone not in text
