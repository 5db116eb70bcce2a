"""18 November proposals: instruments by date, the festival plan's deadline and quota, the committee's
simple majority, what the commune Front grants itself and what it forwards, Front-only stages, the
honour list (the route's every action is also generated in test_procedure_transitions.py)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.test import Client
from django.urls import reverse

from directory.models import Level, Role, Unit
from notifications.models import Notification
from titles.certificates import certificate_text, holder_lines
from titles.models import Award
from workflows import services
from workflows.models import AuditEvent, DossierState, NominationState, VotingMethod
from workflows.services import festival
from workflows.services.errors import RuleViolation

from ..dossiers import actor, d, dossier_at, persona, unit_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]
PERSON, HOUSEHOLD = "khen-thuong-18-11-ca-nhan", "khen-thuong-18-11-gia-dinh"


def _instruments(dossier, code):
    pks = list(dossier.nominations.values_list("pk", flat=True))
    return festival.choose_instruments(actor=actor(dossier, "instruments"), dossier=dossier,
                                       instruments=dict.fromkeys(pks, code))


def test_the_district_fronts_certificate_is_offered_in_2024_and_refused_with_its_end_date_in_2026():
    before = dossier_at(PERSON, DossierState.OPEN, year=2024)
    assert _instruments(before, "giay-khen-mttq-huyen") == 2

    after = dossier_at(PERSON, DossierState.OPEN, year=2026)
    with pytest.raises(RuleViolation) as refused:
        _instruments(after, "giay-khen-mttq-huyen")
    assert "ended on 30/06/2025" in str(refused.value)
    assert set(after.nominations.values_list("instrument", flat=True)) == {"giay-ghi-nhan-mttq-xa"}


def test_a_list_first_sent_after_the_plans_deadline_is_refused_with_both_dates():
    dossier = dossier_at(PERSON, DossierState.REVIEWED, year=2025)
    with pytest.raises(RuleViolation) as refused:
        services.submit_dossier(actor=actor(dossier, "submit"), dossier=dossier, submitted_on=d(2025, 11, 6))
    assert "by 05/11/2025" in str(refused.value) and "sent on 06/11/2025" in str(refused.value)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED


def test_more_households_than_the_plans_quota_is_refused_with_the_numbers():
    dossier = dossier_at(HOUSEHOLD, DossierState.REVIEWED, subjects=6, year=2025)
    with pytest.raises(RuleViolation) as refused:
        services.submit_dossier(actor=actor(dossier, "submit"), dossier=dossier, submitted_on=d(2025, 11, 4))
    assert "at most 5 proposals" in str(refused.value) and "proposes 6" in str(refused.value)


def test_the_committee_proposes_by_a_simple_majority_of_the_members_present():
    dossier = dossier_at(PERSON, DossierState.OPEN, year=2025)
    half, more = dossier.nominations.order_by("pk")
    services.record_meeting(actor=actor(dossier, "meeting"), dossier=dossier, held_on=d(2025, 10, 20), invited=11,
                            present=10, method=VotingMethod.SHOW_OF_HANDS, votes={half.pk: (5, 5), more.pk: (6, 4)})
    half.refresh_from_db()
    more.refresh_from_db()
    assert (half.state, more.state) == (NominationState.NOT_PROPOSED, NominationState.PROPOSED)
    assert "5 of 10 members present agreed" in half.reason and "more than 50%" in half.reason


def test_the_commune_front_grants_its_own_certificate_and_forwards_the_provincial_one():
    dossier = dossier_at(PERSON, DossierState.OPEN, year=2025)
    own, higher = dossier.nominations.order_by("pk")
    festival.choose_instruments(actor=actor(dossier, "instruments"), dossier=dossier,
                                instruments={own.pk: "giay-ghi-nhan-mttq-xa", higher.pk: "bang-khen-mttq-tinh"})
    for code, step in (("meeting", None), ("submit", None), ("appraise", None)):
        dossier.refresh_from_db()
        user = actor(dossier, code)
        if code == "meeting":
            services.record_meeting(actor=user, dossier=dossier, held_on=d(2025, 10, 20), invited=11, present=10,
                                    method=VotingMethod.SHOW_OF_HANDS, votes={own.pk: (9, 1), higher.pk: (10, 0)})
        elif code == "submit":
            services.submit_dossier(actor=user, dossier=dossier, submitted_on=d(2025, 11, 4))
        else:
            services.appraise_dossier(actor=user, dossier=dossier, appraised_on=d(2025, 11, 6))
    dossier.refresh_from_db()
    province = Unit.objects.get(pk=dossier.unit.ancestor_ids[0])
    watcher = persona(province, Role.PROVINCE_FRONT_BOARD)

    services.decide(actor=actor(dossier, "decide"), dossier=dossier, number="12/QĐ-MTTQ", signed_on=d(2025, 11, 10),
                    signer="Nguyễn Văn Mặt Trận")

    award = Award.objects.get()
    assert award.person_id == own.person_id
    assert holder_lines(award)[0] == ("text", f"Ủy ban MTTQ Việt Nam {dossier.deciding_unit.name} ghi nhận")
    assert certificate_text(award)["heading"] == "GIẤY GHI NHẬN"
    higher.refresh_from_db()
    assert higher.state == NominationState.ACCEPTED  # waits for the provincial Front's own decision
    forward = AuditEvent.objects.get(case=dossier.case, action="forward")
    assert (forward.target_id, forward.payload["to_unit"]) == (higher.pk, province.pk)
    assert Notification.objects.filter(recipient=watcher, kind="forwarded").exists()
    assert AuditEvent.objects.get(case=dossier.case, action="decide").payload["forwarded"] == 1


def test_front_stages_refuse_peoples_committee_roles_and_the_commune_front_cannot_touch_cultural_families():
    dossier = dossier_at(PERSON, DossierState.SUBMITTED, year=2025)
    commune = dossier.appraising_unit
    with pytest.raises(PermissionDenied):
        services.appraise_dossier(actor=persona(commune, Role.COMMUNE_OFFICER), dossier=dossier)
    with pytest.raises(PermissionDenied):
        services.return_dossier(actor=persona(commune, Role.COMMUNE_CHAIR), dossier=dossier, reason="x")
    family = dossier_at("gia-dinh-van-hoa", DossierState.SUBMITTED, unit=dossier.unit, year=2025)
    with pytest.raises(PermissionDenied):
        services.appraise_dossier(actor=persona(commune, Role.COMMUNE_FRONT_CHAIR), dossier=family)


def test_the_honour_list_reads_the_highest_instrument_first_and_is_hidden_from_another_hamlet():
    dossier = dossier_at(PERSON, DossierState.DECIDED, year=2025)
    client = Client()
    client.force_login(actor(dossier, "register"))
    page = client.get(reverse("workflows:honour_list", args=[dossier.pk]))
    assert page.status_code == 200
    assert page.content.decode().count("Giấy ghi nhận của Ủy ban MTTQ Việt Nam xã") == 2
    stranger = Client()
    stranger.force_login(persona(unit_for(dossier.title_type), Role.HAMLET_FRONT_HEAD))
    assert stranger.get(reverse("workflows:honour_list", args=[dossier.pk])).status_code == 404


def _queries_to_grant(subjects):
    dossier = dossier_at(PERSON, DossierState.SUBMITTED, subjects=subjects, year=2025)
    chair = actor(dossier, "appraise")
    with CaptureQueriesContext(connection) as appraising:
        services.appraise_dossier(actor=chair, dossier=dossier, appraised_on=d(2025, 11, 6))
    dossier.refresh_from_db()
    with CaptureQueriesContext(connection) as granting:
        services.decide(actor=chair, dossier=dossier, number=f"{subjects}/QĐ-MTTQ", signed_on=d(2025, 11, 10),
                        signer="Chủ tịch")
    assert Award.objects.filter(nomination__dossier=dossier).count() == subjects
    return len(appraising), len(granting)


def test_appraising_and_granting_a_list_costs_the_same_queries_for_10_and_100_proposals():
    assert _queries_to_grant(10) == _queries_to_grant(100)
