"""RuleSet.steps switches the procedure's optional steps on and off, with no code.

Each test makes a rule set here, as data (a copy of a shipped one with a step dropped
or added, in force for 2023 only, so it governs that year's rounds), and shows that
what the dossier page offers, where the inbox sends the hamlet head, and what the
services accept all follow it (workflows/procedures/local_review.py says what a
rule set without a meeting or a posting means).
"""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from titles.models import RuleSet, TitleType
from workflows import services
from workflows.models import AuditEvent, DossierState, NominationState
from workflows.procedures import PROCEDURES, procedure_for_title
from workflows.services import RuleViolation

from .scenario import d, meet, open_with_households, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

YEAR = 2023


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def rule_set_for_the_year(base_code, *, drop=(), add=(), **fields):
    """A copy of the shipped rule set `base_code` governing YEAR's rounds, its steps
    changed: `drop` removed, `add` put before the submission."""
    rules = RuleSet.objects.get(code=base_code)
    steps = [step for step in rules.steps if step not in drop]
    for step in add:
        steps.insert(steps.index("submission"), step)
    rules.pk, rules._state.adding = None, True
    rules.code, rules.name, rules.steps = f"test-{base_code}-{YEAR}", f"Test rule set {YEAR}", steps
    rules.effective_from, rules.effective_to = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.save()
    return rules


@pytest.fixture
def opened(district, hamlet_head, family_title, households):
    def make(rules, n=2):
        dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=YEAR,
                                       households=households(n))
        assert dossier.rule_set == rules
        return dossier

    return make


def offered(client, dossier):
    html = client.get(reverse("workflows:dossier", args=[dossier.pk])).content.decode()
    return re.findall(r'data-action="([a-z_]+)"', html.split('id="hist-h"')[0])


def inbox_link(client, dossier):
    html = client.get(reverse("workflows:home")).content.decode()
    return re.search(rf'class="btn primary" href="(/dossiers/{dossier.pk}/[a-z/]*)"', html).group(1)


def refused(call, dossier):
    before = snapshot(dossier)
    with pytest.raises(RuleViolation) as error:
        call()
    assert snapshot(dossier) == before
    return error.value.message


# ---------------------------------------------------------------- posting

def test_a_rule_set_without_the_posting_step_sends_the_reviewed_list_at_once(client, opened, hamlet_head):
    rules = rule_set_for_the_year("gdvh-nd86-2023", drop=["posting"])
    dossier = opened(rules)
    meet(head=hamlet_head, dossier=dossier)
    dossier.refresh_from_db()
    client.force_login(hamlet_head)

    actions = offered(client, dossier)
    assert "submit" in actions and "posting" not in actions
    assert inbox_link(client, dossier) == reverse("workflows:submit", args=[dossier.pk])
    assert "not possible while the dossier is “Review meeting recorded”" in refused(
        lambda: services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(YEAR, 11, 3), place="Nhà văn hóa"),
        dossier)
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(YEAR, 11, 4))
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_a_rule_set_that_adds_the_posting_step_posts_the_reviewed_list_before_it_is_sent(
    client, opened, hamlet_head
):
    rules = rule_set_for_the_year("gdvh-nd122-2018", add=["posting"], posting_days=7)
    dossier = opened(rules)
    meet(head=hamlet_head, dossier=dossier)
    dossier.refresh_from_db()
    client.force_login(hamlet_head)

    actions = offered(client, dossier)
    assert "posting" in actions and "submit" not in actions
    assert inbox_link(client, dossier) == reverse("workflows:posting", args=[dossier.pk])
    assert f"Under {rules.name} the list must first be posted publicly for 7 calendar days" in refused(
        lambda: services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(YEAR, 11, 4)), dossier)
    posting = services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(YEAR, 11, 3), place="Nhà văn hóa")
    assert posting.ends_on == d(YEAR, 11, 10)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.POSTING and "comment" in offered(client, dossier)
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=posting.sendable_from)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


# ---------------------------------------------------------------- meeting

