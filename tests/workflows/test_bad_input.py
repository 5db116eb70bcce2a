"""Bad input: each case is refused with a message naming the rule and the numbers, and changes nothing.

"Changes nothing" is checked against a snapshot of everything a service writes:
votes, states, the dossier's revision and audit head, audit events, records,
awards, notifications and inbox tasks (scenario.snapshot).
"""

import datetime

import pytest
from django.utils import timezone

from workflows import services
from workflows.models import VotingMethod
from workflows.services import RuleViolation

from .scenario import d, meet, open_with_households, send, snapshot, tally_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def dossier_2021(district, hamlet_head, family_title, households):
    """A 2021 dossier (Decree 122/2018) with three registered households."""
    return open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                households=households(3))


@pytest.fixture
def dossier_2024(district, hamlet_head, family_title, households):
    """A 2024 dossier (Decree 86/2023) with three registered households."""
    return open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2024,
                                households=households(3))


@pytest.fixture
def today_is(monkeypatch):
    """Pin "today" so that a date in the future is the same date whenever the suite runs."""
    real = timezone.localdate

    def pin(day):
        monkeypatch.setattr(timezone, "localdate", lambda value=None, tz=None: real(value, tz) if value else day)

    return pin


def refused(call, dossier, *fragments):
    """Run `call`, expect a RuleViolation whose message holds every fragment, and nothing written."""
    before = snapshot(dossier)
    with pytest.raises(RuleViolation) as error:
        call()
    message = error.value.message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert snapshot(dossier) == before
    return message


def record(head, dossier, *, invited=40, present=30, votes=None, exclusions=None, held_on=None, method=None):
    return services.record_meeting(
        actor=head, dossier=dossier, held_on=held_on or d(dossier.year, 11, 2), invited=invited, present=present,
        method=method or VotingMethod.SECRET_BALLOT, votes=votes if votes is not None else tally_all(dossier, 25, 2),
        exclusions=exclusions,
    )


def first_nomination(dossier):
    return dossier.nominations.order_by("household__code").first()


# ---------------------------------------------------------------- the review meeting

def test_meeting_below_quorum_is_refused_and_changes_nothing(hamlet_head, dossier_2021):
    refused(lambda: record(hamlet_head, dossier_2021, invited=40, present=18, votes=tally_all(dossier_2021, 18)),
            dossier_2021,
            "18 of 40 invited attended (45.0%); the quorum under Gia đình văn hóa – Nghị định 122/2018/NĐ-CP is 60%")


def test_votes_for_and_against_exceeding_the_attendees_are_refused_and_change_nothing(hamlet_head, dossier_2021):
    votes = tally_all(dossier_2021, 20, 5)
    nomination = first_nomination(dossier_2021)
    votes[nomination.pk] = (20, 15)
    refused(lambda: record(hamlet_head, dossier_2021, present=30, votes=votes), dossier_2021,
            f"{nomination.household.head_name}: 20 for and 15 against make 35 votes, more than the 30 attendees")


@pytest.mark.parametrize("field,value,fragment", [
    ("invited", -5, "Invited cannot be negative (got -5)"),
    ("present", -1, "Present cannot be negative (got -1)"),
    ("invited", None, "Invited must be a whole number"),
    ("present", "", "Present must be a whole number"),
    ("present", "ba mươi", "Present must be a whole number (got “ba mươi”)"),
    ("present", 29.5, "Present must be a whole number (got “29.5”)"),
    ("invited", True, "Invited must be a whole number"),
])
def test_a_negative_missing_or_non_numeric_head_count_is_refused_and_changes_nothing(
    hamlet_head, dossier_2021, field, value, fragment
):
    counts = {"invited": 40, "present": 30, field: value}
    refused(lambda: record(hamlet_head, dossier_2021, **counts), dossier_2021, fragment)


