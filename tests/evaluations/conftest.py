"""A district before the reorganisation (2021) and the province after it, with the Front's personas."""

import datetime
from types import SimpleNamespace

import pytest

from directory.models import Level, Role, UnitKind
from directory.services import grant_membership
from evaluations.models import Scheme
from tests.factories import HouseholdFactory, UnitFactory, UserFactory

OLD = datetime.date(2004, 1, 1)
REFORM = datetime.date(2025, 7, 1)


def persona(username, unit, role, since=datetime.date(2018, 1, 1)):
    user = UserFactory(username=username)
    grant_membership(user=user, unit=unit, role=role, since=since)
    return user


@pytest.fixture
def front(db):
    """2021 units (district → 2 communes → hamlets, ceased 2025-06-30) and 2025 units (province → one
    merged commune → hamlets), each with its Front roles."""
    province = UnitFactory(level=Level.PROVINCE, kind=UnitKind.TINH, name="Đồng Nai", parent=None,
                           valid_from=datetime.date(1976, 1, 1))
    district = UnitFactory(level=Level.DISTRICT, kind=UnitKind.HUYEN, name="Thống Nhất", parent=province,
                           valid_from=OLD, valid_to=REFORM - datetime.timedelta(days=1))
    commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name="Gia Kiệm", parent=district, valid_from=OLD,
                          valid_to=REFORM - datetime.timedelta(days=1))
    other_commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name="Gia Tân 1", parent=district,
                                valid_from=OLD, valid_to=REFORM - datetime.timedelta(days=1))
    hamlets = [UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name=f"Ấp {n}", parent=commune, valid_from=OLD,
                           valid_to=REFORM - datetime.timedelta(days=1)) for n in ("Đông Kinh", "Võ Dõng")]
    far_hamlet = UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name="Ấp Phú Lập", parent=other_commune,
                             valid_from=OLD, valid_to=REFORM - datetime.timedelta(days=1))
    new_commune = UnitFactory(level=Level.COMMUNE, kind=UnitKind.XA, name="Xã Dầu Giây", parent=province,
                              valid_from=REFORM)
    new_hamlets = [UnitFactory(level=Level.HAMLET, kind=UnitKind.AP, name=f"Ấp {n}", parent=new_commune,
                               valid_from=REFORM) for n in ("Lập Thành", "Trần Cao Vân")]
    for hamlet in hamlets + new_hamlets + [far_hamlet]:
        HouseholdFactory.create_batch(4, hamlet=hamlet)
    people = SimpleNamespace(
        hamlet_front=persona("ban_mt_ap", hamlets[0], Role.HAMLET_FRONT_HEAD),
        other_hamlet_front=persona("ban_mt_ap_2", hamlets[1], Role.HAMLET_FRONT_HEAD),
        far_hamlet_front=persona("ban_mt_ap_xa", far_hamlet, Role.HAMLET_FRONT_HEAD),
        commune_front=persona("mt_xa", commune, Role.COMMUNE_FRONT_CHAIR),
        other_commune_front=persona("mt_xa_khac", other_commune, Role.COMMUNE_FRONT_CHAIR),
        district_front=persona("mt_huyen", district, Role.DISTRICT_FRONT_BOARD),
        hamlet_head=persona("truong_ap", hamlets[0], Role.HAMLET_HEAD),
        new_hamlet_front=persona("ban_mt_ap_moi", new_hamlets[0], Role.HAMLET_FRONT_HEAD, since=REFORM),
        new_commune_front=persona("mt_xa_moi", new_commune, Role.COMMUNE_FRONT_CHAIR, since=REFORM),
        province_front=persona("mt_tinh", province, Role.PROVINCE_FRONT_BOARD, since=REFORM),
    )
    return SimpleNamespace(scheme_pk=Scheme.objects.first().pk, province=province, district=district, commune=commune, other_commune=other_commune,
                           hamlets=hamlets, hamlet=hamlets[0], far_hamlet=far_hamlet, new_commune=new_commune,
                           new_hamlets=new_hamlets, new_hamlet=new_hamlets[0], people=people)
