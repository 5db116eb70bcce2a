"""No id filter of the API tells whether an object the caller may not see exists.

Every filter that takes an object's id (enumerated from the router's viewsets and
their filtersets, so a new one is tested without editing this file) must answer a
caller for the id of another commune's object exactly as for an id that exists
nowhere: the same status and the same body, an empty page.
"""

import datetime

import pytest
from django_filters.utils import get_model_field

from config.api_urls import router
from directory.models import Household, Role, Unit
from directory.services import grant_membership
from tests.factories import HouseholdFactory, UserFactory
from titles.models import RuleSet, TitleType
from workflows import services
from workflows.models import Decision, Dossier, Nomination, Posting, PostingComment, VotingMethod

pytestmark = pytest.mark.django_db

YEAR = 2025  # a two-level year: the commune appraises and decides, after a public posting

# Related models everyone may read (the law as data): an id of theirs hides nothing.
PUBLIC = {TitleType}


def _id_filters():
    """(url prefix, filter name, related model) for every filter of the API that takes an id."""
    found = []
    for prefix, viewset, _ in router.registry:
        for backend in getattr(viewset, "filter_backends", ()):
            get_class = getattr(backend(), "get_filterset_class", None)
            if get_class is None:
                continue
            filterset = get_class(viewset(), viewset.queryset)
            if filterset is None:
                continue
            model = filterset._meta.model
            for name, declared in filterset.base_filters.items():
                field = get_model_field(model, declared.field_name)
                if field is not None and field.is_relation and field.related_model is not None:
                    found.append((prefix, name, field.related_model))
    return found


ID_FILTERS = _id_filters()


def test_the_api_has_the_fourteen_id_filters_over_units_data():
    hidden = [(prefix, name) for prefix, name, model in ID_FILTERS if model not in PUBLIC]
    assert len(hidden) == 14, hidden


@pytest.fixture
def far_away(district, family_title):
    """A complete 2025 round in another commune's hamlet: every kind of object an id filter names."""
    def persona(name, unit, role):
        user = UserFactory(username=name)
        grant_membership(user=user, unit=unit, role=role, since=datetime.date(2018, 1, 1))
        return user

    head = persona("far_head", district.far_hamlet, Role.HAMLET_HEAD)
    officer = persona("far_officer", district.other_commune, Role.COMMUNE_OFFICER)
    chair = persona("far_chair", district.other_commune, Role.COMMUNE_CHAIR)
    homes = HouseholdFactory.create_batch(2, hamlet=district.far_hamlet)
    dossier = services.open_round(actor=head, unit=district.far_hamlet, title_type=family_title, year=YEAR)
    services.register_households(actor=head, dossier=dossier, household_ids=[h.pk for h in homes],
                                 registered_on=datetime.date(YEAR, 3, 1))
    services.record_meeting(actor=head, dossier=dossier, held_on=datetime.date(YEAR, 11, 2), invited=40,
                            present=30, method=VotingMethod.SHOW_OF_HANDS,
                            votes={n.pk: (30, 0) for n in dossier.nominations.all()})
    posting = services.post_list(actor=head, dossier=dossier, starts_on=datetime.date(YEAR, 11, 3),
                                 place="Nhà văn hóa")
    nomination = dossier.nominations.first()
    services.record_comment(actor=head, dossier=dossier, received_on=datetime.date(YEAR, 11, 4), author="Ông Ba",
                            text="Đồng ý", nomination_id=nomination.pk)
    services.submit_dossier(actor=head, dossier=dossier, submitted_on=posting.sendable_from)
    services.appraise_dossier(actor=officer, dossier=dossier)
    decision = services.decide(actor=chair, dossier=dossier, number="7/QĐ-UBND",
                               signed_on=datetime.date(YEAR, 12, 1), signer="Trần Văn A")
    return {Unit: district.far_hamlet, Household: homes[0], Dossier: dossier, Nomination: nomination,
            Posting: posting, PostingComment: posting.comments.first(), Decision: decision}


@pytest.mark.parametrize("prefix,name,model", [
    pytest.param(prefix, name, model, id=f"{prefix}?{name}") for prefix, name, model in ID_FILTERS
    if model not in PUBLIC
])
def test_an_id_filter_answers_for_another_communes_object_as_for_no_object(
    api, hamlet_head, far_away, prefix, name, model
):
    client = api(hamlet_head)
    hidden = far_away[model]
    missing = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    for_hidden = client.get(f"/api/{prefix}/", {name: hidden.pk})
    for_missing = client.get(f"/api/{prefix}/", {name: missing})
    assert (for_hidden.status_code, for_hidden.json()) == (for_missing.status_code, for_missing.json())
    assert for_hidden.status_code == 200 and for_hidden.json()["count"] == 0


RETRIEVABLE = [(prefix, viewset.queryset.model) for prefix, viewset, _ in router.registry
               if hasattr(viewset, "retrieve") and viewset.queryset.model not in PUBLIC | {RuleSet}]


@pytest.mark.parametrize("prefix,model", [pytest.param(prefix, model, id=prefix) for prefix, model in RETRIEVABLE])
def test_reading_another_communes_object_by_id_answers_as_for_no_object(api, hamlet_head, far_away, prefix, model):
    from titles.models import Award
    from workflows.models import AuditEvent, Meeting

    dossier = far_away[Dossier]
    hidden = far_away.get(model) or {
        Meeting: dossier.meetings.first, AuditEvent: AuditEvent.objects.filter(case_id=dossier.case_id).first,
        Award: Award.objects.filter(nomination__dossier=dossier).first,
    }[model]()
    missing = model.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    client = api(hamlet_head)
    for_hidden, for_missing = client.get(f"/api/{prefix}/{hidden.pk}/"), client.get(f"/api/{prefix}/{missing}/")
    assert (for_hidden.status_code, for_hidden.json()) == (for_missing.status_code, for_missing.json())
    assert for_hidden.status_code == 404


@pytest.mark.parametrize("prefix,name", [
    pytest.param(prefix, name, id=f"{prefix}?{name}") for prefix, name, model in ID_FILTERS if model not in PUBLIC
])
@pytest.mark.parametrize("value", ["abc", "0", str(2**63)])
def test_an_id_filter_refuses_what_is_not_an_id_whatever_exists(api, hamlet_head, prefix, name, value):
    response = api(hamlet_head).get(f"/api/{prefix}/", {name: value})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert name in response.json()["details"]


def test_an_id_filter_still_finds_the_callers_own_objects(api, district, hamlet_head, family_title, households):
    homes = households(2)
    dossier = services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=family_title, year=YEAR)
    services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[h.pk for h in homes],
                                 registered_on=datetime.date(YEAR, 3, 1))
    client = api(hamlet_head)
    assert client.get("/api/nominations/", {"dossier": dossier.pk}).json()["count"] == 2
    assert client.get("/api/nominations/", {"household": homes[0].pk}).json()["count"] == 1
    assert client.get("/api/households/", {"hamlet": district.hamlet.pk}).json()["count"] == 2
    assert client.get("/api/audit-events/", {"dossier": dossier.pk}).json()["count"] == 3
