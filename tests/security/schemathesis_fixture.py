"""Data for the schemathesis run: a small district, a hamlet head with an API token, and a
dossier with a recorded meeting, so every read endpoint has something to return.

Run inside `manage.py shell` by run_schemathesis.sh; prints the token on the last line.
"""

import datetime

from rest_framework.authtoken.models import Token

from directory.models import Level, Role, Unit, UnitKind
from directory.services import grant_membership
from tests.factories import HouseholdFactory, UserFactory
from titles.models import TitleType
from workflows import services
from workflows.models import VotingMethod


def unit(level, kind, code, name, parent, since=datetime.date(2019, 7, 1)):
    return Unit.objects.create(level=level, kind=kind, code=code, name=name, parent=parent, valid_from=since)


province = unit(Level.PROVINCE, UnitKind.TINH, "ST-P", "Đồng Nai", None, datetime.date(1976, 1, 1))
district = unit(Level.DISTRICT, UnitKind.HUYEN, "ST-D", "Thống Nhất", province, datetime.date(2004, 1, 1))
commune = unit(Level.COMMUNE, UnitKind.XA, "ST-C", "Gia Kiệm", district)
hamlet = unit(Level.HAMLET, UnitKind.AP, "ST-H", "Ấp Đông Kinh", commune)
head = UserFactory(username="st_truong_ap")
grant_membership(user=head, unit=hamlet, role=Role.HAMLET_HEAD, since=datetime.date(2018, 1, 1))
homes = HouseholdFactory.create_batch(5, hamlet=hamlet)
title = TitleType.objects.get(code="gia-dinh-van-hoa")
dossier = services.open_round(actor=head, unit=hamlet, title_type=title, year=2021)
services.register_households(actor=head, dossier=dossier, household_ids=[h.pk for h in homes[:4]],
                             registered_on=datetime.date(2021, 3, 1))
services.record_meeting(actor=head, dossier=dossier, held_on=datetime.date(2021, 11, 2), invited=40, present=30,
                        method=VotingMethod.SECRET_BALLOT,
                        votes={n.pk: (25, 5) for n in dossier.nominations.all()})
print(Token.objects.create(user=head).key)
