"""The dossier counters the lists and the province roll-up read instead of counting
nominations: after every transition and after a revocation they equal a direct count."""

import pytest
from django.db.models import Count

from directory.models import Household, Level, Unit
from titles.models import Award
from workflows.services import revoke_award
from workflows import services
from workflows.models import Dossier, Nomination, NominationState
from workflows.selectors import visible_dossiers
from workflows.selectors_rollup import cultural_family_rates

from .scenario import d, meet, open_with_households, send, tally_all, through_appraisal

pytestmark = pytest.mark.django_db

PROPOSED_OR_LATER = [NominationState.PROPOSED, NominationState.ACCEPTED, NominationState.RECOGNIZED]


def counted(dossier):
    rows = Nomination.objects.filter(dossier=dossier)
    return (
        rows.count(),
        rows.filter(state__in=PROPOSED_OR_LATER).count(),
        rows.filter(state=NominationState.RECOGNIZED).exclude(award__revoked_at__isnull=False).count(),
    )


def stored(dossier):
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (fresh.households_count, fresh.proposed_count, fresh.recognized_count)


def test_counters_follow_every_transition_and_a_revocation(
    district, hamlet_head, commune_officer, commune_chair, family_title, households
):
    homes = households(5)
    dossier = open_with_households(head=hamlet_head, hamlet=district.hamlet, title=family_title, year=2025,
                                   households=homes[:3])
    assert stored(dossier) == counted(dossier) == (3, 0, 0)
    dossier.refresh_from_db()
    services.register_households(actor=hamlet_head, dossier=dossier, household_ids=[h.pk for h in homes[3:]],
                                 registered_on=d(2025, 3, 2))
    assert stored(dossier) == counted(dossier) == (5, 0, 0)

    dossier.refresh_from_db()
    votes = tally_all(dossier, 30)
    refused = min(votes)
    votes[refused] = (0, 30)
    meet(head=hamlet_head, dossier=dossier, votes=votes)
    assert stored(dossier) == counted(dossier) == (5, 4, 0)

    dossier.refresh_from_db()
    # A second meeting of the same round agrees on all five, saying why the refused one changes.
    meet(head=hamlet_head, dossier=dossier, change_reasons={refused: "Kiểm phiếu lại"})
    assert stored(dossier) == counted(dossier) == (5, 5, 0)

    send(head=hamlet_head, dossier=dossier)
    dossier.refresh_from_db()
    struck = dossier.nominations.order_by("pk").first()
    services.appraise_dossier(actor=commune_officer, dossier=dossier, strikes={struck.pk: "Không đủ tiêu chí"})
    assert stored(dossier) == counted(dossier) == (5, 4, 0)

    dossier.refresh_from_db()
    services.decide(actor=commune_chair, dossier=dossier, number="9/QĐ-UBND", signed_on=d(2025, 11, 20),
                    signer="Chủ tịch")
    assert stored(dossier) == counted(dossier) == (5, 4, 4)

    award = Award.objects.filter(nomination__dossier=dossier).order_by("pk").first()
    revoke_award(actor=commune_chair, award=award, ground="b", decision_number="10/QĐ-UBND",
                 reason="Khai sai", decided_on=d(2025, 12, 1))
    assert stored(dossier) == counted(dossier) == (5, 4, 3)


def test_dossier_list_shows_the_counted_households(
    district, hamlet_head, commune_officer, family_title, households
):
    dossier = through_appraisal(head=hamlet_head, officer=commune_officer, hamlet=district.hamlet,
                                title=family_title, year=2025, households=households(3))
    (row,) = [r for r in visible_dossiers(commune_officer) if r.pk == dossier.pk]
    assert (row.households, row.proposed) == (3, 3)


def _direct_rates(root, year, title):
    """The roll-up computed the slow way: count households and valid awards per commune."""
    hh = dict(Household.objects.filter(active=True, hamlet__path__startswith=root.path)
              .values_list("hamlet__parent_id").annotate(n=Count("pk")).order_by())
    rec = dict(Award.objects.filter(year=year, title_type=title, revoked_at__isnull=True,
                                    nomination__dossier__unit__path__startswith=root.path)
               .values_list("nomination__dossier__unit__parent_id").annotate(n=Count("pk")).order_by())
    communes = Unit.objects.filter(path__startswith=root.path, level=Level.COMMUNE).values_list("pk", flat=True)
    return {pk: (hh.get(pk, 0), rec.get(pk, 0)) for pk in communes}


def test_rollup_equals_a_direct_count_over_a_small_district(
    district, hamlet_head, other_hamlet_head, commune_officer, commune_chair, family_title, households
):
    for head, hamlet, n, number in ((hamlet_head, district.hamlet, 4, "1/QĐ"),
                                    (other_hamlet_head, district.other_hamlet, 3, "2/QĐ")):
        dossier = through_appraisal(head=head, officer=commune_officer, hamlet=hamlet, title=family_title,
                                    year=2025, households=households(n, hamlet=hamlet))
        services.decide(actor=commune_chair, dossier=dossier, number=number, signed_on=d(2025, 11, 20),
                        signer="Chủ tịch")
    households(2, hamlet=district.far_hamlet)  # another commune, no dossier
    revoke_award(actor=commune_chair, award=Award.objects.order_by("pk").first(), ground="b",
                 decision_number="3/QĐ", reason="Khai sai", decided_on=d(2025, 12, 1))

    rates = cultural_family_rates(root=district.district, year=2025, title_type=family_title)

    assert {r.unit_id: (r.roll, r.recognized) for r in rates["communes"]} == _direct_rates(
        district.district, 2025, family_title)
    (whole,) = rates["districts"]
    assert (whole.roll, whole.recognized) == (9, 6)