def test_a_rule_set_without_the_meeting_step_sends_the_registrations_as_the_proposal(
    client, opened, hamlet_head, commune_officer, commune_chair
):
    rules = rule_set_for_the_year("gdvh-nd122-2018", drop=["meeting"])
    dossier = opened(rules, n=3)
    client.force_login(hamlet_head)

    actions = offered(client, dossier)
    assert "meeting" not in actions and "submit" in actions and "register" in actions
    assert inbox_link(client, dossier) == reverse("workflows:submit", args=[dossier.pk])
    response = client.get(reverse("workflows:meeting", args=[dossier.pk]))
    assert response["Location"] == reverse("workflows:dossier", args=[dossier.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This action is not possible while the dossier is “Open for registration”."]
    assert "not possible while the dossier is “Open for registration”" in refused(
        lambda: meet(head=hamlet_head, dossier=dossier), dossier)
    assert "before the registration of" in refused(
        lambda: services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(YEAR, 2, 1)), dossier)

    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(YEAR, 3, 10))

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED and dossier.proposed_count == 3
    assert set(dossier.nominations.values_list("state", flat=True)) == {NominationState.PROPOSED}
    proposals = AuditEvent.objects.filter(case_id=dossier.case_id, action="propose")
    assert set(proposals.values_list("from_state", "to_state")) == {("registered", "proposed")}
    assert proposals.count() == 3 and proposals.first().payload == {"rule_set": rules.code}
    services.appraise_dossier(actor=commune_officer, dossier=dossier)
    decision = services.decide(actor=commune_chair, dossier=dossier, number="5/QĐ-UBND", signed_on=d(YEAR, 3, 14),
                               signer="Chủ tịch")
    assert decision.awards.count() == 3


def test_a_returned_dossier_without_a_meeting_is_sent_again_with_the_subjects_registered_since(
    opened, hamlet_head, commune_officer, households
):
    rule_set_for_the_year("gdvh-nd122-2018", drop=["meeting"])
    dossier = opened(RuleSet.objects.get(code=f"test-gdvh-nd122-2018-{YEAR}"))
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(YEAR, 3, 10))
    services.return_dossier(actor=commune_officer, dossier=dossier, reason="Thiếu hộ")
    late = households(1)[0]
    services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[late.pk],
                                 registered_on=d(YEAR, 3, 12))

    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(YEAR, 3, 13))

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED and dossier.proposed_count == 3
    assert dossier.nominations.get(household=late).state == NominationState.PROPOSED


def test_without_a_meeting_but_with_a_posting_the_registrations_are_posted_then_sent(client, opened, hamlet_head):
    rules = rule_set_for_the_year("gdvh-nd86-2023", drop=["meeting"])
    dossier = opened(rules)
    client.force_login(hamlet_head)

    actions = offered(client, dossier)
    assert "posting" in actions and "meeting" not in actions and "submit" not in actions
    assert "must first be posted publicly for 10 calendar days" in refused(
        lambda: services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=d(YEAR, 3, 10)), dossier)

    posting = services.post_list(actor=hamlet_head, dossier=dossier, starts_on=d(YEAR, 3, 3), place="Nhà văn hóa")

    dossier.refresh_from_db()
    assert dossier.state == DossierState.POSTING and dossier.proposed_count == 2
    services.record_comment(actor=hamlet_head, dossier=dossier, received_on=d(YEAR, 3, 5), author="Ông Ba",
                            text="Đồng ý", nomination_id=dossier.nominations.first().pk)
    services.submit_dossier(actor=hamlet_head, dossier=dossier, submitted_on=posting.sendable_from)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_an_open_dossier_without_a_meeting_and_no_registration_yet_offers_only_the_registration(
    client, district, hamlet_head, family_title
):
    rule_set_for_the_year("gdvh-nd122-2018", drop=["meeting"])
    dossier = services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title, year=YEAR)
    client.force_login(hamlet_head)

    assert "submit" not in offered(client, dossier) and "register" in offered(client, dossier)
    assert inbox_link(client, dossier) == reverse("workflows:register", args=[dossier.pk])


# ---------------------------------------------------------------- every shipped rule set fits its procedure

def test_every_shipped_rule_set_has_the_steps_its_titles_procedure_requires_and_no_unknown_one():
    problems = {}
    for rules in RuleSet.objects.select_related("title_type"):
        missing, unknown = procedure_for_title(rules.title_type.code).rule_set_problems(rules.steps)
        if missing or unknown:
            problems[rules.code] = (missing, unknown)
    assert RuleSet.objects.exists() and not problems
    assert set(TitleType.objects.values_list("code", flat=True)) and PROCEDURES