@pytest.mark.parametrize("pair,fragment", [
    ((-1, 0), "cannot be negative (got -1)"),
    ((20, -3), "cannot be negative (got -3)"),
    ((None, 0), "are missing"),
    (("", ""), "are missing"),
    ((20,), "are missing"),
    (None, "are missing"),
    (("hai mươi", 0), "must be a whole number (got “hai mươi”)"),
    ((20.7, 0), "must be a whole number (got “20.7”)"),
])
def test_a_negative_missing_or_non_numeric_vote_is_refused_and_changes_nothing(
    hamlet_head, dossier_2021, pair, fragment
):
    votes = tally_all(dossier_2021, 25, 2)
    nomination = first_nomination(dossier_2021)
    votes[nomination.pk] = pair
    message = refused(lambda: record(hamlet_head, dossier_2021, votes=votes), dossier_2021, fragment)
    assert nomination.household.head_name in message


def test_a_tally_that_leaves_out_a_household_is_refused_and_changes_nothing(hamlet_head, dossier_2021):
    votes = tally_all(dossier_2021, 25, 2)
    nomination = first_nomination(dossier_2021)
    del votes[nomination.pk]
    refused(lambda: record(hamlet_head, dossier_2021, votes=votes), dossier_2021,
            "The votes of 1 household are missing", nomination.household.head_name)


def test_more_present_than_invited_is_refused_and_changes_nothing(hamlet_head, dossier_2021):
    refused(lambda: record(hamlet_head, dossier_2021, invited=40, present=45), dossier_2021,
            "45 present is more than the 40 invited")


def test_a_tally_naming_a_household_of_another_dossier_is_refused_and_changes_nothing(
    district, hamlet_head, other_hamlet_head, family_title, households, dossier_2021
):
    other = open_with_households(head=other_hamlet_head, hamlet=district.other_hamlet, title=family_title,
                                 year=2021, households=households(1, hamlet=district.other_hamlet))
    votes = {**tally_all(dossier_2021, 25, 2), **tally_all(other, 25, 2)}
    refused(lambda: record(hamlet_head, dossier_2021, votes=votes), dossier_2021, "not listed in this dossier")


def test_an_exclusion_ground_not_in_the_rule_set_is_refused_and_changes_nothing(hamlet_head, dossier_2024):
    exclusions = {first_nomination(dossier_2024).pk: "owes_library_books"}
    refused(lambda: record(hamlet_head, dossier_2024, exclusions=exclusions), dossier_2024,
            "“owes_library_books” is not one of the grounds of Gia đình văn hóa – Nghị định 86/2023/NĐ-CP")


def test_an_exclusion_ground_under_a_rule_set_without_exclusions_is_refused(hamlet_head, dossier_2021):
    exclusions = {first_nomination(dossier_2021).pk: "gambling"}
    refused(lambda: record(hamlet_head, dossier_2021, exclusions=exclusions), dossier_2021,
            "“gambling” is not one of the grounds of Gia đình văn hóa – Nghị định 122/2018/NĐ-CP")


def test_an_unknown_voting_method_is_refused_and_changes_nothing(hamlet_head, dossier_2021):
    refused(lambda: record(hamlet_head, dossier_2021, method="acclamation"), dossier_2021,
            "secret ballot or show of hands")


# ---------------------------------------------------------------- registration

def test_a_household_registered_twice_in_one_year_is_refused_and_changes_nothing(hamlet_head, dossier_2021):
    household = first_nomination(dossier_2021).household
    refused(lambda: services.register_households(actor=hamlet_head, dossier=dossier_2021,
                                                 household_ids=[household.pk], registered_on=d(2021, 4, 1)),
            dossier_2021, "Already registered for Gia đình văn hóa in 2021", household.head_name,
            "A household registers once a year")


def test_a_household_registered_in_two_dossiers_of_one_year_is_refused_and_changes_nothing(
    district, hamlet_head, other_hamlet_head, family_title, dossier_2021
):
    # The household moves to the neighbouring hamlet after registering here.
    household = first_nomination(dossier_2021).household
    household.hamlet = district.other_hamlet
    household.save()
    other = services.open_round(actor=other_hamlet_head, hamlet=district.other_hamlet, title_type=family_title,
                                year=2021)
    refused(lambda: services.register_households(actor=other_hamlet_head, dossier=other,
                                                 household_ids=[household.pk], registered_on=d(2021, 6, 1)),
            other, "Already registered for Gia đình văn hóa in 2021", household.head_name)


