"""The hamlet Front committee keeps its people and collectives (whom it proposes on 18 November)."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from directory import services_front
from directory.models import Collective, CollectiveKind, FrontRecordChange, Person, Role
from tests.conftest import _persona

TODAY = datetime.date.today()


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _person(**overrides):
    return {"full_name": "Trần Thị Bình", "birth_year": 1968, "hamlet_role": "Chi hội trưởng Phụ nữ",
            "valid_from": datetime.date(2020, 1, 1), "valid_to": None, **overrides}


def test_front_head_adds_a_person_and_the_change_records_who_in_which_role(district, hamlet_front_head):
    person = services_front.add_person(actor=hamlet_front_head, hamlet=district.hamlet, values=_person())

    assert (person.unit, person.full_name, person.birth_year) == (district.hamlet, "Trần Thị Bình", 1968)
    change = FrontRecordChange.objects.get(person=person)
    assert (change.action, change.role, change.unit, change.actor) == (
        "created", Role.HAMLET_FRONT_HEAD, district.hamlet, hamlet_front_head)
    assert change.changes["full_name"] == [None, "Trần Thị Bình"]


def test_commune_front_chair_manages_the_records_of_the_communes_hamlets(district):
    chair = _persona("mttq_xa", district.commune, Role.COMMUNE_FRONT_CHAIR)
    collective = services_front.add_collective(
        actor=chair, hamlet=district.other_hamlet,
        values={"name": "Tổ tự quản số 3", "kind": CollectiveKind.SELF_MANAGED_GROUP, "valid_from": TODAY})
    assert FrontRecordChange.objects.get(collective=collective).role == Role.COMMUNE_FRONT_CHAIR


@pytest.mark.parametrize("overrides, fragment", [
    ({"full_name": "  "}, "full name is missing"),
    ({"birth_year": 1093}, "from 1900 to"),
    ({"valid_to": datetime.date(2019, 1, 1)}, "cannot end (01/01/2019) before it starts (01/01/2020)"),
    ({"full_name": "Trần\u202eBình"}, "text-direction control"),
])
def test_bad_person_data_is_refused_naming_the_rule_and_nothing_is_written(district, hamlet_front_head,
                                                                            overrides, fragment):
    with pytest.raises(ValidationError) as refused:
        services_front.add_person(actor=hamlet_front_head, hamlet=district.hamlet, values=_person(**overrides))
    assert fragment in " ".join(refused.value.messages)
    assert not Person.objects.exists() and not FrontRecordChange.objects.exists()


def test_a_role_without_the_permission_or_in_another_hamlet_is_refused(district, hamlet_head, hamlet_front_head):
    with pytest.raises(PermissionDenied):  # the hamlet head keeps households, not the Front's records
        services_front.add_person(actor=hamlet_head, hamlet=district.hamlet, values=_person())
    with pytest.raises(PermissionDenied):
        services_front.add_person(actor=hamlet_front_head, hamlet=district.other_hamlet, values=_person())
    assert not Person.objects.exists()


def test_ending_a_record_keeps_it_and_records_only_what_changed(district, hamlet_front_head):
    person = services_front.add_person(actor=hamlet_front_head, hamlet=district.hamlet, values=_person())
    services_front.edit_person(actor=hamlet_front_head, person=person, values={"valid_to": datetime.date(2024, 5, 1)},
                               reason="Chuyển đi nơi khác")
    services_front.edit_person(actor=hamlet_front_head, person=person, values={"valid_to": datetime.date(2024, 5, 1)})

    changes = FrontRecordChange.objects.filter(person=person, action="updated")
    assert [c.changes for c in changes] == [{"valid_to": [None, "2024-05-01"]}]
    assert not Person.objects.valid_on(TODAY).exists() and Person.objects.valid_on(datetime.date(2023, 1, 1)).exists()


def test_pages_list_add_and_edit_and_another_hamlets_record_is_404(client, district, hamlet_front_head):
    far = services_front.add_collective(
        actor=_persona("mttq_xa_khac", district.other_commune, Role.COMMUNE_FRONT_CHAIR), hamlet=district.far_hamlet,
        values={"name": "Chi hội Cựu chiến binh", "kind": CollectiveKind.MASS_ORGANISATION, "valid_from": TODAY})
    client.force_login(hamlet_front_head)

    response = client.post(reverse("directory:person_add"), {
        "hamlet": district.hamlet.pk, "full_name": "Lê Văn Cường", "birth_year": "1955",
        "hamlet_role": "Tổ trưởng tổ tự quản", "valid_from": "01/01/2021", "valid_to": ""})
    assert response.status_code == 302
    person = Person.objects.get(full_name="Lê Văn Cường")
    page = client.get(reverse("directory:front_records"), {"hamlet": district.hamlet.pk})
    assert "Lê Văn Cường" in page.content.decode()

    response = client.post(reverse("directory:person_edit", args=[person.pk]), {
        "hamlet": district.hamlet.pk, "full_name": "Lê Văn Cường", "birth_year": "1955",
        "hamlet_role": "Tổ trưởng", "valid_from": "01/01/2021", "valid_to": ""})
    assert response.status_code == 302 and Person.objects.get(pk=person.pk).hamlet_role == "Tổ trưởng"
    page = client.get(reverse("directory:person_edit", args=[person.pk])).content.decode()
    assert "Role in the hamlet: Tổ trưởng tổ tự quản → Tổ trưởng" in page

    assert client.get(reverse("directory:collective_edit", args=[far.pk])).status_code == 404
    assert client.post(reverse("directory:collective_edit", args=[far.pk]), {"name": "x"}).status_code == 404
    assert Collective.objects.get(pk=far.pk).name == "Chi hội Cựu chiến binh"


def test_a_user_managing_no_hamlet_gets_404(client, hamlet_head):
    client.force_login(hamlet_head)
    assert client.get(reverse("directory:front_records")).status_code == 404
    assert client.get(reverse("directory:person_add")).status_code == 404
