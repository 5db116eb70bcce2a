"""Data for the load test: one commune per 10 hamlets, one hamlet head per locust user,
each with a 2021 dossier of HOUSEHOLDS households already tallied once (so the review
meeting can be recorded again and again: the realistic "correct the tally" write).

Run inside `manage.py shell` by run_load.sh; writes the users' credentials to $LOAD_USERS_FILE.
"""

import datetime
import json
import os

from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

from directory.models import Household, Level, Role, Unit, UnitKind
from directory.services import grant_membership
from titles.models import TitleType
from workflows import services
from workflows.models import VotingMethod

USERS = int(os.environ.get("LOAD_USERS", "50"))
HOUSEHOLDS = int(os.environ.get("LOAD_HOUSEHOLDS", "30"))
PASSWORD = "Tai-thu-2026!"
SINCE = datetime.date(2019, 7, 1)


def unit(level, kind, code, name, parent):
    return Unit.objects.create(level=level, kind=kind, code=code, name=name, parent=parent, valid_from=SINCE)


title = TitleType.objects.get(code="gia-dinh-van-hoa")
province = unit(Level.PROVINCE, UnitKind.TINH, "LT-P", "Đồng Nai", None)
district = unit(Level.DISTRICT, UnitKind.HUYEN, "LT-D", "Thống Nhất", province)
User = get_user_model()
people = []
commune = None
for i in range(USERS):
    if i % 10 == 0:
        commune = unit(Level.COMMUNE, UnitKind.XA, f"LT-C{i // 10}", f"Xã {i // 10}", district)
    hamlet = unit(Level.HAMLET, UnitKind.AP, f"LT-H{i}", f"Ấp {i}", commune)
    homes = Household.objects.bulk_create([
        Household(hamlet=hamlet, code=f"LT-{i}-{n:04d}", head_name=f"Nguyễn Văn {i}-{n}", members=4)
        for n in range(HOUSEHOLDS)
    ])
    head = User.objects.create_user(username=f"load_head_{i}", password=PASSWORD)
    grant_membership(user=head, unit=hamlet, role=Role.HAMLET_HEAD, since=SINCE)
    dossier = services.open_round(actor=head, unit=hamlet, title_type=title, year=2021)
    services.register_households(actor=head, dossier=dossier, household_ids=[h.pk for h in homes],
                                 registered_on=datetime.date(2021, 3, 1))
    services.record_meeting(actor=head, dossier=dossier, held_on=datetime.date(2021, 11, 2), invited=40,
                            present=30, method=VotingMethod.SECRET_BALLOT,
                            votes={n.pk: (25, 5) for n in dossier.nominations.all()})
    # A session made here, as after a morning login: the 60 s measure browsing and
    # transitions, not 50 simultaneous password hashes (logins are throttled by axes anyway).
    browser = Client()
    browser.force_login(head)
    people.append({"username": head.username, "password": PASSWORD, "token": Token.objects.create(user=head).key,
                   "sessionid": browser.cookies["sessionid"].value,
                   "dossier": dossier.pk, "nominations": list(dossier.nominations.values_list("pk", flat=True))})
with open(os.environ["LOAD_USERS_FILE"], "w") as handle:
    json.dump(people, handle)
print(f"seeded {len(people)} hamlet heads, {HOUSEHOLDS} households each")