def test_a_household_from_another_hamlet_is_refused_without_naming_it_and_changes_nothing(
    district, hamlet_head, households, dossier_2021
):
    [stranger] = households(1, hamlet=district.other_hamlet)
    message = refused(lambda: services.register_households(actor=hamlet_head, dossier=dossier_2021,
                                                           household_ids=[stranger.pk], registered_on=d(2021, 4, 1)),
                      dossier_2021, "1 of the chosen households is not in the list of Ấp Đông Kinh")
    assert stranger.head_name not in message and stranger.code not in message


@pytest.mark.parametrize("ids,fragment", [
    ([], "Choose at least one household"),
    (["HH-abc"], "not a household number"),
    ([987654], "1 of the chosen households is not in the list of Ấp Đông Kinh"),
])
def test_an_empty_unknown_or_malformed_household_choice_is_refused(hamlet_head, dossier_2021, ids, fragment):
    refused(lambda: services.register_households(actor=hamlet_head, dossier=dossier_2021, household_ids=ids,
                                                 registered_on=d(2021, 4, 1)),
            dossier_2021, fragment)


def test_self_assessments_with_nothing_to_record_are_refused(hamlet_head, dossier_2021):
    refused(lambda: services.record_self_assessments(
        actor=hamlet_head, dossier=dossier_2021, assessed_on=d(2021, 3, 5),
        assessments={first_nomination(dossier_2021).pk: "  "}), dossier_2021, "No self-assessment")


def test_a_self_assessment_for_another_dossiers_household_is_refused(
    district, hamlet_head, other_hamlet_head, family_title, households, dossier_2021
):
    other = open_with_households(head=other_hamlet_head, hamlet=district.other_hamlet, title=family_title,
                                 year=2021, households=households(1, hamlet=district.other_hamlet))
    refused(lambda: services.record_self_assessments(
        actor=hamlet_head, dossier=dossier_2021, assessed_on=d(2021, 3, 5),
        assessments={first_nomination(other).pk: "Đạt"}), dossier_2021, "not in this dossier")


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("day,fragment", [
    (d(2020, 12, 31), "Meeting date 31/12/2020 is outside the campaign year 2021"),
    (d(2022, 1, 3), "Meeting date 03/01/2022 is outside the campaign year 2021"),
    (None, "Meeting date is required"),
])
def test_a_meeting_date_outside_the_campaign_year_is_refused_and_changes_nothing(
    hamlet_head, dossier_2021, day, fragment
):
    def call():
        return services.record_meeting(actor=hamlet_head, dossier=dossier_2021, held_on=day, invited=40, present=30,
                                       method=VotingMethod.SHOW_OF_HANDS, votes=tally_all(dossier_2021, 25, 2))

    refused(call, dossier_2021, fragment)


def test_a_registration_date_outside_the_campaign_year_is_refused(hamlet_head, households, dossier_2021):
    refused(lambda: services.register_households(actor=hamlet_head, dossier=dossier_2021,
                                                 household_ids=[h.pk for h in households(1)],
                                                 registered_on=d(2022, 2, 1)),
            dossier_2021, "Registration date 01/02/2022 is outside the campaign year 2021")


def test_a_meeting_date_in_the_future_is_refused_and_changes_nothing(hamlet_head, dossier_2021, today_is):
    today_is(d(2021, 6, 30))
    refused(lambda: record(hamlet_head, dossier_2021, held_on=d(2021, 7, 15)), dossier_2021,
            "Meeting date 15/07/2021 is in the future")


