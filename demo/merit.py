"""The certificate of merit (Giấy khen) for 3 consecutive Cultural Family years, in the demo's
2021 era, through the real services.

Khu phố Lập Thành also held its Cultural Family rounds of 2019 and 2020 (the township was
formed on 2019-07-01, so its 2019 round runs from August), so its households' 2019–2021 titles
make some of them eligible in 2021 (the page /merit/giay-khen-gia-dinh-van-hoa/<hamlet>/2021/
lists them with their streaks, and the others with the gap or the struck year). The 2021 merit
round is then played there: the quarter's head opens it from the eligible list, the review
meeting ranks them within the 15% cap, the township's officer appraises and its chair signs.

A cultural hamlet's certificate needs 5 years of the hamlet title: the demo's 2019-2025 units
only exist from 2019-07-01, so no hamlet of the demo can be eligible before 2023, and from
2024-01-30 no merit rule set is in force: their list shows why, and the hamlet round with the
district council runs in the tests (tests/workflows/test_merit_round.py).
"""

import datetime
import random

from directory.models import Household
from titles.merit import eligibility
from titles.models import TitleType
from workflows import services
from workflows.models import Dossier, NominationState

from .family import HAMLETS_2021, OFFICER_2021, CHAIR_2021
from .rounds import inline, meet

MERIT_CODE = "giay-khen-gia-dinh-van-hoa"
YEAR = 2021
# The quarter, its head, and the decisions of its 2019 and 2020 rounds and of the certificate.
HAMLET, HEAD = HAMLETS_2021[0][0], HAMLETS_2021[0][1]
EARLIER = ((2019, "45/QĐ-UBND"), (2020, "61/QĐ-UBND"))
MERIT_NUMBER = "95/QĐ-UBND"


def merit_title():
    return TitleType.objects.get(code=MERIT_CODE)


def pending(title):
    """Whether the story is still to be played: the quarter still lists its households (they move
    to the successor hamlet once the 2021 stories are played) and has no merit round yet."""
    return (not Dossier.objects.filter(title_type=merit_title(), year=YEAR, unit__code=HAMLET).exists()
            and Household.objects.filter(hamlet__code=HAMLET).exists())


def ensure(units, users, title):
    """The 2019 and 2020 Cultural Family rounds of the quarter, then its 2021 merit round, decided.
    Played while the former roles are in force (rounds.former_roles), before households move."""
    if not pending(title):
        return None
    head, officer, chair = users[HEAD], users[OFFICER_2021], users[CHAIR_2021]
    hamlet = units[HAMLET]
    signer = f"{chair.first_name} – Chủ tịch UBND {inline(hamlet.parent.name)}"
    registered_2021 = list(Dossier.objects.get(title_type=title, year=YEAR, unit=hamlet).nominations
                           .values_list("household_id", flat=True))
    for year, number in EARLIER:
        rng = random.Random(year)
        dossier = services.open_round(actor=head, unit=hamlet, title_type=title, year=year,
                                      opened_on=datetime.date(year, 8, 1))
        # Nearly the same households as in 2021; a few missing years make the gaps the list shows.
        chosen = [pk for pk in registered_2021 if rng.random() < 0.93]
        services.register_subjects(actor=head, dossier=dossier, subject_ids=chosen,
                                   registered_on=datetime.date(year, 8, 5))
        nominations = list(dossier.nominations.order_by("household__code"))
        meet(rng, actor=head, dossier=dossier, nominations=nominations, held_on=datetime.date(year, 11, 8),
             weak_count=1)
        services.submit_dossier(actor=head, dossier=dossier, submitted_on=datetime.date(year, 11, 11))
        services.appraise_dossier(actor=officer, dossier=dossier, appraised_on=datetime.date(year, 11, 14))
        services.decide(actor=chair, dossier=dossier, number=number, signed_on=datetime.date(year, 11, 18),
                        signer=signer)
    merit = merit_title()
    dossier = services.open_round(actor=head, unit=hamlet, title_type=merit, year=YEAR,
                                  opened_on=datetime.date(YEAR, 12, 1))
    eligible = [s.subject.pk for s in eligibility(merit, hamlet, YEAR).eligible]
    services.register_subjects(actor=head, dossier=dossier, subject_ids=eligible,
                               registered_on=datetime.date(YEAR, 12, 2))
    nominations = list(dossier.nominations.order_by("household__code"))
    # Everyone is approved: the 15% cap then keeps the best ranked by agree votes.
    meet(random.Random(YEAR * 7), actor=head, dossier=dossier, nominations=nominations,
         held_on=datetime.date(YEAR, 12, 6), weak_count=0)
    services.submit_dossier(actor=head, dossier=dossier, submitted_on=datetime.date(YEAR, 12, 7))
    services.appraise_dossier(actor=officer, dossier=dossier, appraised_on=datetime.date(YEAR, 12, 9))
    services.decide(actor=chair, dossier=dossier, number=MERIT_NUMBER, signed_on=datetime.date(YEAR, 12, 14),
                    signer=signer)
    dossier.refresh_from_db()
    assert dossier.nominations.filter(state=NominationState.RECOGNIZED).count() == dossier.recognized_count
    return dossier


def dossier():
    return (Dossier.objects.filter(title_type__code=MERIT_CODE, year=YEAR, unit__code=HAMLET)
            .select_related("unit").first())
