"""Issue 18, items 1, 2 and 6: registration records exactly what the user chose,
a registration made by mistake can be withdrawn before the meeting, the
self-assessment page writes only what changed, and a household that cannot be
registered is refused by name."""

import pytest
from django.urls import reverse

from workflows import services
from workflows.models import AuditEvent, DossierState, NominationState
from workflows.services import RuleViolation

from .scenario import d, meet, open_with_households, snapshot

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Thidua-2026"


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def open_round(head, hamlet, title, year=2025):
    return services.open_round(actor=head, unit=hamlet, title_type=title, year=year)


# ---------------------------------------------------------------- 1. exactly the ticked households

def test_select_all_then_untick_two_registers_exactly_the_ticked_households(
    client, district, hamlet_head, family_title, households
):
    homes = households(6)
    dossier = open_round(hamlet_head, district.hamlet, family_title)
    login(client, hamlet_head)
    ticked = homes[:2] + homes[4:]
    # What the old page posted after "select all" and two boxes unticked: the
    # master box's value and the four ticked boxes.
    response = client.post(reverse("workflows:register", args=[dossier.pk]), {
        "expected_revision": dossier.revision, "registered_on": "01/03/2025", "all_unregistered": "1", "dates_confirmed": "on",
        "households": [h.pk for h in ticked],
    })
    assert response.status_code == 302
    assert set(dossier.nominations.values_list("household_id", flat=True)) == {h.pk for h in ticked}


def test_register_page_select_all_box_is_never_sent_with_the_form(
    client, district, hamlet_head, family_title, households
):
    households(3)
    dossier = open_round(hamlet_head, district.hamlet, family_title)
    page = login(client, hamlet_head).get(reverse("workflows:register", args=[dossier.pk])).content.decode()
    master = page[page.rindex("<input", 0, page.index("data-select-all")):page.index(">", page.index("data-select-all"))]
    assert "name=" not in master


def test_register_all_button_registers_every_household_not_yet_registered(
    client, district, hamlet_head, family_title, households
):
    homes = households(4)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=homes[:1])
    dossier.refresh_from_db()
    login(client, hamlet_head)
    page = client.get(reverse("workflows:register", args=[dossier.pk])).content.decode()
    assert 'name="register_all" value="3"' in page
    response = client.post(reverse("workflows:register", args=[dossier.pk]), {
        "expected_revision": dossier.revision, "registered_on": "02/03/2025", "register_all": "3",
        "dates_confirmed": "on"})
    assert response.status_code == 302
    assert dossier.nominations.count() == 4


def test_register_all_refuses_when_the_list_changed_since_it_was_shown(
    client, district, hamlet_head, family_title, households
):
    households(3)
    dossier = open_round(hamlet_head, district.hamlet, family_title)
    households(1)  # a household added after the page was drawn
    before = snapshot(dossier)
    response = login(client, hamlet_head).post(reverse("workflows:register", args=[dossier.pk]), {
        "expected_revision": dossier.revision, "registered_on": "02/03/2025", "register_all": "3",
        "dates_confirmed": "on"})
    assert response.status_code == 400
    assert "4 households are now to be registered, not 3" in response.content.decode()
    assert snapshot(dossier) == before


def test_malformed_household_id_is_refused_not_dropped(client, district, hamlet_head, family_title, households):
    homes = households(2)
    dossier = open_round(hamlet_head, district.hamlet, family_title)
    before = snapshot(dossier)
    response = login(client, hamlet_head).post(reverse("workflows:register", args=[dossier.pk]), {
        "expected_revision": dossier.revision, "registered_on": "02/03/2025", "dates_confirmed": "on",
        "households": [homes[0].pk, "12x"]})
    assert response.status_code == 400
    assert "“12x” is not a household number" in response.content.decode()
    assert snapshot(dossier) == before


# ---------------------------------------------------------------- 1. withdrawing a registration