def test_a_decision_signed_in_the_future_is_refused(
    district, hamlet_head, commune_officer, commune_chair, dossier_2021, today_is
):
    meet(head=hamlet_head, dossier=dossier_2021, held_on=d(2021, 6, 1))
    services.submit_dossier(actor=hamlet_head, dossier=dossier_2021, submitted_on=d(2021, 6, 3))
    services.appraise_dossier(actor=commune_officer, dossier=dossier_2021)
    today_is(d(2021, 6, 30))
    refused(lambda: services.decide(actor=commune_chair, dossier=dossier_2021, number="5/QĐ",
                                    signed_on=d(2021, 7, 1), signer="Chủ tịch"),
            dossier_2021, "Signing date 01/07/2021 is in the future")


def test_a_submission_dated_before_the_meeting_is_refused(hamlet_head, dossier_2021):
    meet(head=hamlet_head, dossier=dossier_2021, held_on=d(2021, 11, 2))
    refused(lambda: services.submit_dossier(actor=hamlet_head, dossier=dossier_2021, submitted_on=d(2021, 10, 30)),
            dossier_2021, "30/10/2021", "before the review meeting of 02/11/2021")


def test_a_decision_signed_before_the_dossier_was_sent_is_refused(
    hamlet_head, commune_officer, commune_chair, dossier_2021
):
    meet(head=hamlet_head, dossier=dossier_2021)
    send(head=hamlet_head, dossier=dossier_2021)
    services.appraise_dossier(actor=commune_officer, dossier=dossier_2021)
    refused(lambda: services.decide(actor=commune_chair, dossier=dossier_2021, number="5/QĐ",
                                    signed_on=d(2021, 11, 1), signer="Chủ tịch"),
            dossier_2021, "cannot be signed on 01/11/2021, before the dossier was sent on 04/11/2021")


# ---------------------------------------------------------------- stale forms

def test_a_form_posted_after_someone_else_acted_is_refused_and_changes_nothing(
    hamlet_head, hamlet_front_head, dossier_2021
):
    dossier_2021.refresh_from_db()
    rendered_at = dossier_2021.revision
    # The Front head records a self-assessment while the hamlet head has the tally sheet open.
    services.record_self_assessments(actor=hamlet_front_head, dossier=dossier_2021, assessed_on=d(2021, 3, 5),
                                     assessments={first_nomination(dossier_2021).pk: "Đạt"})
    refused(lambda: services.record_meeting(
        actor=hamlet_head, dossier=dossier_2021, held_on=d(2021, 11, 2), invited=40, present=30,
        method=VotingMethod.SHOW_OF_HANDS, votes=tally_all(dossier_2021, 25, 2), expected_revision=rendered_at),
        dossier_2021, "Someone else changed this dossier after you opened it")


def test_an_appraisal_form_posted_after_the_dossier_was_returned_is_refused(
    hamlet_head, commune_officer, dossier_2021
):
    meet(head=hamlet_head, dossier=dossier_2021)
    send(head=hamlet_head, dossier=dossier_2021)
    dossier_2021.refresh_from_db()
    rendered_at = dossier_2021.revision
    services.return_dossier(actor=commune_officer, dossier=dossier_2021, reason="Thiếu biên bản")
    refused(lambda: services.appraise_dossier(actor=commune_officer, dossier=dossier_2021,
                                              expected_revision=rendered_at),
            dossier_2021, "Someone else changed this dossier", "Returned for correction")


# ---------------------------------------------------------------- appraisal and decision

@pytest.fixture
def submitted_2021(hamlet_head, dossier_2021):
    meet(head=hamlet_head, dossier=dossier_2021)
    send(head=hamlet_head, dossier=dossier_2021)
    dossier_2021.refresh_from_db()
    return dossier_2021


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_striking_a_household_without_a_reason_is_refused_and_changes_nothing(
    commune_officer, submitted_2021, reason
):
    nomination = first_nomination(submitted_2021)
    refused(lambda: services.appraise_dossier(actor=commune_officer, dossier=submitted_2021,
                                              strikes={nomination.pk: reason}),
            submitted_2021, "Give the reason for every household you strike", nomination.household.head_name)


