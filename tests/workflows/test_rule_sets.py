"""The law as data: each dossier follows the rule set in force for its year.

Decree 122/2018 (2021): 60% of the invited must attend, 60% of attendees must
agree, the dossier goes up within 3 working days. Decree 86/2023 (2024): no
national threshold, a 10-day public posting before submission, exclusion
grounds. And a rule set that says "the district decides" routes the decision
to the district without any code change.
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from viewflow.workflow.models import Task

from directory.models import Unit
from titles.models import DayType, Holiday, RuleSet, TitleType
from workflows import services
from workflows.models import AuditEvent, DossierState, NominationState, VotingMethod
from workflows.services import RuleViolation

from .scenario import d, meet, open_with_households, send, snapshot, tally_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def opened(district, hamlet_head, family_title, households):
    def make(year, n=3):
        return open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=year,
                                    households=households(n))

    return make


def outcomes(dossier):
    return [(n.state, n.reason) for n in dossier.nominations.order_by("household__code")]


# ---------------------------------------------------------------- which rule set

@pytest.mark.parametrize("year,code", [
    (2019, "gdvh-nd122-2018"), (2021, "gdvh-nd122-2018"), (2023, "gdvh-nd122-2018"),
    (2024, "gdvh-nd86-2023"), (2025, "gdvh-2025-hai-cap"),
])
def test_a_round_is_opened_under_the_rule_set_in_force_for_its_year(opened, year, code):
    assert opened(year).rule_set.code == code


def test_a_dossier_keeps_its_rule_set_when_a_newer_version_is_published(
    district, hamlet_head, family_title, opened
):
    dossier = opened(2021)
    old = dossier.rule_set
    RuleSet.objects.create(
        code="gdvh-nd122-2018-v2", version=2, title_type=family_title, name="Decree 122, amended (test)",
        legal_basis="test", effective_from=old.effective_from, effective_to=old.effective_to, steps=old.steps,
        appraising_level=old.appraising_level, deciding_level=old.deciding_level, quorum_pct=90, approval_pct=90,
    )

    meet(head=hamlet_head, dossier=dossier, invited=40, present=30, votes=tally_all(dossier, 20))

    dossier.refresh_from_db()
    assert dossier.rule_set == old
    assert dossier.state == DossierState.REVIEWED
    assert {n.state for n in dossier.nominations.all()} == {NominationState.PROPOSED}


# ---------------------------------------------------------------- Decree 122/2018: 60% / 60%

@pytest.mark.parametrize("invited,present,valid", [
    (40, 24, True),   # exactly 60%
    (40, 23, False),  # 57.5%
    (5, 3, True),     # exactly 60% of a small meeting
    (7, 5, True),     # 71.4%: 60% of 7 is 4.2, so 5 people are needed
    (7, 4, False),    # 57.1%: rounding 4.2 down to 4 would wrongly pass it
])
def test_decree_122_quorum_is_60_percent_of_the_invited(hamlet_head, opened, invited, present, valid):
    dossier = opened(2021)
    before = snapshot(dossier)

    def call():
        return services.record_meeting(actor=hamlet_head, dossier=dossier, held_on=d(2021, 11, 2), invited=invited,
                                       present=present, method=VotingMethod.SECRET_BALLOT,
                                       votes=tally_all(dossier, present))

    if valid:
        call()
        dossier.refresh_from_db()
        assert dossier.state == DossierState.REVIEWED
    else:
        with pytest.raises(RuleViolation, match=rf"{present} of {invited} invited attended .*the quorum .* is 60%"):
            call()
        assert snapshot(dossier) == before


def test_decree_122_approval_is_60_percent_of_the_attendees(hamlet_head, opened):
    dossier = opened(2021, n=4)
    noms = list(dossier.nominations.order_by("household__code"))
    # 30 attend: 18 is exactly 60%, 17 is 56.7%. Votes against do not matter, only agreement.
    votes = {noms[0].pk: (18, 12), noms[1].pk: (17, 0), noms[2].pk: (30, 0), noms[3].pk: (0, 0)}

    meet(head=hamlet_head, dossier=dossier, invited=40, present=30, votes=votes)

    dossier.refresh_from_db()
    assert outcomes(dossier) == [
        (NominationState.PROPOSED, ""),
        (NominationState.NOT_PROPOSED, "17 of 30 attendees agreed (56.7%); at least 60% is required."),
        (NominationState.PROPOSED, ""),
        (NominationState.NOT_PROPOSED, "0 of 30 attendees agreed (0.0%); at least 60% is required."),
    ]


def test_decree_122_gives_three_working_days_to_send_the_dossier_skipping_the_weekend(hamlet_head, opened):
    dossier = opened(2021)
    # Thursday 4 November 2021: Friday, Monday, Tuesday.
    meet(head=hamlet_head, dossier=dossier, held_on=d(2021, 11, 4))

    dossier.refresh_from_db()
    assert d(2021, 11, 4).weekday() == 3
    assert dossier.submission_due == d(2021, 11, 9)


def test_working_days_skip_the_public_holidays_stored_as_data(hamlet_head, opened):
    Holiday.objects.get_or_create(date=d(2021, 11, 10), defaults={"name": "Test holiday"})
    dossier = opened(2021)
    # Monday 8 November: Tuesday, (Wednesday off), Thursday, Friday.
    meet(head=hamlet_head, dossier=dossier, held_on=d(2021, 11, 8))

    dossier.refresh_from_db()
    assert dossier.submission_due == d(2021, 11, 12)


def test_a_late_submission_is_accepted_but_marked_late_in_the_audit_trail(hamlet_head, opened):
    dossier = opened(2021)
    meet(head=hamlet_head, dossier=dossier, held_on=d(2021, 11, 4))

    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(2021, 11, 10))

    event = AuditEvent.objects.get(case_id=dossier.case_id, action="submit")
    assert event.payload["submission_due"] == "2021-11-09" and event.payload["late"] is True


def test_decree_122_has_no_posting_step(hamlet_head, opened):
    dossier = opened(2021)
    meet(head=hamlet_head, dossier=dossier)
    with pytest.raises(RuleViolation, match="not possible while the dossier is"):
        services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(2021, 11, 3), place="Nhà văn hóa")
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(2021, 11, 3))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


# ---------------------------------------------------------------- Decree 86/2023

def test_decree_86_requires_ten_days_of_posting_before_submission(hamlet_head, opened):
    dossier = opened(2024)
    meet(head=hamlet_head, dossier=dossier, held_on=d(2024, 11, 2))
    posting = services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(2024, 11, 3), place="Nhà văn hóa")
    # Civil Code art. 147: the posting day is not counted, so the 10 days are 04/11..13/11.
    assert posting.ends_on == d(2024, 11, 13)

    # The last day still receives residents' comments, so the dossier cannot leave on it.
    services.record_comment(actor=hamlet_head, dossier=dossier, received_on=d(2024, 11, 13), author="Lê Dân",
                            text="Đồng ý")
    with pytest.raises(RuleViolation, match=r"posted until 13/11/2024 included \(10 calendar days from "
                                            r"03/11/2024\).*can be sent from 14/11/2024"):
        services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(2024, 11, 13))
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(2024, 11, 14))

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.submission_due is None  # Decree 86 sets no submission deadline
    assert dossier.decision_due == d(2024, 11, 24)  # 10 calendar days to decide


def test_decree_86_has_no_quorum(hamlet_head, opened):
    dossier = opened(2024)
    meet(head=hamlet_head, dossier=dossier, invited=40, present=5, votes=tally_all(dossier, 5))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED


def test_decree_86_without_a_vote_threshold_proposes_a_household_when_more_agree_than_disagree(hamlet_head, opened):
    """approval_pct is null under Decree 86/2023. The code then asks for a simple
    majority of the votes cast (for > against) and ignores abstentions: 3 for and
    1 against among 30 attendees (10%) passes, a tie or a majority against does not."""
    dossier = opened(2024, n=4)
    assert dossier.rule_set.approval_pct is None
    noms = list(dossier.nominations.order_by("household__code"))
    votes = {noms[0].pk: (3, 1), noms[1].pk: (10, 10), noms[2].pk: (4, 20), noms[3].pk: (0, 0)}

    meet(head=hamlet_head, dossier=dossier, invited=40, present=30, votes=votes)

    dossier.refresh_from_db()
    assert outcomes(dossier) == [
        (NominationState.PROPOSED, ""),
        (NominationState.NOT_PROPOSED, "10 for and 10 against: the meeting did not agree."),
        (NominationState.NOT_PROPOSED, "4 for and 20 against: the meeting did not agree."),
        (NominationState.NOT_PROPOSED, "0 for and 0 against: the meeting did not agree."),
    ]


def test_decree_86_exclusion_ground_declines_a_household_whatever_the_votes(hamlet_head, opened):
    dossier = opened(2024)
    excluded = dossier.nominations.order_by("household__code").first()

    meet(head=hamlet_head, dossier=dossier, present=30, votes=tally_all(dossier, 30),
         exclusions={excluded.pk: "domestic_violence"})

    excluded.refresh_from_db()
    assert excluded.state == NominationState.NOT_PROPOSED
    assert excluded.exclusion == "domestic_violence"
    assert excluded.reason == "Excluded: Bị xử phạt về bạo lực gia đình."
    assert set(dossier.nominations.exclude(pk=excluded.pk).values_list("state", flat=True)) == {"proposed"}
    event = AuditEvent.objects.get(case_id=dossier.case_id, action="meeting_vote", target_id=excluded.pk)
    assert event.payload["exclusion"] == "domestic_violence" and "bạo lực gia đình" in event.payload["reason"]


# ---------------------------------------------------------------- who decides is data

@pytest.fixture
def district_title(db):
    """A title that only this test knows, whose rule set has the district decide."""
    title = TitleType.objects.create(code="test-district-decides", name="Test title decided by the district",
                                     subject_kind="household")
    RuleSet.objects.create(
        code="test-district-decides-2019", title_type=title, name="Test rule set: the district decides",
        legal_basis="Test only", effective_from=datetime.date(2019, 1, 1),
        steps=["registration", "meeting", "submission", "appraisal", "decision"],
        appraising_level="commune", deciding_level="district", quorum_pct=60, approval_pct=60,
        submission_days=3, submission_day_type=DayType.WORKING, decision_days=5, decision_day_type=DayType.WORKING,
    )
    return title


def test_a_rule_set_with_a_district_decision_routes_the_decision_to_the_district(
    district, hamlet_head, commune_officer, commune_chair, district_chair, district_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=district_title, year=2021,
                                   households=households(2))
    assert (dossier.appraising_unit, dossier.deciding_unit) == (district.commune, district.district)
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    services.appraise_dossier(actor=commune_officer, dossier=dossier)

    task = Task.objects.get(process=dossier.process, flow_task_type="HUMAN", status="NEW")
    assert task.owner_permission == "directory.decide_title"
    assert task.owner_permission_content_type == ContentType.objects.get_for_model(Unit)
    assert task.owner_permission_obj_pk == str(district.district.pk)
    assert list(Task.objects.user_queue(district_chair).filter(status="NEW")) == [task]
    assert not Task.objects.user_queue(commune_chair).filter(status="NEW").exists()

    before = snapshot(dossier)
    with pytest.raises(PermissionDenied):
        services.decide(actor=commune_chair, dossier=dossier, number="1/QĐ-UBND", signed_on=d(2021, 11, 20),
                        signer="Chủ tịch xã")
    assert snapshot(dossier) == before

    services.decide(actor=district_chair, dossier=dossier, number="1/QĐ-UBND", signed_on=d(2021, 11, 20),
                    signer="Chủ tịch huyện")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DECIDED
    assert dossier.decision.unit == district.district
    event = AuditEvent.objects.get(case_id=dossier.case_id, action="decide")
    assert (event.actor, event.role, event.unit) == (district_chair, "district_chair", district.district)
    assert set(dossier.nominations.values_list("state", flat=True)) == {NominationState.RECOGNIZED}


def test_under_decree_86_a_returned_dossier_that_meets_again_must_be_posted_again(
    hamlet_head, commune_officer, opened
):
    dossier = opened(2024)
    meet(head=hamlet_head, dossier=dossier, held_on=d(2024, 11, 2))
    send(head=hamlet_head, dossier=dossier)
    services.return_dossier(actor=commune_officer, dossier=dossier, reason="Biên bản thiếu chữ ký")

    meet(head=hamlet_head, dossier=dossier, held_on=d(2024, 11, 15))
    with pytest.raises(RuleViolation, match="must first be posted publicly for 10 calendar days"):
        services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(2024, 11, 16))
    posting = services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(2024, 11, 15), place="Nhà văn hóa")
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=posting.sendable_from)

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED and dossier.postings.count() == 2


# ---------------------------------------------------------------- dates and the law in force (issue 18)

def test_every_shipped_rule_set_says_how_it_counts_posting_days_and_treats_earlier_acts():
    for rules in RuleSet.objects.filter(title_type__code="gia-dinh-van-hoa"):
        assert rules.posting_start_day_counts is False, rules.code  # Civil Code 2015 art. 147
        assert "Điều 147" in rules.day_counting_basis, rules.code
        assert rules.acts_before_effective["basis"], rules.code
    assert RuleSet.objects.get(code="gdvh-nd122-2018").acts_before_effective["steps"] == []
    assert RuleSet.objects.get(code="gdvh-nd86-2023").acts_before_effective["steps"] == ["registration"]


def test_a_rule_set_that_counts_the_posting_day_ends_the_posting_a_day_earlier(hamlet_head, opened):
    dossier = opened(2024)
    RuleSet.objects.filter(pk=dossier.rule_set_id).update(posting_start_day_counts=True)
    meet(head=hamlet_head, dossier=dossier, held_on=d(2024, 11, 2))
    posting = services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(2024, 11, 3), place="Nhà văn hóa")
    assert posting.ends_on == d(2024, 11, 12)
    with pytest.raises(RuleViolation, match="The posting runs from 03/11/2024 to 12/11/2024"):
        services.record_comment(actor=hamlet_head, dossier=dossier, received_on=d(2024, 11, 13), author="Lê Dân",
                                text="Đồng ý")
    with pytest.raises(RuleViolation, match="can be sent from 13/11/2024"):
        services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(2024, 11, 12))
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(2024, 11, 13))


def test_the_dossier_page_shows_how_posting_days_are_counted_and_acts_before_the_law(
    client, hamlet_head, opened, settings
):
    dossier = opened(2024)
    client.force_login(hamlet_head)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "counted from the day after the posting" in page
    assert "comments are received through the last day, the dossier is sent from the day after" in page
    assert "Bộ luật Dân sự 2015, Điều 147" in page
    assert "allowed for: Registration and self-assessment" in page