def test_withdrawn_registration_is_audited_and_the_household_can_register_again(
    district, hamlet_head, family_title, households
):
    homes = households(3)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=homes)
    mistaken = dossier.nominations.get(household=homes[1])
    services.withdraw_registrations(actor=hamlet_head, dossier=dossier, nomination_ids=[mistaken.pk],
                                    reason="Ticked by mistake")
    mistaken.refresh_from_db()
    dossier.refresh_from_db()
    assert mistaken.state == NominationState.WITHDRAWN
    assert dossier.households_count == 2
    event = AuditEvent.objects.get(case_id=dossier.case_id, action="withdraw_registration")
    assert (event.target_id, event.from_state, event.to_state) == (
        mistaken.pk, NominationState.REGISTERED, NominationState.WITHDRAWN)
    assert event.payload["reason"] == "Ticked by mistake" and event.actor == hamlet_head

    services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[homes[1].pk],
                                 registered_on=d(2025, 3, 5))
    mistaken.refresh_from_db()
    dossier.refresh_from_db()
    assert (mistaken.state, mistaken.registered_on, mistaken.reason) == (NominationState.REGISTERED,
                                                                        d(2025, 3, 5), "")
    assert dossier.nominations.count() == 3 and dossier.households_count == 3
    again = AuditEvent.objects.filter(case_id=dossier.case_id, action="register", target_id=mistaken.pk).last()
    assert (again.from_state, again.to_state) == (NominationState.WITHDRAWN, NominationState.REGISTERED)
    # The meeting votes on the registered households only, the withdrawn one included again.
    meet(head=hamlet_head, dossier=dossier)
    assert dossier.nominations.filter(state=NominationState.PROPOSED).count() == 3


def test_withdrawal_without_a_reason_is_refused_and_changes_nothing(district, hamlet_head, family_title,
                                                                     households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    before = snapshot(dossier)
    with pytest.raises(RuleViolation, match="Say why the registration is withdrawn"):
        services.withdraw_registrations(actor=hamlet_head, dossier=dossier,
                                        nomination_ids=[dossier.nominations.first().pk], reason="  ")
    assert snapshot(dossier) == before


def test_withdrawal_after_the_meeting_is_refused_naming_the_meeting(district, hamlet_head, family_title,
                                                                    households):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(2))
    meet(head=hamlet_head, dossier=dossier, held_on=d(2025, 11, 2))
    dossier.refresh_from_db()
    before = snapshot(dossier)
    with pytest.raises(RuleViolation, match=r"already reviewed at the meeting of 02/11/2025.*only be withdrawn "
                                            r"before the review meeting"):
        services.withdraw_registrations(actor=hamlet_head, dossier=dossier,
                                        nomination_ids=[dossier.nominations.first().pk], reason="Mistake")
    assert snapshot(dossier) == before


def test_withdrawal_needs_the_hamlet_heads_permission(district, hamlet_head, other_hamlet_head, family_title,
                                                     households):
    from django.core.exceptions import PermissionDenied

    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(1))
    with pytest.raises(PermissionDenied):
        services.withdraw_registrations(actor=other_hamlet_head, dossier=dossier,
                                        nomination_ids=[dossier.nominations.get().pk], reason="Not mine")
    assert dossier.nominations.get().state == NominationState.REGISTERED


