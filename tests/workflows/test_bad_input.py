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
    other = services.open_round(actor=other_hamlet_head, unit=district.other_hamlet, title_type=family_title,
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
            posted_2024, "posted until 13/11/2024 included (10 calendar days from 03/11/2024)",
            "can be sent from 14/11/2024")


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
        services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title, year=next_year)
    assert snapshot() == before


def test_opening_a_round_before_the_hamlet_existed_is_refused(district, hamlet_head, family_title):
    assert district.hamlet.valid_from == datetime.date(2019, 7, 1)
    with pytest.raises(RuleViolation, match="did not exist in 2018"):
        services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title, year=2018)


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


# ---------------------------------------------------------------- dates in order (issue 18, item 3)

def test_a_meeting_dated_before_a_registration_it_reviews_is_refused_and_changes_nothing(
    hamlet_head, households, dossier_2021
):
    late = households(1)[0]
    services.register_households(actor=hamlet_head, dossier=dossier_2021, household_ids=[late.pk],
                                 registered_on=d(2021, 6, 15))
    refused(lambda: record(hamlet_head, dossier_2021, held_on=d(2021, 6, 1)), dossier_2021,
            "cannot be dated 01/06/2021, before the registration or self-assessment of", late.head_name,
            "on 15/06/2021")


def test_a_meeting_dated_before_a_self_assessment_it_reviews_is_refused(hamlet_head, dossier_2021):
    nomination = first_nomination(dossier_2021)
    services.record_self_assessments(actor=hamlet_head, dossier=dossier_2021, assessed_on=d(2021, 9, 10),
                                     assessments={nomination.pk: "Gia đình hòa thuận"})
    refused(lambda: record(hamlet_head, dossier_2021, held_on=d(2021, 9, 9)), dossier_2021,
            "cannot be dated 09/09/2021", nomination.household.head_name, "on 10/09/2021")


def test_a_re_recorded_meeting_dated_before_the_one_it_replaces_is_refused(hamlet_head, dossier_2021):
    record(hamlet_head, dossier_2021, held_on=d(2021, 11, 2))
    refused(lambda: record(hamlet_head, dossier_2021, held_on=d(2021, 11, 1)), dossier_2021,
            "cannot be dated 01/11/2021, before the meeting of 02/11/2021 that it replaces")


def test_a_posting_dated_long_before_it_is_entered_waits_for_a_confirmation(hamlet_head, dossier_2024, today_is):
    meet(head=hamlet_head, dossier=dossier_2024, held_on=d(2024, 11, 2))
    dossier_2024.refresh_from_db()
    today_is(d(2025, 1, 10))

    def post(confirmed):
        return services.post_list(actor=hamlet_head, dossier=dossier_2024, starts_on=d(2024, 11, 3),
                                  place="Nhà văn hóa", dates_confirmed=confirmed)

    message = refused(lambda: post(False), dossier_2024, "Posting date 03/11/2024 is 68 days ago (more than 60)")
    assert "The dates are correct" in message
    assert post(True).ends_on == d(2024, 11, 13)


def test_the_confirmation_threshold_is_a_setting(hamlet_head, dossier_2024, today_is, settings):
    meet(head=hamlet_head, dossier=dossier_2024, held_on=d(2024, 11, 2))
    today_is(d(2024, 11, 20))
    settings.DATE_CONFIRM_AFTER_DAYS = 10
    refused(lambda: services.post_list(actor=hamlet_head, dossier=dossier_2024, starts_on=d(2024, 11, 3),
                                       place="Nhà văn hóa", dates_confirmed=False),
            dossier_2024, "is 17 days ago (more than 10)")


def test_a_posting_in_another_month_than_the_meeting_waits_for_a_confirmation(
    hamlet_head, dossier_2024, today_is
):
    meet(head=hamlet_head, dossier=dossier_2024, held_on=d(2024, 11, 2))
    today_is(d(2024, 12, 2))
    refused(lambda: services.post_list(actor=hamlet_head, dossier=dossier_2024, starts_on=d(2024, 12, 1),
                                       place="Nhà văn hóa", dates_confirmed=False),
            dossier_2024, "Posting date 01/12/2024 is in another month than the meeting (02/11/2024)")