def test_striking_a_household_of_another_dossier_is_refused(
    district, other_hamlet_head, commune_officer, family_title, households, submitted_2021
):
    other = open_with_households(head=other_hamlet_head, hamlet=district.other_hamlet, title=family_title,
                                 year=2021, households=households(1, hamlet=district.other_hamlet))
    refused(lambda: services.appraise_dossier(actor=commune_officer, dossier=submitted_2021,
                                              strikes={first_nomination(other).pk: "Không thuộc ấp"}),
            submitted_2021, "Only households proposed in this dossier can be struck")


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_returning_a_dossier_without_a_reason_is_refused_and_changes_nothing(commune_officer, submitted_2021, reason):
    refused(lambda: services.return_dossier(actor=commune_officer, dossier=submitted_2021, reason=reason),
            submitted_2021, "Say why the dossier is returned")


def test_a_decision_on_a_dossier_that_was_not_appraised_is_refused_and_changes_nothing(
    commune_chair, submitted_2021
):
    refused(lambda: services.decide(actor=commune_chair, dossier=submitted_2021, number="7/QĐ-UBND",
                                    signed_on=d(2021, 11, 20), signer="Chủ tịch"),
            submitted_2021, "only be signed on an appraised dossier", "Submitted for appraisal")


def test_a_decision_number_already_used_by_the_commune_is_refused_and_changes_nothing(
    district, hamlet_head, other_hamlet_head, commune_officer, commune_chair, family_title, households,
    submitted_2021,
):
    services.appraise_dossier(actor=commune_officer, dossier=submitted_2021)
    services.decide(actor=commune_chair, dossier=submitted_2021, number="7/QĐ-UBND", signed_on=d(2021, 11, 20),
                    signer="Chủ tịch")
    other = open_with_households(head=other_hamlet_head, hamlet=district.other_hamlet, title=family_title,
                                 year=2021, households=households(2, hamlet=district.other_hamlet))
    meet(head=other_hamlet_head, dossier=other)
    send(head=other_hamlet_head, dossier=other)
    services.appraise_dossier(actor=commune_officer, dossier=other)
    refused(lambda: services.decide(actor=commune_chair, dossier=other, number=" 7/QĐ-UBND ",
                                    signed_on=d(2021, 11, 21), signer="Chủ tịch"),
            other, "Decision number 7/QĐ-UBND is already used by Gia Kiệm")


@pytest.mark.parametrize("number,signer", [("", "Chủ tịch"), ("8/QĐ", "  ")])
def test_a_decision_without_number_or_signer_is_refused(commune_officer, commune_chair, submitted_2021, number,
                                                         signer):
    services.appraise_dossier(actor=commune_officer, dossier=submitted_2021)
    refused(lambda: services.decide(actor=commune_chair, dossier=submitted_2021, number=number,
                                    signed_on=d(2021, 11, 20), signer=signer),
            submitted_2021, "needs its number and its signer")


# ---------------------------------------------------------------- posting (Decree 86/2023)

@pytest.fixture
def posted_2024(hamlet_head, dossier_2024):
    meet(head=hamlet_head, dossier=dossier_2024)
    services.post_list(actor=hamlet_head, dossier=dossier_2024, starts_on=d(2024, 11, 3), place="Nhà văn hóa ấp")
    dossier_2024.refresh_from_db()
    return dossier_2024


def test_submitting_before_the_posting_period_ends_is_refused_and_changes_nothing(hamlet_head, posted_2024):
    refused(lambda: services.submit_dossier(actor=hamlet_head, dossier=posted_2024, submitted_on=d(2024, 11, 12)),
            posted_2024, "posted until 13/11/2024 (10 calendar days from 03/11/2024)")


def test_submitting_without_posting_under_decree_86_is_refused(hamlet_head, dossier_2024):
    meet(head=hamlet_head, dossier=dossier_2024)
    refused(lambda: services.submit_dossier(actor=hamlet_head, dossier=dossier_2024, submitted_on=d(2024, 11, 20)),
            dossier_2024, "must first be posted publicly for 10 calendar days")


@pytest.mark.parametrize("day", [d(2024, 11, 2), d(2024, 11, 14), None])
def test_a_comment_outside_the_posting_window_is_refused_and_changes_nothing(hamlet_head, posted_2024, day):
    refused(lambda: services.record_comment(actor=hamlet_head, dossier=posted_2024, received_on=day,
                                            author="Lê Dân", text="Phản đối"),
            posted_2024, "The posting runs from 03/11/2024 to 13/11/2024")


