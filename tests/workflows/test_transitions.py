"""Every transition service: the happy path, the wrong state, the wrong role, another unit's object.

A happy path is checked the way a user would notice it: the dossier's state read
back from the database, and the audit event that says who (actor, role, unit)
moved it from which state to which, with what payload. A refusal must change
nothing at all (see scenario.snapshot).
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from viewflow.workflow.models import Task

from directory.models import Role
from directory.services import grant_membership
from titles.models import Award
from workflows import services
from workflows.models import (
    AuditEvent, Decision, DossierState, Meeting, NominationState, Posting, PostingComment, VotingMethod,
)
from workflows.services import RuleViolation

from ..factories import UserFactory
from .scenario import assert_audit_chain_intact, d, meet, open_with_households, send, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

YEAR_122 = 2021  # Decree 122/2018: no posting step
YEAR_86 = 2024  # Decree 86/2023: public posting before submission


@pytest.fixture
def hamlet_supervisor(district):
    """A role in the right hamlet that may look but not act."""
    user = UserFactory(username="giam_sat_ap")
    grant_membership(user=user, unit=district.hamlet, role=Role.SUPERVISOR, since=datetime.date(2018, 1, 1))
    return user


@pytest.fixture
def people(district, hamlet_head, hamlet_front_head, other_hamlet_head, commune_officer, other_commune_officer,
           commune_chair, other_commune_chair, hamlet_supervisor, family_title, households):
    return SimpleNamespace(
        district=district, hamlet_head=hamlet_head, hamlet_front_head=hamlet_front_head,
        other_hamlet_head=other_hamlet_head, commune_officer=commune_officer,
        other_commune_officer=other_commune_officer, commune_chair=commune_chair,
        other_commune_chair=other_commune_chair, hamlet_supervisor=hamlet_supervisor, title=family_title,
        households=households,
    )


@pytest.fixture
def at_stage(people):
    """A dossier moved to `stage` through the real services."""

    def build(stage, *, year=YEAR_122, n=3):
        p = people
        dossier = open_with_households(head=p.hamlet_head, hamlet=p.district.hamlet, title=p.title, year=year,
                                       households=p.households(n))
        if stage != "open":
            meet(head=p.hamlet_head, dossier=dossier)
        if stage == "posting":
            services.post_list(actor=p.hamlet_head, dossier=dossier, starts_on=d(year, 11, 3), place="Nhà văn hóa ấp")
        if stage in ("submitted", "returned", "appraised", "decided"):
            send(head=p.hamlet_head, dossier=dossier)
        if stage == "returned":
            services.return_dossier(actor=p.commune_officer, dossier=dossier, reason="Thiếu biên bản")
        if stage in ("appraised", "decided"):
            services.appraise_dossier(actor=p.commune_officer, dossier=dossier)
        if stage == "decided":
            services.decide(actor=p.commune_chair, dossier=dossier, number="1/QĐ-UBND", signed_on=d(year, 11, 20),
                            signer="Trần Văn Chủ Tịch")
        dossier.refresh_from_db()
        return dossier

    return build


def events_of(dossier, action):
    return list(AuditEvent.objects.filter(case_id=dossier.case_id, action=action).order_by("seq"))


def assert_event(event, *, actor, role, unit, from_state, to_state, payload):
    assert (event.actor, event.actor_name, event.role, event.unit) == (actor, actor.username, role, unit)
    assert (event.from_state, event.to_state) == (from_state, to_state)
    assert event.payload == payload


def queue(user):
    return list(Task.objects.user_queue(user).filter(status="NEW").values_list("flow_task", flat=True))


# ---------------------------------------------------------------- happy paths

def test_open_round_creates_an_open_dossier_under_its_years_rule_set(people):
    p = people
    dossier = services.open_round(actor=p.hamlet_head, unit=p.district.hamlet, title_type=p.title, year=YEAR_122)

    dossier.refresh_from_db()
    assert dossier.state == DossierState.OPEN
    assert dossier.rule_set.code == "gdvh-nd122-2018"
    assert (dossier.appraising_unit, dossier.deciding_unit) == (p.district.commune, p.district.commune)
    [event] = AuditEvent.objects.filter(case_id=dossier.case_id)
    assert event.action == "open_round" and event.target_type == "dossier" and event.target_id == dossier.pk
    assert_event(event, actor=p.hamlet_head, role=Role.HAMLET_HEAD, unit=p.district.hamlet, from_state="",
                 to_state=DossierState.OPEN, payload={"rule_set": "gdvh-nd122-2018"})
    assert len(queue(p.hamlet_head)) == 1


def test_register_households_registers_each_with_its_own_audit_event(people, at_stage):
    p = people
    dossier = services.open_round(actor=p.hamlet_head, unit=p.district.hamlet, title_type=p.title, year=YEAR_122)
    homes = p.households(3)

    services.register_households(actor=p.hamlet_head, dossier=dossier, household_ids=[h.pk for h in homes],
                                 registered_on=d(2021, 3, 1))

    dossier.refresh_from_db()
    assert dossier.state == DossierState.OPEN and dossier.revision == 2
    assert sorted(dossier.nominations.values_list("household__code", "state")) == [
        (h.code, NominationState.REGISTERED) for h in sorted(homes, key=lambda h: h.code)
    ]
    events = events_of(dossier, "register")
    assert [e.payload["household"] for e in events] == sorted(h.code for h in homes)
    for event in events:
        assert event.target_type == "nomination"
        assert_event(event, actor=p.hamlet_head, role=Role.HAMLET_HEAD, unit=p.district.hamlet, from_state="",
                     to_state=NominationState.REGISTERED,
                     payload={"household": event.payload["household"], "registered_on": "2021-03-01"})


def test_record_self_assessments_stores_the_text_and_audits_it(people, at_stage):
    p = people
    dossier = at_stage("open")
    first = dossier.nominations.first()

    services.record_self_assessments(actor=p.hamlet_front_head, dossier=dossier,
                                     assessments={first.pk: "Đạt 5/5 tiêu chí"}, assessed_on=d(2021, 3, 5))

    first.refresh_from_db()
    dossier.refresh_from_db()
    assert (first.self_assessment, first.self_assessed_on) == ("Đạt 5/5 tiêu chí", d(2021, 3, 5))
    assert dossier.state == DossierState.OPEN
    [event] = events_of(dossier, "self_assessment")
    assert event.target_id == first.pk
    assert_event(event, actor=p.hamlet_front_head, role=Role.HAMLET_FRONT_HEAD, unit=p.district.hamlet,
                 from_state="", to_state="", payload={"assessed_on": "2021-03-05", "text": "Đạt 5/5 tiêu chí"})


def test_record_meeting_moves_the_dossier_to_reviewed_with_each_households_votes(people, at_stage):
    p = people
    dossier = at_stage("open")
    noms = list(dossier.nominations.order_by("household__code"))
    votes = {noms[0].pk: (30, 0), noms[1].pk: (18, 12), noms[2].pk: (17, 13)}

    meeting = services.record_meeting(actor=p.hamlet_head, dossier=dossier, held_on=d(2021, 11, 2), invited=40,
                                      present=30, method=VotingMethod.SECRET_BALLOT, votes=votes,
                                      chaired_by="Nguyễn Văn Trưởng Ấp")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.REVIEWED
    assert Meeting.objects.get(dossier=dossier) == meeting
    states = [n.state for n in dossier.nominations.order_by("household__code")]
    # 18 of 30 is exactly 60%: proposed; 17 of 30 is not.
    assert states == [NominationState.PROPOSED, NominationState.PROPOSED, NominationState.NOT_PROPOSED]
    [event] = events_of(dossier, "record_meeting")
    assert_event(event, actor=p.hamlet_head, role=Role.HAMLET_HEAD, unit=p.district.hamlet,
                 from_state=DossierState.OPEN, to_state=DossierState.REVIEWED,
                 payload={"meeting": meeting.pk, "held_on": "2021-11-02", "invited": 40, "present": 30,
                          "method": "secret_ballot", "minutes": "", "proposed": 2, "not_proposed": 1})
    vote_events = events_of(dossier, "meeting_vote")
    assert [(e.target_id, e.from_state, e.to_state, e.payload["votes_for"], e.payload["votes_against"])
            for e in vote_events] == [
        (noms[0].pk, "registered", "proposed", 30, 0),
        (noms[1].pk, "registered", "proposed", 18, 12),
        (noms[2].pk, "registered", "not_proposed", 17, 13),
    ]
    assert "17 of 30 attendees agreed (56.7%)" in vote_events[2].payload["reason"]


def test_post_list_moves_a_2024_dossier_to_posting_for_ten_days(people, at_stage):
    p = people
    dossier = at_stage("reviewed", year=YEAR_86)

    posting = services.post_list(actor=p.hamlet_head, dossier=dossier, starts_on=d(2024, 11, 3),
                                 place="Nhà văn hóa ấp")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.POSTING
    assert Posting.objects.get(dossier=dossier).ends_on == d(2024, 11, 13)
    [event] = events_of(dossier, "post_list")
    assert_event(event, actor=p.hamlet_head, role=Role.HAMLET_HEAD, unit=p.district.hamlet,
                 from_state=DossierState.REVIEWED, to_state=DossierState.POSTING,
                 payload={"posting": posting.pk, "starts_on": "2024-11-03", "ends_on": "2024-11-13",
                          "place": "Nhà văn hóa ấp"})


def test_record_comment_keeps_a_residents_comment_on_the_posted_list(people, at_stage):
    p = people
    dossier = at_stage("posting", year=YEAR_86)
    nomination = dossier.nominations.first()

    comment = services.record_comment(actor=p.hamlet_front_head, dossier=dossier, received_on=d(2024, 11, 5),
                                      author="Lê Thị Dân", text="Đồng ý", nomination_id=nomination.pk)

    dossier.refresh_from_db()
    assert dossier.state == DossierState.POSTING
    assert PostingComment.objects.get(posting__dossier=dossier) == comment
    [event] = events_of(dossier, "posting_comment")
    assert_event(event, actor=p.hamlet_front_head, role=Role.HAMLET_FRONT_HEAD, unit=p.district.hamlet,
                 from_state="", to_state="",
                 payload={"author": "Lê Thị Dân", "text": "Đồng ý", "nomination": nomination.pk,
                          "received_on": "2024-11-05"})


def test_submit_dossier_sends_it_to_the_commune_inbox(people, at_stage):
    p = people
    dossier = at_stage("reviewed")

    services.submit_dossier(actor=p.hamlet_head, dossier=dossier, submitted_on=d(2021, 11, 4))

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.submitted_on == d(2021, 11, 4)
    # 5 working days from Thursday 4/11/2021 skip the weekend: Thursday 11/11.
    assert dossier.decision_due == d(2021, 11, 11)
    [event] = events_of(dossier, "submit")
    assert_event(event, actor=p.hamlet_head, role=Role.HAMLET_HEAD, unit=p.district.hamlet,
                 from_state=DossierState.REVIEWED, to_state=DossierState.SUBMITTED,
                 payload={"submitted_on": "2021-11-04", "submission_due": "2021-11-05", "late": False,
                          "proposed": 3})
    assert queue(p.hamlet_head) == [] and len(queue(p.commune_officer)) == 1


def test_appraise_dossier_accepts_and_strikes_with_the_reason(people, at_stage):
    p = people
    dossier = at_stage("submitted")
    struck, *kept = dossier.nominations.order_by("household__code")

    services.appraise_dossier(actor=p.commune_officer, dossier=dossier, strikes={struck.pk: "Chưa đạt tiêu chí 3"})

    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPRAISED
    struck.refresh_from_db()
    assert (struck.state, struck.reason) == (NominationState.STRUCK, "Chưa đạt tiêu chí 3")
    assert set(dossier.nominations.exclude(pk=struck.pk).values_list("state", flat=True)) == {"accepted"}
    [event] = events_of(dossier, "accept")
    assert_event(event, actor=p.commune_officer, role=Role.COMMUNE_OFFICER, unit=p.district.commune,
                 from_state=DossierState.SUBMITTED, to_state=DossierState.APPRAISED,
                 payload={"accepted": 2, "struck": 1})
    per_household = {e.target_id: (e.from_state, e.to_state, e.payload) for e in events_of(dossier, "appraise")}
    assert per_household[struck.pk] == ("proposed", "struck", {"reason": "Chưa đạt tiêu chí 3"})
    assert per_household[kept[0].pk] == ("proposed", "accepted", {"reason": ""})
    assert len(queue(p.commune_chair)) == 1


def test_return_dossier_sends_it_back_to_the_hamlet_with_the_reason(people, at_stage):
    p = people
    dossier = at_stage("submitted")

    services.return_dossier(actor=p.commune_officer, dossier=dossier, reason="Thiếu biên bản họp")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.RETURNED and dossier.return_reason == "Thiếu biên bản họp"
    [event] = events_of(dossier, "return")
    assert_event(event, actor=p.commune_officer, role=Role.COMMUNE_OFFICER, unit=p.district.commune,
                 from_state=DossierState.SUBMITTED, to_state=DossierState.RETURNED,
                 payload={"reason": "Thiếu biên bản họp"})
    assert len(queue(p.hamlet_head)) == 1 and queue(p.commune_officer) == []


def test_decide_recognizes_the_accepted_households_and_registers_their_awards(people, at_stage):
    p = people
    dossier = at_stage("appraised")

    decision = services.decide(actor=p.commune_chair, dossier=dossier, number="12/QĐ-UBND",
                               signed_on=d(2021, 11, 10), signer="Trần Văn Chủ Tịch")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.DECIDED
    assert Decision.objects.get(dossier=dossier) == decision
    assert set(dossier.nominations.values_list("state", flat=True)) == {NominationState.RECOGNIZED}
    assert sorted(Award.objects.filter(decision=decision).values_list("household_id", flat=True)) == sorted(
        dossier.nominations.values_list("household_id", flat=True))
    [event] = events_of(dossier, "decide")
    assert_event(event, actor=p.commune_chair, role=Role.COMMUNE_CHAIR, unit=p.district.commune,
                 from_state=DossierState.APPRAISED, to_state=DossierState.DECIDED,
                 payload={"decision": "12/QĐ-UBND", "signed_on": "2021-11-10", "signer": "Trần Văn Chủ Tịch",
                          "recognized": 3, "late": False, "households_on_roll": 3})
    assert len(events_of(dossier, "recognize")) == 3
    assert dossier.process.status == "DONE"
    assert_audit_chain_intact(dossier)


def test_a_returned_dossier_can_be_corrected_and_resent(people, at_stage):
    p = people
    dossier = at_stage("returned")

    services.submit_dossier(actor=p.hamlet_head, dossier=dossier, submitted_on=d(2021, 11, 8),
                            answer="Đã bổ sung biên bản họp có chữ ký")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    [event] = events_of(dossier, "submit")[-1:]
    assert (event.from_state, event.to_state) == (DossierState.RETURNED, DossierState.SUBMITTED)
    assert event.payload["answer"] == "Đã bổ sung biên bản họp có chữ ký"
    assert len(queue(p.commune_officer)) == 1


# ---------------------------------------------------------------- the same calls, refused

def _register(p, dossier, actor):
    return services.register_households(actor=actor, dossier=dossier, household_ids=[h.pk for h in p.households(2)],
                                        registered_on=d(dossier.year, 3, 2))


def _self_assess(p, dossier, actor):
    return services.record_self_assessments(actor=actor, dossier=dossier, assessed_on=d(dossier.year, 3, 5),
                                            assessments={n.pk: "Đạt" for n in dossier.nominations.all()})


def _meeting(p, dossier, actor):
    return meet(head=actor, dossier=dossier)


def _post(p, dossier, actor):
    return services.post_list(actor=actor, dossier=dossier, starts_on=d(dossier.year, 11, 3), place="Nhà văn hóa")


def _comment(p, dossier, actor):
    return services.record_comment(actor=actor, dossier=dossier, received_on=d(dossier.year, 11, 5), author="Lê Dân",
                                   text="Ý kiến")


def _submit(p, dossier, actor):
    return services.submit_dossier(actor=actor, dossier=dossier, submitted_on=d(dossier.year, 11, 20))


def _appraise(p, dossier, actor):
    return services.appraise_dossier(actor=actor, dossier=dossier)


def _return(p, dossier, actor):
    return services.return_dossier(actor=actor, dossier=dossier, reason="Thiếu hồ sơ")


def _decide(p, dossier, actor):
    return services.decide(actor=actor, dossier=dossier, number="99/QĐ", signed_on=d(dossier.year, 11, 25),
                           signer="Chủ tịch")


def _open(p, dossier, actor):
    return services.open_round(actor=actor, unit=dossier.unit, title_type=dossier.title_type, year=dossier.year)


# service, stage it is refused in, year, who tries (allowed there), words the message must contain
WRONG_STATE = [
    ("open_round", _open, "open", YEAR_122, "hamlet_head", "already has a Gia đình văn hóa dossier for 2021"),
    ("register_households", _register, "submitted", YEAR_122, "hamlet_head",
     "only be registered while the dossier is open or returned; it is “Submitted for appraisal”"),
    ("record_self_assessments", _self_assess, "reviewed", YEAR_122, "hamlet_front_head",
     "only be recorded while the dossier is open or returned; it is “Review meeting recorded”"),
    ("record_meeting", _meeting, "submitted", YEAR_122, "hamlet_head",
     "not possible while the dossier is “Submitted for appraisal”"),
    ("post_list", _post, "open", YEAR_86, "hamlet_head", "not possible while the dossier is “Open for registration”"),
    ("post_list on a rule set without posting", _post, "reviewed", YEAR_122, "hamlet_head",
     "not possible while the dossier is “Review meeting recorded”"),
    ("record_comment", _comment, "reviewed", YEAR_86, "hamlet_head", "only while the list is posted"),
    ("submit_dossier", _submit, "open", YEAR_122, "hamlet_head",
     "not possible while the dossier is “Open for registration”"),
    ("submit_dossier twice", _submit, "submitted", YEAR_122, "hamlet_head",
     "not possible while the dossier is “Submitted for appraisal”"),
    ("appraise_dossier", _appraise, "reviewed", YEAR_122, "commune_officer",
     "not possible while the dossier is “Review meeting recorded”"),
    ("appraise_dossier twice", _appraise, "appraised", YEAR_122, "commune_officer",
     "not possible while the dossier is “Appraised, awaiting decision”"),
    ("return_dossier", _return, "appraised", YEAR_122, "commune_officer",
     "not possible while the dossier is “Appraised, awaiting decision”"),
    ("decide", _decide, "submitted", YEAR_122, "commune_chair",
     "only be signed on an appraised dossier; this one is “Submitted for appraisal”"),
    ("decide twice", _decide, "decided", YEAR_122, "commune_chair",
     "only be signed on an appraised dossier; this one is “Decided”"),
]


@pytest.mark.parametrize("name,call,stage,year,who,message", WRONG_STATE, ids=[row[0] for row in WRONG_STATE])
def test_a_transition_in_the_wrong_state_is_refused_and_changes_nothing(
    people, at_stage, name, call, stage, year, who, message
):
    dossier = at_stage(stage, year=year)
    before = snapshot(dossier)

    with pytest.raises(RuleViolation) as refused:
        call(people, dossier, getattr(people, who))

    assert message in refused.value.message
    assert snapshot(dossier) == before


# service, stage it is allowed in, year, someone in the right unit whose role may not do it
WRONG_ROLE = [
    ("open_round", _open, "open", YEAR_122, "hamlet_front_head"),
    ("register_households", _register, "open", YEAR_122, "hamlet_front_head"),
    ("record_self_assessments", _self_assess, "open", YEAR_122, "hamlet_supervisor"),
    ("record_meeting", _meeting, "open", YEAR_122, "hamlet_supervisor"),
    ("post_list", _post, "reviewed", YEAR_86, "hamlet_supervisor"),
    ("record_comment", _comment, "posting", YEAR_86, "hamlet_supervisor"),
    ("submit_dossier", _submit, "reviewed", YEAR_122, "hamlet_front_head"),
    ("appraise_dossier", _appraise, "submitted", YEAR_122, "commune_chair"),
    ("return_dossier", _return, "submitted", YEAR_122, "commune_chair"),
    ("decide", _decide, "appraised", YEAR_122, "commune_officer"),
]


@pytest.mark.parametrize("name,call,stage,year,who", WRONG_ROLE, ids=[row[0] for row in WRONG_ROLE])
def test_a_role_without_the_permission_is_denied_and_changes_nothing(people, at_stage, name, call, stage, year, who):
    # For open_round the round is already open: the permission is checked before anything else.
    dossier = at_stage(stage, year=year)
    before = snapshot(dossier)

    with pytest.raises(PermissionDenied, match="no role in"):
        call(people, dossier, getattr(people, who))

    assert snapshot(dossier) == before


# service, stage it is allowed in, year, someone holding the same role in another unit
OTHER_UNIT = [
    ("open_round", _open, "open", YEAR_122, "hamlet_head"),
    ("register_households", _register, "open", YEAR_122, "other_hamlet_head"),
    ("record_self_assessments", _self_assess, "open", YEAR_122, "other_hamlet_head"),
    ("record_meeting", _meeting, "open", YEAR_122, "other_hamlet_head"),
    ("post_list", _post, "reviewed", YEAR_86, "other_hamlet_head"),
    ("record_comment", _comment, "posting", YEAR_86, "other_hamlet_head"),
    ("submit_dossier", _submit, "reviewed", YEAR_122, "other_hamlet_head"),
    ("appraise_dossier", _appraise, "submitted", YEAR_122, "other_commune_officer"),
    ("return_dossier", _return, "submitted", YEAR_122, "other_commune_officer"),
    ("decide", _decide, "appraised", YEAR_122, "other_commune_chair"),
]


@pytest.mark.parametrize("name,call,stage,year,who", OTHER_UNIT, ids=[row[0] for row in OTHER_UNIT])
def test_acting_on_another_units_dossier_is_denied_and_changes_nothing(
    people, at_stage, name, call, stage, year, who
):
    dossier = at_stage(stage, year=year)
    if name == "open_round":
        # The hamlet head of Đông Kinh tries to open the round of Võ Dõng.
        dossier = SimpleNamespace(unit=people.district.other_hamlet, title_type=people.title, year=year, pk=None)
    before = snapshot(dossier if dossier.pk else None)

    with pytest.raises(PermissionDenied, match="no role in"):
        call(people, dossier, getattr(people, who))

    assert snapshot(dossier if dossier.pk else None) == before


def test_a_user_with_no_role_at_all_is_denied_everywhere(people, at_stage, outsider):
    dossier = at_stage("submitted")
    before = snapshot(dossier)
    for call in (_register, _self_assess, _meeting, _submit, _appraise, _return, _decide):
        with pytest.raises(PermissionDenied):
            call(people, dossier, outsider)
    assert snapshot(dossier) == before