def test_a_registration_in_another_month_than_the_round_s_registrations_waits_for_a_confirmation(
    hamlet_head, dossier_2024, households, today_is
):
    # The round registered on 01/03/2024; 02/04 may be a typo for 02/03.
    late = households(1)[0]
    today_is(d(2024, 4, 5))

    def register(confirmed):
        return services.register_households(actor=hamlet_head, dossier=dossier_2024, household_ids=[late.pk],
                                            registered_on=d(2024, 4, 2), dates_confirmed=confirmed)

    message = refused(lambda: register(False), dossier_2024, "Registration date 02/04/2024 is in another month "
                      "than the round's other registrations (01/03/2024)")
    assert "The dates are correct" in message
    assert [n.registered_on for n in register(True)] == [d(2024, 4, 2)]


def test_a_self_assessment_long_before_it_is_entered_or_in_another_month_waits_for_a_confirmation(
    hamlet_head, dossier_2024, today_is
):
    nomination = first_nomination(dossier_2024)

    def assess(day, confirmed):
        return services.record_self_assessments(actor=hamlet_head, dossier=dossier_2024, assessed_on=day,
                                                assessments={nomination.pk: "Gia đình hòa thuận"},
                                                dates_confirmed=confirmed)

    today_is(d(2024, 6, 1))
    refused(lambda: assess(d(2024, 3, 5), False), dossier_2024,
            "Self-assessment date 05/03/2024 is 88 days ago (more than 60)")
    refused(lambda: assess(d(2024, 4, 5), False), dossier_2024,
            "Self-assessment date 05/04/2024 is in another month than the registration (01/03/2024)")
    assert [n.self_assessed_on for n in assess(d(2024, 4, 5), True)] == [d(2024, 4, 5)]


# ---------------------------------------------------------------- acts and the law in force (item 4)

def test_an_act_dated_before_the_rule_set_took_effect_is_refused_naming_the_rule_set(
    district, hamlet_head, family_title, households
):
    dossier = services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title, year=2024)
    # Decree 86's data keeps registrations made under Decree 122 in January...
    services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[h.pk for h in households(2)],
                                 registered_on=d(2024, 1, 15))
    # ...but the review meeting follows Decree 86's procedure, in force from 30/01/2024.
    refused(lambda: record(hamlet_head, dossier, held_on=d(2024, 1, 20), votes=tally_all(dossier, 25, 2)), dossier,
            "Meeting date 20/01/2024 is before Gia đình văn hóa – Nghị định 86/2023/NĐ-CP took effect on 30/01/2024")


def test_a_2025_meeting_before_the_two_level_rule_set_took_effect_is_refused(
    district, hamlet_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    refused(lambda: record(hamlet_head, dossier, held_on=d(2025, 6, 20)), dossier,
            "took effect on 01/07/2025", "chính quyền địa phương hai cấp")


# ---------------------------------------------------------------- units that ceased (item 5)

@pytest.fixture
def reorganised(district):
    """Ấp Đông Kinh and xã Gia Kiệm cease on 30/06/2025; their successors exist from 01/07/2025."""
    from tests.factories import UnitFactory

    from directory.models import Level, UnitKind

    new_commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name="Xã Gia Kiệm mới",
                              parent=district.province, valid_from=d(2025, 7, 1))
    new_hamlet = UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name="Ấp Đông Kinh mới", parent=new_commune,
                             valid_from=d(2025, 7, 1))
    for old, new in ((district.hamlet, new_hamlet), (district.commune, new_commune)):
        old.valid_to, old.successor = d(2025, 6, 30), new
        old.save()
    return district


def test_a_round_of_a_hamlet_that_ceased_cannot_be_opened_and_the_successor_is_named(
    reorganised, hamlet_head, family_title
):
    before = snapshot()
    with pytest.raises(RuleViolation) as error:
        services.open_round(actor=hamlet_head, unit=reorganised.hamlet, title_type=family_title, year=2025)
    assert "Ấp Đông Kinh ceased to exist on 30/06/2025" in error.value.message
    assert "Its successor is Ấp Đông Kinh mới." in error.value.message
    assert snapshot() == before


def test_a_meeting_dated_after_the_hamlet_ceased_is_refused_naming_its_successor(
    reorganised, hamlet_head, family_title, households
):
    dossier = services.open_round(actor=hamlet_head, unit=reorganised.hamlet, title_type=family_title, year=2025,
                                  opened_on=d(2025, 2, 1))
    services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[h.pk for h in households(2)],
                                 registered_on=d(2025, 3, 1))
    refused(lambda: record(hamlet_head, dossier, held_on=d(2025, 11, 2)), dossier,
            "Ấp Đông Kinh ceased to exist on 30/06/2025: it can record no act dated 02/11/2025",
            "Its successor is Ấp Đông Kinh mới.")


