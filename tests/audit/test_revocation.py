"""Revoking an award: by the granting unit's chair, on a legal ground, audited, visible at once."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.workflows.scenario import d
from titles.models import Award, Revocation
from titles.services import revocation_grounds
from workflows.services import revoke_award
from workflows.audit.chain import verify_chains
from workflows.models import AuditEvent
from workflows.services import RuleViolation

pytestmark = pytest.mark.django_db


def first_award(dossier):
    return Award.objects.filter(decision__dossier=dossier).order_by("pk").first()


def test_chair_revokes_an_award_and_the_register_drops_it_at_once(decided_dossier, commune_chair):
    award = first_award(decided_dossier)
    valid_before = Award.objects.filter(year=2021, revoked_at__isnull=True).count()

    revocation = revoke_award(actor=commune_chair, award=award, ground="b", decision_number="07/QĐ-UBND",
                              decided_on=d(2022, 3, 1), reason="Bản tự đánh giá khai sai")

    award.refresh_from_db()
    assert award.revoked_at is not None
    assert "Giả mạo" in award.revocation_reason
    assert Award.objects.filter(year=2021, revoked_at__isnull=True).count() == valid_before - 1
    assert revocation.ground_label == next(g["label"] for g in revocation_grounds()["grounds"] if g["code"] == "b")
    last = AuditEvent.objects.filter(case_id=decided_dossier.case_id).order_by("-seq").first()
    assert (last.action, last.role, last.unit_id) == ("revoke", "commune_chair", decided_dossier.deciding_unit_id)
    assert last.payload["decision"] == "07/QĐ-UBND" and last.payload["ground"] == "b"
    assert verify_chains().intact


def test_unknown_ground_is_refused_naming_the_law_and_changes_nothing(decided_dossier, commune_chair):
    award = first_award(decided_dossier)
    seq = decided_dossier.case.audit_seq
    with pytest.raises(RuleViolation) as exc:
        revoke_award(actor=commune_chair, award=award, ground="e", decision_number="07/QĐ-UBND", reason="x")
    assert "06/2022" in str(exc.value) and "a, b, c, d" in str(exc.value)
    award.refresh_from_db()
    decided_dossier.refresh_from_db()
    assert award.revoked_at is None and decided_dossier.case.audit_seq == seq
    assert not Revocation.objects.exists()


def test_revocation_without_number_or_reason_is_refused(decided_dossier, commune_chair):
    with pytest.raises(RuleViolation):
        revoke_award(actor=commune_chair, award=first_award(decided_dossier), ground="a", decision_number=" ",
                     reason="x")
    assert not Revocation.objects.exists()


@pytest.mark.parametrize("who", ["other_commune_chair", "commune_officer", "hamlet_head", "supervisor"])
def test_only_the_granting_units_chair_may_revoke(decided_dossier, who, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        revoke_award(actor=actor, award=first_award(decided_dossier), ground="a", decision_number="1/QĐ",
                     reason="x")
    assert not Revocation.objects.exists()
    assert not Award.objects.filter(revoked_at__isnull=False).exists()


def test_an_award_is_revoked_only_once(decided_dossier, commune_chair):
    award = first_award(decided_dossier)
    revoke_award(actor=commune_chair, award=award, ground="a", decision_number="1/QĐ", reason="x")
    with pytest.raises(RuleViolation):
        revoke_award(actor=commune_chair, award=award, ground="d", decision_number="2/QĐ", reason="y")
    assert Revocation.objects.get().decision_number == "1/QĐ"


def test_the_dossier_history_names_a_revocation_like_the_provenance_page(client, decided_dossier, commune_chair):
    award = Award.objects.filter(nomination__dossier=decided_dossier).first()
    revoke_award(actor=commune_chair, award=award, ground="b", decision_number="08/QĐ-UBND",
                 decided_on=d(2022, 3, 1), reason="Bản tự đánh giá khai sai")
    client.force_login(commune_chair)
    client.cookies["django_language"] = "en"
    page = client.get(f"/dossiers/{decided_dossier.pk}/").content.decode()
    assert "Award revoked" in page
