"""The merit round (workflows.procedures.merit_round) through the services and the web: the list
from the register's eligible only, the cap at the meeting and again at appraisal with the
numbers, the hamlet variant's council step, the certificate's wording, the boundary years, and
revocation flagging the certificates that counted a title."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.models import Level, Role, UnitKind
from notifications.models import Notification
from titles.certificates import holder_lines
from titles.models import Award, CertificateReview, RuleSet, TitleType
from workflows import services
from workflows.models import AuditEvent, DossierState, NominationState
from workflows.services.errors import RuleViolation

from ..dossiers import d, persona
from ..factories import HouseholdFactory, UnitFactory, UserFactory, pdf_bytes
from ..titles.register import record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

FAMILY, FAMILY_MERIT = "gia-dinh-van-hoa", "giay-khen-gia-dinh-van-hoa"
HAMLET, HAMLET_MERIT = "ap-khu-pho-van-hoa", "giay-khen-ap-van-hoa"


def title(code):
    return TitleType.objects.get(code=code)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The council's minutes go to a throwaway storage."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def clerk(db):
    return UserFactory(username="so_theo_doi")


def families(hamlet, clerk, n, years=(2019, 2020, 2021), prefix="DK"):
    """`n` households of `hamlet` holding the Cultural Family title in `years`."""
    households = [HouseholdFactory(hamlet=hamlet, code=f"{prefix}-{i:02d}", head_name=f"Nguyễn Văn {prefix}{i:02d}")
                  for i in range(n)]
    record(title(FAMILY), [(h, y) for h in households for y in years], actor=clerk)
    return households


def people(unit, *roles):
    return [persona(unit, role) for role in roles]


def open_family_round(district, year=2021):
    head = persona(district.hamlet, Role.HAMLET_HEAD)
    return head, services.open_round(actor=head, unit=district.hamlet, title_type=title(FAMILY_MERIT), year=year,
                                     opened_on=d(year, 12, 11))


def meet(dossier, votes, present=30):
    user = persona(dossier.unit, Role.HAMLET_HEAD if dossier.unit.level == Level.HAMLET else Role.COMMUNE_OFFICER)
    nominations = list(dossier.nominations.order_by("pk"))
    services.record_meeting(actor=user, dossier=dossier, held_on=d(dossier.year, 12, 15), invited=40, present=present,
                            method="show_of_hands",
                            votes={n.pk: (v, present - v) for n, v in zip(nominations, votes)})
    dossier.refresh_from_db()
    return nominations


# ---------------------------------------------------------------- the list

def test_only_the_eligible_go_on_the_list_each_with_its_window_and_decisions(district, clerk):
    eligible = families(district.hamlet, clerk, 3)
    gap = HouseholdFactory(hamlet=district.hamlet, code="DK-GAP", head_name="Lê Thị Gián")
    record(title(FAMILY), [(gap, 2019), (gap, 2021)], actor=clerk)
    head, dossier = open_family_round(district)

    with pytest.raises(RuleViolation, match=r"1 of the chosen households is not eligible for .* 2019–2021: "
                                            r"Lê Thị Gián \(DK-GAP\): a gap in 2020"):
        services.register_subjects(actor=head, dossier=dossier, subject_ids=[gap.pk, eligible[0].pk],
                                   registered_on=d(2021, 12, 12))
    created = services.register_subjects(actor=head, dossier=dossier, subject_ids=[h.pk for h in eligible],
                                         registered_on=d(2021, 12, 12))

    streak = created[0].streak if created[0].household == eligible[0] else None
    nomination = dossier.nominations.get(household=eligible[0])
    assert nomination.streak == {"first": 2019, "last": 2021, "titles": [
        {"year": y, "decision": f"{y}/{district.hamlet.code}"} for y in (2019, 2020, 2021)]}
    event = AuditEvent.objects.get(case_id=dossier.case_id, action="register", target_id=nomination.pk)
    assert event.payload["streak"]["first"] == 2019 and streak is not None


def test_the_register_page_lists_only_the_eligible_with_their_streaks(client, district, clerk):
    eligible = families(district.hamlet, clerk, 2)
    HouseholdFactory(hamlet=district.hamlet, code="DK-NEW", head_name="Người Mới")
    head, dossier = open_family_round(district)
    client.force_login(head)

    html = client.get(reverse("workflows:register", args=[dossier.pk])).content.decode()

    assert eligible[0].head_name in html and "Người Mới" not in html
    assert f"2019–2021, decisions 2019/{district.hamlet.code}, 2020/{district.hamlet.code}" in html


# ---------------------------------------------------------------- the cap

def test_the_meeting_keeps_the_cap_and_names_the_numbers(district, clerk):
    households = families(district.hamlet, clerk, 21)
    head, dossier = open_family_round(district)
    services.register_subjects(actor=head, dossier=dossier, subject_ids=[h.pk for h in households],
                               registered_on=d(2021, 12, 12))
    # Four pass the 60%: 30, 29, 28 and 27 of 30; the rest fall short.
    nominations = meet(dossier, [30, 29, 28, 27] + [10] * 17)

    states = {n.pk: n.state for n in dossier.nominations.all()}
    assert [states[n.pk] for n in nominations[:4]] == [NominationState.PROPOSED] * 3 + [NominationState.NOT_PROPOSED]
    fourth = dossier.nominations.get(pk=nominations[3].pk)
    assert fourth.reason == ("4 proposed, the cap is 3 of 21 eligible (15%). Ranked 4 by agree votes, it is not "
                             "proposed.")
    assert dossier.proposed_count == 3


def test_ties_at_the_cut_off_follow_the_rule_set(district, clerk):
    households = families(district.hamlet, clerk, 7)  # 15% of 7 rounds down to 1
    head, dossier = open_family_round(district)
    services.register_subjects(actor=head, dossier=dossier, subject_ids=[h.pk for h in households],
                               registered_on=d(2021, 12, 12))
    # Two tie on 25 agree votes; the second has fewer against, so the higher share of agree votes.
    nominations = list(dossier.nominations.order_by("pk"))
    services.record_meeting(actor=head, dossier=dossier, held_on=d(2021, 12, 15), invited=40, present=30,
                            method="show_of_hands",
                            votes={n.pk: ((25, 5) if i == 0 else (25, 1) if i == 1 else (5, 20))
                                   for i, n in enumerate(nominations)})
    proposed = list(dossier.nominations.filter(state=NominationState.PROPOSED).values_list("pk", flat=True))
    assert proposed == [nominations[1].pk]


def test_rounding_up_and_admitting_all_tied_are_rule_set_data(district, clerk, commune_officer):
    """A province's rules (a copy of Decree 122's for 2023 here) round 15% up and admit everyone tied
    at the cut-off: 15% of 7 is 2 rounded up, and the three tied on 25 votes are all proposed, and the
    appraisal accepts them too."""
    rules = RuleSet.objects.get(code="gkgd-nd122-2018")
    rules.pk, rules._state.adding = None, True
    rules.code, rules.name = "test-gkgd-tinh-2023", "Giấy khen – quy định thử của tỉnh"
    rules.effective_from, rules.effective_to = d(2023, 1, 1), d(2023, 12, 31)
    rules.merit = {**rules.merit, "cap_rounding": "up", "tie_break": ["admit_all_tied"]}
    rules.save()
    households = families(district.hamlet, clerk, 7, years=(2021, 2022, 2023))
    head, dossier = open_family_round(district, year=2023)
    assert dossier.rule_set == rules
    services.register_subjects(actor=head, dossier=dossier, subject_ids=[h.pk for h in households],
                               registered_on=d(2023, 12, 12))
    nominations = list(dossier.nominations.order_by("pk"))
    services.record_meeting(actor=head, dossier=dossier, held_on=d(2023, 12, 15), invited=40, present=30,
                            method="show_of_hands",
                            votes={n.pk: ((28, 2) if i == 0 else (25, 5) if i < 4 else (5, 20))
                                   for i, n in enumerate(nominations)})
    assert dossier.nominations.filter(state=NominationState.PROPOSED).count() == 4
    services.submit_dossier(actor=head, dossier=dossier, submitted_on=d(2023, 12, 16))
    services.appraise_dossier(actor=commune_officer, dossier=dossier, appraised_on=d(2023, 12, 17))
    assert dossier.nominations.filter(state=NominationState.ACCEPTED).count() == 4


def test_the_appraisal_refuses_more_than_the_cap_of_those_eligible_then(client, district, clerk, commune_officer):
    households = families(district.hamlet, clerk, 21)
    head, dossier = open_family_round(district)
    services.register_subjects(actor=head, dossier=dossier, subject_ids=[h.pk for h in households],
                               registered_on=d(2021, 12, 12))
    meet(dossier, [30, 29, 28] + [10] * 18)
    services.submit_dossier(actor=head, dossier=dossier, submitted_on=d(2021, 12, 16))
    # Since the meeting, eight titles of households not proposed were revoked: 13 eligible, cap 1.
    chair = persona(district.commune, Role.COMMUNE_CHAIR)
    revoked = Award.objects.filter(title_type__code=FAMILY, year=2021, household__in=households[13:])
    for award in revoked:
        services.revoke_award(actor=chair, award=award, ground="d", decision_number=f"HB-{award.pk}",
                              reason="Kiểm tra lại", decided_on=d(2021, 12, 16))
    dossier.refresh_from_db()
    client.force_login(commune_officer)

    response = client.post(reverse("workflows:appraise", args=[dossier.pk]),
                           {"expected_revision": dossier.revision, "confirmed": "1"})

    assert response.status_code == 400
    assert "3 proposed, the cap is 1 of 13 eligible (15%)." in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


# ---------------------------------------------------------------- decision and certificate

def test_the_commune_chair_decides_and_the_certificate_names_the_years(client, district, clerk, commune_officer):
    households = families(district.hamlet, clerk, 3)
    head, dossier = open_family_round(district)
    services.register_subjects(actor=head, dossier=dossier, subject_ids=[h.pk for h in households],
                               registered_on=d(2021, 12, 12))
    meet(dossier, [30, 10, 10])
    services.submit_dossier(actor=head, dossier=dossier, submitted_on=d(2021, 12, 16))
    services.appraise_dossier(actor=commune_officer, dossier=dossier, appraised_on=d(2021, 12, 17))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPRAISED  # no council for a household's certificate
    chair = persona(district.commune, Role.COMMUNE_CHAIR)
    services.decide(actor=chair, dossier=dossier, number="12/QĐ-UBND", signed_on=d(2021, 12, 20), signer="Chủ tịch")

    award = Award.objects.get(title_type__code=FAMILY_MERIT, household=households[0])
    lines = [text for _, text in holder_lines(award)]
    assert "Đã đạt danh hiệu Gia đình văn hóa 3 năm liên tục (2019–2021)" in lines
    verify = client.get(reverse("documents:verify", args=[award.certificate_code])).content.decode()
    assert "Giấy khen: đã đạt danh hiệu Gia đình văn hóa 3 năm liên tục (2019–2021)" in verify


def test_a_round_cannot_open_where_no_merit_rule_set_is_in_force(district, clerk):
    families(district.hamlet, clerk, 3, years=(2021, 2022, 2023))
    head, dossier = open_family_round(district, year=2023)
    assert dossier.rule_set.code == "gkgd-nd122-2018"
    record(title(FAMILY), [(h, 2024) for h in district.hamlet.households.all()], actor=clerk)
    with pytest.raises(RuleViolation, match="No certificate-of-merit rule set is in force for 2024"):
        services.open_round(actor=head, unit=district.hamlet, title_type=title(FAMILY_MERIT), year=2024,
                            opened_on=d(2024, 12, 1))


# ---------------------------------------------------------------- the hamlet variant

def test_hamlets_go_through_the_district_council_before_the_district_chair(district, clerk):
    commune = district.commune
    hamlets = [UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, parent=commune, valid_from=d(2004, 1, 1),
                           name=f"Ấp {i}") for i in range(3)]
    record(title(HAMLET), [(h, y) for h in hamlets for y in range(2017, 2022)], actor=clerk)
    officer = persona(commune, Role.COMMUNE_OFFICER)
    dossier = services.open_round(actor=officer, unit=commune, title_type=title(HAMLET_MERIT), year=2021,
                                  opened_on=d(2021, 12, 11))
    services.register_subjects(actor=officer, dossier=dossier, subject_ids=[h.pk for h in hamlets],
                               registered_on=d(2021, 12, 12))
    meet(dossier, [30, 10, 10])
    services.submit_dossier(actor=officer, dossier=dossier, submitted_on=d(2021, 12, 16))
    office = persona(district.district, Role.DISTRICT_OFFICE)
    services.appraise_dossier(actor=office, dossier=dossier, appraised_on=d(2021, 12, 17))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.COUNCIL
    chair = persona(district.district, Role.DISTRICT_CHAIR)
    with pytest.raises(RuleViolation, match="A decision can only be signed on an appraised dossier"):
        services.decide(actor=chair, dossier=dossier, number="5/QĐ-UBND", signed_on=d(2021, 12, 20), signer="CT")

    services.record_council(actor=office, dossier=dossier, held_on=d(2021, 12, 18), members=9, present=7,
                            conclusion="Thống nhất đề nghị tặng Giấy khen")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPRAISED
    event = AuditEvent.objects.get(case_id=dossier.case_id, action="record_council")
    assert (event.payload["members"], event.payload["present"], event.payload["name"]) == (
        9, 7, "Hội đồng Thi đua – Khen thưởng huyện")
    services.decide(actor=chair, dossier=dossier, number="5/QĐ-UBND", signed_on=d(2021, 12, 20), signer="CT")
    award = Award.objects.get(title_type__code=HAMLET_MERIT, hamlet=hamlets[0])
    assert award.decision.unit == district.district
    assert any("5 năm liên tục (2017–2021)" in text for _, text in holder_lines(award))


# ---------------------------------------------------------------- revocation

def test_revoking_a_counted_title_flags_the_certificate_and_tells_the_chair_and_supervisor(district, clerk,
                                                                                           commune_officer):
    households = families(district.hamlet, clerk, 3)
    head, dossier = open_family_round(district)
    services.register_subjects(actor=head, dossier=dossier, subject_ids=[h.pk for h in households],
                               registered_on=d(2021, 12, 12))
    meet(dossier, [30, 10, 10])
    services.submit_dossier(actor=head, dossier=dossier, submitted_on=d(2021, 12, 16))
    services.appraise_dossier(actor=commune_officer, dossier=dossier, appraised_on=d(2021, 12, 17))
    chair = persona(district.commune, Role.COMMUNE_CHAIR)
    supervisor = persona(district.commune, Role.COMMUNE_FRONT_CHAIR)
    services.decide(actor=chair, dossier=dossier, number="12/QĐ-UBND", signed_on=d(2021, 12, 20), signer="Chủ tịch")
    certificate = Award.objects.get(title_type__code=FAMILY_MERIT, household=households[0])
    counted = Award.objects.get(title_type__code=FAMILY, year=2020, household=households[0])

    services.revoke_award(actor=chair, award=counted, ground="d", decision_number="HB-7", reason="Vi phạm",
                          decided_on=d(2022, 3, 1))

    review = CertificateReview.objects.get()
    assert review.certificate == certificate and review.revocation.decision_number == "HB-7"
    certificate.refresh_from_db()
    assert certificate.revoked_at is None  # revoking it is its own, reasoned act
    event = AuditEvent.objects.get(case_id=dossier.case_id, action="flag_certificate")
    assert event.payload["window"] == [2019, 2021] and event.payload["revoked_year"] == 2020
    told = set(Notification.objects.filter(kind="certificate_review").values_list("recipient_id", flat=True))
    assert {chair.pk, supervisor.pk} <= told


# ---------------------------------------------------------------- on the web, end to end

def post(client, name, pk, body, **kwargs):
    response = client.post(reverse(name, kwargs={"pk": pk, **kwargs}), body)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def revision(dossier):
    dossier.refresh_from_db()
    return dossier.revision


def tally(dossier, votes, present=30):
    nominations = list(dossier.nominations.order_by("pk"))
    return {"expected_revision": revision(dossier), "held_on": "15/12/2021", "invited": 40, "present": present,
            "method": "show_of_hands", "chaired_by": "", "dates_confirmed": "on",
            **{f"for_{n.pk}": v for n, v in zip(nominations, votes)},
            **{f"against_{n.pk}": present - v for n, v in zip(nominations, votes)}}


def test_a_household_round_runs_on_the_web_and_the_cap_refuses_a_fourth_of_21(client, district, clerk):
    households = families(district.hamlet, clerk, 21)
    head = persona(district.hamlet, Role.HAMLET_HEAD)
    client.force_login(head)
    listing = client.get(reverse("titles:merit", args=[FAMILY_MERIT, district.hamlet.pk, 2021])).content.decode()
    assert "Open the round from this list" in listing and "at most 3 can be proposed: 15% of 21 eligible" in listing

    response = client.post(reverse("workflows:open_merit_round", args=[FAMILY_MERIT, district.hamlet.pk, 2021]))
    dossier = district.hamlet.dossiers.get(title_type__code=FAMILY_MERIT)
    assert response["Location"] == reverse("workflows:dossier", args=[dossier.pk])
    post(client, "workflows:register", dossier.pk, {"expected_revision": revision(dossier), "households": [
        h.pk for h in households], "registered_on": "12/12/2021", "dates_confirmed": "on"})
    sheet = client.get(reverse("workflows:meeting", args=[dossier.pk])).content.decode()
    assert "At most 3 of the 21 eligible (15%, rounded down) can be proposed, ranked by agree votes." in sheet
    post(client, "workflows:meeting", dossier.pk, tally(dossier, [30, 29, 28, 27] + [10] * 17))

    fourth = dossier.nominations.order_by("pk")[3]
    page = client.get(reverse("workflows:dossier", args=[dossier.pk])).content.decode()
    assert "4 proposed, the cap is 3 of 21 eligible (15%)." in page
    assert fourth.state == NominationState.NOT_PROPOSED
    post(client, "workflows:submit", dossier.pk, {"expected_revision": revision(dossier), "submitted_on": "16/12/2021",
                                                  "dates_confirmed": "on"})
    client.force_login(persona(district.commune, Role.COMMUNE_OFFICER))
    post(client, "workflows:appraise", dossier.pk, {"expected_revision": revision(dossier), "confirmed": "1"})
    client.force_login(persona(district.commune, Role.COMMUNE_CHAIR))
    post(client, "workflows:decide", dossier.pk, {"expected_revision": revision(dossier), "number": "12/QĐ-UBND",
                                                  "signed_on": "20/12/2021", "signer": "Chủ tịch",
                                                  "dates_confirmed": "on"})
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DECIDED and dossier.recognized_count == 3
    award = Award.objects.filter(title_type__code=FAMILY_MERIT).first()
    assert client.get(reverse("workflows:certificate", args=[award.pk]))["Content-Type"] == "application/pdf"


def test_a_hamlet_round_runs_on_the_web_through_the_district_council(client, district, clerk):
    hamlets = [UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, parent=district.commune, valid_from=d(2004, 1, 1),
                           name=f"Ấp {i}") for i in range(3)]
    record(title(HAMLET), [(h, y) for h in hamlets for y in range(2017, 2022)], actor=clerk)
    client.force_login(persona(district.commune, Role.COMMUNE_OFFICER))
    client.post(reverse("workflows:open_merit_round", args=[HAMLET_MERIT, district.commune.pk, 2021]))
    dossier = district.commune.dossiers.get(title_type__code=HAMLET_MERIT)
    post(client, "workflows:register", dossier.pk, {"expected_revision": revision(dossier), "households": [
        h.pk for h in hamlets], "registered_on": "12/12/2021", "dates_confirmed": "on"})
    post(client, "workflows:meeting", dossier.pk, tally(dossier, [30, 10, 10]))
    post(client, "workflows:submit", dossier.pk, {"expected_revision": revision(dossier), "submitted_on": "16/12/2021",
                                                  "dates_confirmed": "on"})
    office = persona(district.district, Role.DISTRICT_OFFICE)
    client.force_login(office)
    post(client, "workflows:appraise", dossier.pk, {"expected_revision": revision(dossier), "confirmed": "1"})
    chair = persona(district.district, Role.DISTRICT_CHAIR)
    client.force_login(chair)
    refused = client.post(reverse("workflows:decide", args=[dossier.pk]), {
        "expected_revision": revision(dossier), "number": "5/QĐ-UBND", "signed_on": "20/12/2021", "signer": "CT",
        "dates_confirmed": "on"})
    assert refused.status_code in (302, 400) and not Award.objects.filter(title_type__code=HAMLET_MERIT).exists()
    client.force_login(office)
    page = client.get(reverse("workflows:council", args=[dossier.pk])).content.decode()
    assert "Hội đồng Thi đua – Khen thưởng huyện meets on the appraised list" in page
    post(client, "workflows:council", dossier.pk, {
        "expected_revision": revision(dossier), "held_on": "18/12/2021", "members": 9, "present": 7,
        "conclusion": "Thống nhất đề nghị tặng Giấy khen", "dates_confirmed": "on",
        "minutes": SimpleUploadedFile("bien-ban-hd.pdf", pdf_bytes(), "application/pdf")})
    client.force_login(chair)
    post(client, "workflows:decide", dossier.pk, {"expected_revision": revision(dossier), "number": "5/QĐ-UBND",
                                                  "signed_on": "20/12/2021", "signer": "CT", "dates_confirmed": "on"})
    award = Award.objects.get(title_type__code=HAMLET_MERIT)
    assert award.decision.unit == district.district and award.hamlet == hamlets[0]
    assert dossier.council_meetings.get().minutes.name.endswith(".pdf")


def test_the_inboxes_show_each_stage_s_task_the_council_s_to_the_district_office(client, district, clerk):
    hamlets = [UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, parent=district.commune, valid_from=d(2004, 1, 1),
                           name=f"Ấp {i}") for i in range(2)]
    record(title(HAMLET), [(h, y) for h in hamlets for y in range(2017, 2022)], actor=clerk)
    officer = persona(district.commune, Role.COMMUNE_OFFICER)
    dossier = services.open_round(actor=officer, unit=district.commune, title_type=title(HAMLET_MERIT), year=2021,
                                  opened_on=d(2021, 12, 11))
    client.force_login(officer)
    assert "Put the eligible on the list, review and send it" in client.get(reverse("workflows:home")).content.decode()
    services.register_subjects(actor=officer, dossier=dossier, subject_ids=[h.pk for h in hamlets],
                               registered_on=d(2021, 12, 12))
    meet(dossier, [30, 30])
    services.submit_dossier(actor=officer, dossier=dossier, submitted_on=d(2021, 12, 16))
    office = persona(district.district, Role.DISTRICT_OFFICE)
    services.appraise_dossier(actor=office, dossier=dossier, appraised_on=d(2021, 12, 17))
    client.force_login(office)

    inbox = client.get(reverse("workflows:home")).content.decode()

    assert "Record the emulation council&#x27;s meeting" in inbox or "Record the emulation council's meeting" in inbox
    assert reverse("workflows:council", args=[dossier.pk]) in inbox