def test_appraising_and_deciding_for_a_commune_that_ceased_are_refused(
    reorganised, hamlet_head, commune_officer, commune_chair, family_title, households
):
    dossier = services.open_round(actor=hamlet_head, unit=reorganised.hamlet, title_type=family_title, year=2024,
                                  opened_on=d(2024, 2, 1))
    services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[h.pk for h in households(2)],
                                 registered_on=d(2024, 3, 1))
    meet(head=hamlet_head, dossier=dossier)
    send(head=hamlet_head, dossier=dossier)
    # Today neither the hamlet nor the commune exists any more.
    refused(lambda: services.appraise_dossier(actor=commune_officer, dossier=dossier), dossier,
            "Ấp Đông Kinh ceased to exist on 30/06/2025: it can record no act dated", "(Appraisal)",
            "Its successor is Ấp Đông Kinh mới.")
    refused(lambda: services.return_dossier(actor=commune_officer, dossier=dossier, reason="Thiếu biên bản"),
            dossier, "Ấp Đông Kinh ceased to exist on 30/06/2025")
    # The commune alone ceased: its officer's role ended with it.
    reorganised.hamlet.valid_to = None
    reorganised.hamlet.save()
    refused(lambda: services.appraise_dossier(actor=commune_officer, dossier=dossier), dossier,
            "Your role in Gia Kiệm ended on 30/06/2025, when the unit ceased to exist",
            "Its successor is Xã Gia Kiệm mới.")
    # The appraisal of 2024, recorded now with its own date, is an act of the commune while it existed.
    services.appraise_dossier(actor=commune_officer, dossier=dossier, appraised_on=d(2024, 11, 20))
    dossier.refresh_from_db()
    reorganised.commune.valid_to = d(2024, 11, 30)
    reorganised.commune.save()
    refused(lambda: services.decide(actor=commune_chair, dossier=dossier, number="1/QĐ", signed_on=d(2024, 12, 2),
                                    signer="Chủ tịch"),
            dossier, "Your role in Gia Kiệm ended on 30/11/2024", "no act dated 02/12/2024",
            "Its successor is Xã Gia Kiệm mới.")


def test_a_membership_ends_with_its_unit(reorganised, hamlet_head):
    membership = hamlet_head.memberships.get()
    assert membership.until is None
    assert membership.effective_until == d(2025, 6, 30)
    membership.until = d(2024, 5, 1)
    assert membership.effective_until == d(2024, 5, 1)


# ---------------------------------------------------------------- re-recorded meeting (item 8)

def test_re_recording_a_meeting_that_changes_results_needs_a_reason_per_household(hamlet_head, dossier_2024):
    first, second, third = dossier_2024.nominations.order_by("household__code")
    record(hamlet_head, dossier_2024, votes=tally_all(dossier_2024, 25, 2), exclusions={first.pk: "gambling"})
    dossier_2024.refresh_from_db()
    # The new tally drops first's exclusion and turns second down; third keeps its result.
    votes = {first.pk: (25, 2), second.pk: (5, 20), third.pk: (24, 3)}
    message = refused(lambda: record(hamlet_head, dossier_2024, held_on=d(2024, 11, 5), votes=votes), dossier_2024,
                      "changes the results set by the meeting of 02/11/2024 for 2 households",
                      first.household.head_name, second.household.head_name)
    assert third.household.head_name not in message
    refused(lambda: services.record_meeting(
        actor=hamlet_head, dossier=dossier_2024, held_on=d(2024, 11, 5), invited=40, present=30,
        method=VotingMethod.SECRET_BALLOT, votes=votes, change_reasons={first.pk: "Quyết định xử phạt đã bị hủy"}),
        dossier_2024, "for 1 household", second.household.head_name)

    services.record_meeting(
        actor=hamlet_head, dossier=dossier_2024, held_on=d(2024, 11, 5), invited=40, present=30,
        method=VotingMethod.SECRET_BALLOT, votes=votes,
        change_reasons={first.pk: "Quyết định xử phạt đã bị hủy", second.pk: "Kiểm phiếu lại"})

    events = {e.target_id: e.payload for e in dossier_2024.audit_events.filter(action="meeting_vote")
              .order_by("seq")}
    assert events[first.pk]["change_reason"] == "Quyết định xử phạt đã bị hủy"
    assert events[first.pk]["previous_exclusion"] == "gambling"
    assert events[second.pk]["change_reason"] == "Kiểm phiếu lại"
    assert "change_reason" not in events[third.pk]
