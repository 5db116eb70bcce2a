"""Offices give and end roles in the units below them, dated, each change recorded."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from directory import services
from directory.models import Membership, MembershipChange, Role
from directory.selectors import find_acting, grants_of
from directory.services import grant_membership
from tests.factories import UserFactory

TODAY = timezone.localdate()


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def district_office(district):
    user = UserFactory(username="phong_vh")
    grant_membership(user=user, unit=district.district, role=Role.DISTRICT_OFFICE, since=datetime.date(2018, 1, 1))
    return user


def test_commune_officer_creates_a_hamlet_head_who_then_holds_the_role_and_sets_a_password(client, district,
                                                                                         commune_officer):
    client.force_login(commune_officer)

    response = client.post(reverse("directory:give_role"), {
        "unit": district.hamlet.pk, "role": Role.HAMLET_HEAD, "username": "truongap.moi", "full_name": "Võ Thị Mai",
        "email": "", "since": TODAY.strftime("%d/%m/%Y"), "until": "", "reason": "QĐ 12/QĐ-UBND"}, follow=True)

    page = response.content.decode()
    assert "Võ Thị Mai is Hamlet head of" in page and "one-time link" in page
    new_head = get_user_model().objects.get(username="truongap.moi")
    assert not new_head.has_usable_password()
    assert find_acting(new_head, district.hamlet, "prepare_dossier") is not None
    change = MembershipChange.objects.get()
    assert (change.action, change.actor, change.role, change.unit, change.reason) == (
        "granted", commune_officer, Role.COMMUNE_OFFICER, district.commune, "QĐ 12/QĐ-UBND")
    link = next(m.message for m in response.context["messages"] if "one-time link" in m.message).split(": ", 1)[1]
    client.logout()
    set_password = client.get(link, follow=True)
    assert set_password.status_code == 200 and "new_password1" in set_password.content.decode()


def test_an_office_gives_no_role_in_its_own_unit_nor_outside_its_subtree(district, commune_officer):
    with pytest.raises(PermissionDenied):  # a commune officer cannot make anyone (themselves) commune chair
        services.give_role(actor=commune_officer, unit=district.commune, role=Role.COMMUNE_CHAIR, since=TODAY,
                           user=commune_officer)
    with pytest.raises(PermissionDenied):
        services.give_role(actor=commune_officer, unit=district.far_hamlet, role=Role.HAMLET_HEAD, since=TODAY,
                           user=UserFactory())
    assert not Membership.objects.filter(role=Role.COMMUNE_CHAIR, user=commune_officer).exists()
    assert not MembershipChange.objects.exists()


def test_a_role_of_another_level_or_reversed_dates_is_refused_with_the_reason(district, district_office):
    with pytest.raises(ValidationError) as refused:
        services.give_role(actor=district_office, unit=district.commune, role=Role.HAMLET_HEAD,
                           since=TODAY, until=TODAY - datetime.timedelta(days=3), user=UserFactory())
    text = " ".join(refused.value.messages)
    assert "“Hamlet head” is not given in a commune" in text
    assert "cannot end" in text and "before it starts" in text
    assert not MembershipChange.objects.exists()


def test_district_office_appoints_a_commune_officer_from_a_later_date_who_holds_nothing_before(district,
                                                                                            district_office):
    officer = UserFactory(username="can_bo_moi")
    starts = TODAY + datetime.timedelta(days=10)

    services.give_role(actor=district_office, unit=district.other_commune, role=Role.COMMUNE_OFFICER,
                       since=starts, user=officer)

    def granted_units():
        return {unit.pk for unit in grants_of(officer).units.get("directory.appraise_dossier", ())}

    assert find_acting(officer, district.other_commune, "appraise_dossier") is None
    assert granted_units() == set()
    services.apply_membership_dates(today=starts)  # beat's run on the first day
    assert granted_units() == {district.other_commune.pk}


def test_ending_a_role_needs_a_reason_and_a_date_not_past_and_removes_the_rights(client, district,
                                                                                 commune_officer, hamlet_head):
    membership = Membership.objects.get(user=hamlet_head)
    with pytest.raises(ValidationError) as refused:
        services.end_role(actor=commune_officer, membership=membership, until=TODAY - datetime.timedelta(days=30),
                          reason="")
    assert "Say why" in " ".join(refused.value.messages) and "is past" in " ".join(refused.value.messages)
    assert find_acting(hamlet_head, district.hamlet, "prepare_dossier") is not None

    client.force_login(commune_officer)
    yesterday = TODAY - datetime.timedelta(days=1)
    response = client.post(reverse("directory:end_role", args=[membership.pk]),
                           {"until": yesterday.strftime("%d/%m/%Y"), "reason": "Nghỉ hưu"})

    assert response.status_code == 302
    assert find_acting(hamlet_head, district.hamlet, "prepare_dossier") is None
    change = MembershipChange.objects.get()
    assert change.action == "ended" and change.until == yesterday and change.reason == "Nghỉ hưu"


def test_the_people_page_lists_the_roles_below_and_is_closed_to_others(client, district, commune_officer,
                                                                       hamlet_head, other_hamlet_head):
    client.force_login(commune_officer)
    listed = {m.user.username for m in client.get(reverse("directory:people")).context["page"]}
    assert listed == {"truong_ap", "truong_ap_khac"}  # the hamlets below, not the officer's own commune
    other_commune_head = Membership.objects.get(user=other_hamlet_head)
    assert client.get(reverse("directory:end_role", args=[other_commune_head.pk])).status_code == 200

    client.force_login(hamlet_head)
    assert client.get(reverse("directory:people")).status_code == 404
    assert client.get(reverse("directory:end_role", args=[other_commune_head.pk])).status_code == 404


def test_the_role_choices_are_those_given_at_the_levels_the_office_manages(client, commune_officer, district_office):
    client.force_login(commune_officer)
    offered = {value for value, _label in client.get(reverse("directory:give_role")).context["form"]
               .fields["role"].choices}
    assert offered == {Role.HAMLET_HEAD, Role.HAMLET_FRONT_HEAD}
    client.force_login(district_office)
    offered = {value for value, _label in client.get(reverse("directory:give_role")).context["form"]
               .fields["role"].choices}
    assert Role.COMMUNE_CHAIR in offered and Role.DISTRICT_CHAIR not in offered