def test_withdraw_over_the_web_from_the_register_page(client, district, hamlet_head, family_title, households):
    homes = households(2)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=homes)
    nomination = dossier.nominations.get(household=homes[0])
    login(client, hamlet_head)
    page = client.get(reverse("workflows:register", args=[dossier.pk])).content.decode()
    link = reverse("workflows:withdraw", args=[dossier.pk, nomination.pk])
    assert link in page
    dossier.refresh_from_db()
    refused = client.post(link, {"expected_revision": dossier.revision, "reason": ""})
    assert refused.status_code == 400
    response = client.post(link, {"expected_revision": dossier.revision, "reason": "Registered twice by mistake"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.state == NominationState.WITHDRAWN
    # Back on the list as not yet registered, and offered again.
    page = client.get(reverse("workflows:register", args=[dossier.pk])).content.decode()
    assert f'name="households" value="{homes[0].pk}"' in page


# ---------------------------------------------------------------- 2. self-assessments

def test_saving_two_new_self_assessments_leaves_the_others_dates_and_history_alone(
    client, district, hamlet_head, family_title, households
):
    homes = households(4)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=homes)
    first, second, third, fourth = dossier.nominations.order_by("household__code")
    services.record_self_assessments(actor=hamlet_head, dossier=dossier,
                                     assessments={first.pk: "Gương mẫu", second.pk: "Đoàn kết"},
                                     assessed_on=d(2025, 3, 10))
    dossier.refresh_from_db()
    events = AuditEvent.objects.filter(case_id=dossier.case_id, action="self_assessment").count()
    # The page posts back every text it shows, the recorded ones unchanged.
    response = login(client, hamlet_head).post(reverse("workflows:assessments", args=[dossier.pk]), {
        "expected_revision": dossier.revision, "assessed_on": "20/03/2025", "dates_confirmed": "on",
        f"text_{first.pk}": "Gương mẫu", f"text_{second.pk}": "Đoàn kết",
        f"text_{third.pk}": "Chấp hành tốt", f"text_{fourth.pk}": "Tích cực",
    })
    assert response.status_code == 302
    for nomination in (first, second, third, fourth):
        nomination.refresh_from_db()
    assert (first.self_assessed_on, second.self_assessed_on) == (d(2025, 3, 10), d(2025, 3, 10))
    assert (third.self_assessed_on, fourth.self_assessed_on) == (d(2025, 3, 20), d(2025, 3, 20))
    assert AuditEvent.objects.filter(case_id=dossier.case_id, action="self_assessment").count() == events + 2


def test_self_assessments_posted_back_unchanged_are_refused_and_change_nothing(
    district, hamlet_head, family_title, households
):
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=households(1))
    nomination = dossier.nominations.get()
    services.record_self_assessments(actor=hamlet_head, dossier=dossier, assessments={nomination.pk: "Tốt"},
                                     assessed_on=d(2025, 3, 10))
    dossier.refresh_from_db()
    before = snapshot(dossier)
    with pytest.raises(RuleViolation, match="No self-assessment was changed"):
        services.record_self_assessments(actor=hamlet_head, dossier=dossier, assessments={nomination.pk: "Tốt "},
                                         assessed_on=d(2025, 3, 20))
    assert snapshot(dossier) == before


# ---------------------------------------------------------------- 6. households that cannot be registered

def test_inactive_household_cannot_be_registered_and_is_named(district, hamlet_head, family_title, households):
    active, gone = households(2)
    gone.active = False
    gone.save()
    dossier = open_round(hamlet_head, district.hamlet, family_title)
    before = snapshot(dossier)
    with pytest.raises(RuleViolation, match=rf"{gone.head_name} \({gone.code}\): no longer an active household"):
        services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[active.pk, gone.pk],
                                     registered_on=d(2025, 3, 1))
    assert snapshot(dossier) == before


def test_household_without_members_cannot_be_registered_and_is_named(
    client, district, hamlet_head, family_title, households
):
    full, empty = households(2)
    empty.members = 0
    empty.save()
    dossier = open_round(hamlet_head, district.hamlet, family_title)
    before = snapshot(dossier)
    with pytest.raises(RuleViolation, match=rf"{empty.head_name} \({empty.code}\): the household has no members"):
        services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[full.pk, empty.pk],
                                     registered_on=d(2025, 3, 1))
    assert snapshot(dossier) == before
    # The page offers no box for it, and "register all" leaves it out.
    page = login(client, hamlet_head).get(reverse("workflows:register", args=[dossier.pk])).content.decode()
    assert f'value="{empty.pk}"' not in page and 'name="register_all" value="1"' in page
    assert dossier.state == DossierState.OPEN