def test_a_comment_dated_in_the_future_is_refused(
    district, hamlet_head, family_title, households, today_is
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2024,
                                   households=households(1))
    meet(head=hamlet_head, dossier=dossier)
    services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(2024, 11, 3), place="Nhà văn hóa ấp")
    today_is(d(2024, 11, 6))
    refused(lambda: services.record_comment(actor=hamlet_head, dossier=dossier, received_on=d(2024, 11, 8),
                                            author="Lê Dân", text="Đồng ý"),
            dossier, "08/11/2024 is in the future")


def test_a_posting_dated_before_the_meeting_is_refused(hamlet_head, dossier_2024):
    meet(head=hamlet_head, dossier=dossier_2024, held_on=d(2024, 11, 2))
    refused(lambda: services.post_list(actor=hamlet_head, dossier=dossier_2024, starts_on=d(2024, 11, 1),
                                       place="Nhà văn hóa"),
            dossier_2024, "cannot be posted on 01/11/2024, before the meeting of 02/11/2024")


def test_a_stale_comment_form_is_refused(hamlet_head, posted_2024):
    rendered_at = posted_2024.revision
    services.record_comment(actor=hamlet_head, dossier=posted_2024, received_on=d(2024, 11, 4), author="A",
                            text="Đồng ý")
    refused(lambda: services.record_comment(actor=hamlet_head, dossier=posted_2024, received_on=d(2024, 11, 5),
                                            author="B", text="Đồng ý", expected_revision=rendered_at),
            posted_2024, "Someone else changed this dossier")


def test_submitting_a_dossier_in_which_nobody_passed_is_refused(hamlet_head, dossier_2021):
    meet(head=hamlet_head, dossier=dossier_2021, present=30, votes=tally_all(dossier_2021, 10, 20))
    refused(lambda: services.submit_dossier(actor=hamlet_head, dossier=dossier_2021, submitted_on=d(2021, 11, 4)),
            dossier_2021, "No household is proposed")


def test_opening_a_round_for_a_year_that_has_not_started_is_refused(district, hamlet_head, family_title):
    next_year = timezone.localdate().year + 1
    before = snapshot()
    with pytest.raises(RuleViolation, match=f"The campaign year {next_year} has not started"):
        services.open_round(actor=hamlet_head, hamlet=district.hamlet, title_type=family_title, year=next_year)
    assert snapshot() == before


def test_opening_a_round_before_the_hamlet_existed_is_refused(district, hamlet_head, family_title):
    assert district.hamlet.valid_from == datetime.date(2019, 7, 1)
    with pytest.raises(RuleViolation, match="did not exist in 2018"):
        services.open_round(actor=hamlet_head, hamlet=district.hamlet, title_type=family_title, year=2018)


def test_a_meeting_without_any_tally_is_refused_and_names_the_households(hamlet_head, dossier_2021):
    refused(lambda: record(hamlet_head, dossier_2021, votes={}), dossier_2021, "The votes of 3 households are missing")
    refused(lambda: services.record_meeting(actor=hamlet_head, dossier=dossier_2021, held_on=d(2021, 11, 2),
                                            invited=40, present=30, method=VotingMethod.SHOW_OF_HANDS, votes=None),
            dossier_2021, "The votes of 3 households are missing")


def test_a_count_beyond_what_can_be_stored_is_refused_and_changes_nothing(
    district, hamlet_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2021,
                                   households=households(2))
    before = snapshot(dossier)
    with pytest.raises(services.RuleViolation) as refused:
        services.record_meeting(actor=hamlet_head, dossier=dossier, held_on=d(2021, 11, 2),
                                invited=3_000_000_000, present=30, method=VotingMethod.SHOW_OF_HANDS,
                                votes=tally_all(dossier, 30))
    assert "3000000000" in refused.value.messages[0]
    assert snapshot(dossier) == before
