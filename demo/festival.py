"""The 18 November story: khu phố Trần Cao Vân's Front work committee proposes its people, typical families
and collectives to the commune Front of xã Dầu Giây, this year's lists at three stages.

- people: decided (the commune Front's certificates of recognition, one proposal forwarded to the
  provincial Front for its Bằng khen);
- typical families: sent, waiting for the commune Front's appraisal (mttq.daugiay);
- collectives: open, its proposals added, waiting for the committee's meeting (truongbanmt.trancaovan).

Every write is the service the web calls, acting as the demo accounts; a second run finds the lists by
(title, hamlet, year) and writes nothing.
"""

import datetime

from directory import services_front
from directory.models import Collective, CollectiveKind, Household, Membership, Person, Role
from titles.models import TitleType
from workflows import services
from workflows.models import Dossier, VotingMethod
from workflows.services import festival

FRONT_HEAD, FRONT_CHAIR = "truongbanmt.trancaovan", "mttq.daugiay"
PEOPLE = (("Trần Văn Hòa", 1958, "Tổ trưởng tổ tự quản số 3"), ("Nguyễn Thị Lan", 1972, "Chi hội trưởng Phụ nữ"),
          ("Lê Minh Tâm", 1990, "Bí thư Chi đoàn"))
COLLECTIVES = (("Tổ tự quản số 3", CollectiveKind.SELF_MANAGED_GROUP),
               ("Chi hội Cựu chiến binh khu phố Trần Cao Vân", CollectiveKind.MASS_ORGANISATION))
ACHIEVEMENT = "Tích cực vận động hộ nghèo, tham gia làm đường bê tông và giữ gìn an ninh trật tự khu phố."


def festival_year(today):
    """The latest year whose festival is over (its decisions are dated up to 10 November)."""
    return today.year if today >= datetime.date(today.year, 11, 12) else today.year - 1


def _list(title_code, hamlet, year, head):
    title = TitleType.objects.get(code=title_code)
    dossier = Dossier.objects.filter(title_type=title, unit=hamlet, year=year).first()
    if dossier is not None:
        return dossier, False
    return services.open_round(actor=head, unit=hamlet, title_type=title, year=year,
                               opened_on=datetime.date(year, 10, 1)), True


def _propose(dossier, head, subject_ids, year, instruments):
    services.register_subjects(actor=head, dossier=dossier, subject_ids=subject_ids,
                               registered_on=datetime.date(year, 10, 5))
    dossier.refresh_from_db()
    nominations = list(dossier.nominations.order_by("pk"))
    services.record_self_assessments(actor=head, dossier=dossier, assessed_on=datetime.date(year, 10, 6),
                                     assessments={n.pk: ACHIEVEMENT for n in nominations})
    dossier.refresh_from_db()
    festival.choose_instruments(actor=head, dossier=dossier,
                                instruments={n.pk: code for n, code in zip(nominations, instruments)})
    dossier.refresh_from_db()
    return nominations


def _meet_and_send(dossier, head, nominations, year):
    services.record_meeting(actor=head, dossier=dossier, held_on=datetime.date(year, 10, 20), invited=11,
                            present=9, method=VotingMethod.SHOW_OF_HANDS, chaired_by="Trần Thị Hồng Nhung",
                            votes={n.pk: (9, 0) for n in nominations})
    dossier.refresh_from_db()
    services.submit_dossier(actor=head, dossier=dossier, submitted_on=datetime.date(year, 11, 4))
    dossier.refresh_from_db()


def ensure_current_year(users, *, today):
    """The three lists of this year's festival; returns {kind: dossier}."""
    head, chair = users[FRONT_HEAD], users[FRONT_CHAIR]
    hamlet = Membership.objects.filter(user=head, role=Role.HAMLET_FRONT_HEAD).order_by("-since").first().unit
    year = festival_year(today)
    since = datetime.date(2020, 1, 1)
    people = []
    for name, born, role in PEOPLE:
        person = Person.objects.filter(unit=hamlet, full_name=name).first() or services_front.add_person(
            actor=head, hamlet=hamlet, values={"full_name": name, "birth_year": born, "hamlet_role": role,
                                               "valid_from": since})
        people.append(person)
    collectives = []
    for name, kind in COLLECTIVES:
        collective = Collective.objects.filter(unit=hamlet, name=name).first() or services_front.add_collective(
            actor=head, hamlet=hamlet, values={"name": name, "kind": kind, "valid_from": since})
        collectives.append(collective)
    lists = {}

    dossier, new = _list("khen-thuong-18-11-ca-nhan", hamlet, year, head)
    if new:
        nominations = _propose(dossier, head, [p.pk for p in people], year,
                               ["giay-ghi-nhan-mttq-xa", "giay-ghi-nhan-mttq-xa", "bang-khen-mttq-tinh"])
        _meet_and_send(dossier, head, nominations, year)
        services.appraise_dossier(actor=chair, dossier=dossier, appraised_on=datetime.date(year, 11, 6))
        dossier.refresh_from_db()
        services.decide(actor=chair, dossier=dossier, number=f"15/QĐ-MTTQ-{year}", signed_on=datetime.date(year, 11, 10),
                        signer="Phan Thị Kim Loan")
        dossier.refresh_from_db()
    lists["person"] = dossier

    dossier, new = _list("khen-thuong-18-11-gia-dinh", hamlet, year, head)
    if new:
        households = list(Household.objects.filter(hamlet=hamlet, active=True).order_by("code")
                          .values_list("pk", flat=True)[:5])
        nominations = _propose(dossier, head, households, year, ["giay-ghi-nhan-mttq-xa"] * len(households))
        _meet_and_send(dossier, head, nominations, year)
    lists["household"] = dossier

    dossier, new = _list("khen-thuong-18-11-tap-the", hamlet, year, head)
    if new:
        _propose(dossier, head, [c.pk for c in collectives], year, ["giay-ghi-nhan-mttq-xa", "giay-khen-chu-tich-xa"])
    lists["collective"] = dossier
    return lists
