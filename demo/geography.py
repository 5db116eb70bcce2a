"""The demo geography: Thống Nhất district before 2025-07-01, the merged communes after.

Unit rows are master data, created directly and identified by their code, so a
second run finds them and creates nothing. Codes are demo codes, not the
official statistical codes.
"""

import datetime
from dataclasses import dataclass

from directory.models import Household, Level, Unit, UnitKind

OLD_FROM = datetime.date(2019, 7, 1)  # Thị trấn Dầu Giây formed; the 10 commune-level units
OLD_TO = datetime.date(2025, 6, 30)  # last day of the district level
NEW_FROM = datetime.date(2025, 7, 1)  # two-level local government (Law 72/2025/QH15)

PROVINCE_CODE = "DN"
DISTRICT_CODE = "DN-THONGNHAT"

ILLUSTRATIVE_HAMLETS = "Minh họa (illustrative): tên ấp chưa đối chiếu với danh mục chính thức."
KEPT_NAME = "Giữ tên trước 01/7/2025; tên sau sắp xếp chưa đối chiếu (illustrative)."
ILLUSTRATIVE_MERGE = (
    "Minh họa (illustrative): tên và phạm vi xã sau sắp xếp 2025 chưa đối chiếu với nghị quyết chính thức."
)


@dataclass(frozen=True)
class OldCommune:
    slug: str
    name: str
    kind: str
    hamlet_kind: str
    hamlets: tuple
    hamlets_confirmed: bool = False


# The 10 commune-level units of 2019-07-01 (DOMAIN.md 7b). The township's four
# urban quarters are documented; the rural hamlet names are illustrative.
OLD_COMMUNES = (
    OldCommune("DAUGIAY", "Thị trấn Dầu Giây", UnitKind.THI_TRAN, UnitKind.KHU_PHO,
               ("Lập Thành", "Trần Cao Vân", "Trần Hưng Đạo", "Phan Bội Châu"), hamlets_confirmed=True),
    OldCommune("BAUHAM2", "Xã Bàu Hàm 2", UnitKind.XA, UnitKind.AP,
               ("Ngô Quyền", "Lê Lợi 1", "Lê Lợi 2", "Nguyễn Huệ 1", "Nguyễn Huệ 2")),
    OldCommune("GIAKIEM", "Xã Gia Kiệm", UnitKind.XA, UnitKind.AP,
               ("Đông Kinh", "Tây Kim", "Võ Dõng 1", "Võ Dõng 2", "Võ Dõng 3")),
    OldCommune("GIATAN1", "Xã Gia Tân 1", UnitKind.XA, UnitKind.AP,
               ("Phú Lập", "Tân Yên", "Dốc Mơ 1", "Dốc Mơ 2")),
    OldCommune("GIATAN2", "Xã Gia Tân 2", UnitKind.XA, UnitKind.AP,
               ("Đức Long 1", "Đức Long 2", "Đức Long 3", "Tân Bình")),
    OldCommune("GIATAN3", "Xã Gia Tân 3", UnitKind.XA, UnitKind.AP,
               ("Phúc Nhạc 1", "Phúc Nhạc 2", "Phúc Nhạc 3", "Tân Hữu", "Dốc Mơ 3")),
    OldCommune("HUNGLOC", "Xã Hưng Lộc", UnitKind.XA, UnitKind.AP,
               ("Hưng Nhơn", "Hưng Thạnh", "Hưng Hiệp", "Hưng Long")),
    OldCommune("LO25", "Xã Lộ 25", UnitKind.XA, UnitKind.AP,
               ("Lạc Sơn", "An Hòa", "Nguyễn Thái Học", "Bùi Chu")),
    OldCommune("QUANGTRUNG", "Xã Quang Trung", UnitKind.XA, UnitKind.AP,
               ("Bạch Lâm 1", "Bạch Lâm 2", "Đức Huy", "Lê Lợi")),
    OldCommune("XUANTHIEN", "Xã Xuân Thiện", UnitKind.XA, UnitKind.AP,
               ("Thanh Hóa", "Thiện Hùng", "Thiện Thuận", "Hòa Bình")),
)


@dataclass(frozen=True)
class NewCommune:
    slug: str
    name: str
    merged: tuple  # slugs of the old units it joins
    confirmed: bool = False


# From 2025-07-01. Only the new xã Dầu Giây is documented (DOMAIN.md 7b); the
# other two groupings are illustrative and say so in their note.
NEW_COMMUNES = (
    NewCommune("DAUGIAY", "Xã Dầu Giây", ("DAUGIAY", "HUNGLOC", "BAUHAM2", "LO25"), confirmed=True),
    NewCommune("GIAKIEM", "Xã Gia Kiệm", ("GIAKIEM", "QUANGTRUNG", "XUANTHIEN")),
    NewCommune("THONGNHAT", "Xã Thống Nhất", ("GIATAN1", "GIATAN2", "GIATAN3")),
)


@dataclass(frozen=True)
class OtherCommune:
    slug: str
    name: str
    hamlet_kind: str
    hamlets: tuple


# Communes of Đồng Nai after 2025 outside the former district, with no past in the demo:
# each holds one current-year round of the cultural hamlet title, so that every stage has
# a commune (the title's dossier is a commune's). Names and hamlets are illustrative.
OTHER_COMMUNES = (
    OtherCommune("TRANGBOM", "Xã Trảng Bom", UnitKind.KHU_PHO, ("1", "2", "3", "4", "5")),
    OtherCommune("BINHMINH", "Xã Bình Minh", UnitKind.AP, ("Lộc Hòa", "Tân Bình", "Bình Minh 1", "Bình Minh 2")),
    OtherCommune("HUNGTHINH", "Xã Hưng Thịnh", UnitKind.AP, ("Hưng Hiệp", "Hưng Bình", "Hưng Phát", "Hưng Thuận")),
    OtherCommune("ANVIEN", "Xã An Viễn", UnitKind.AP, ("An Bình", "An Hòa", "Bình Lâm", "Tân Thành", "Sông Thao")),
    OtherCommune("XUANLOC", "Xã Xuân Lộc", UnitKind.AP, ("Suối Cát", "Bình Hòa", "Gia Lào", "Trung Lương")),
)
ILLUSTRATIVE_OTHER = (
    "Minh họa (illustrative): xã của tỉnh Đồng Nai sau sắp xếp 2025, ngoài huyện Thống Nhất cũ; tên xã và tên "
    "ấp, khu phố chưa đối chiếu với nghị quyết chính thức."
)

KIND_PREFIX = {UnitKind.KHU_PHO: "Khu phố", UnitKind.AP: "Ấp"}


@dataclass(frozen=True)
class UnitSpec:
    code: str
    parent: str | None
    level: str
    kind: str
    name: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    note: str = ""


def old_commune_code(slug):
    return f"TN19-{slug}"


def old_hamlet_code(slug, number):
    return f"TN19-{slug}-{number:02d}"


def new_commune_code(slug):
    return f"DN25-{slug}"


def hamlet_name(kind, name):
    return f"{KIND_PREFIX[kind]} {name}"


def _merged_names(new):
    by_slug = {c.slug: c.name for c in OLD_COMMUNES}
    return ", ".join(by_slug[s] for s in new.merged)


def unit_specs():
    """Every unit of both eras, parents before children."""
    yield UnitSpec(PROVINCE_CODE, None, Level.PROVINCE, UnitKind.TINH, "Tỉnh Đồng Nai",
                   datetime.date(1976, 1, 1), None,
                   "Từ 01/7/2025 tỉnh Đồng Nai hợp nhất với tỉnh Bình Phước; bản demo giữ một đơn vị tỉnh.")
    yield UnitSpec(DISTRICT_CODE, PROVINCE_CODE, Level.DISTRICT, UnitKind.HUYEN, "Huyện Thống Nhất",
                   datetime.date(2004, 1, 1), OLD_TO, "Cấp huyện chấm dứt từ 01/7/2025 (chính quyền hai cấp).")
    for commune in OLD_COMMUNES:
        yield UnitSpec(old_commune_code(commune.slug), DISTRICT_CODE, Level.COMMUNE, commune.kind, commune.name,
                       OLD_FROM, OLD_TO)
        for number, name in enumerate(commune.hamlets, start=1):
            yield UnitSpec(old_hamlet_code(commune.slug, number), old_commune_code(commune.slug), Level.HAMLET,
                           commune.hamlet_kind, hamlet_name(commune.hamlet_kind, name), OLD_FROM, OLD_TO,
                           "" if commune.hamlets_confirmed else ILLUSTRATIVE_HAMLETS)
    for new in NEW_COMMUNES:
        note = f"Sáp nhập từ 01/7/2025: {_merged_names(new)}."
        if not new.confirmed:
            note = f"{note} {ILLUSTRATIVE_MERGE}"
        yield UnitSpec(new_commune_code(new.slug), PROVINCE_CODE, Level.COMMUNE, UnitKind.XA, new.name,
                       NEW_FROM, None, note[:300])
        for old_code, new_code, kind, name, confirmed in _successor_hamlets(new):
            yield UnitSpec(new_code, new_commune_code(new.slug), Level.HAMLET, kind, hamlet_name(kind, name),
                           NEW_FROM, None, KEPT_NAME if confirmed else ILLUSTRATIVE_HAMLETS)
    for other in OTHER_COMMUNES:
        code = new_commune_code(other.slug)
        yield UnitSpec(code, PROVINCE_CODE, Level.COMMUNE, UnitKind.XA, other.name, NEW_FROM, None,
                       ILLUSTRATIVE_OTHER)
        for number, name in enumerate(other.hamlets, start=1):
            yield UnitSpec(f"{code}-{number:02d}", code, Level.HAMLET, other.hamlet_kind,
                           hamlet_name(other.hamlet_kind, name), NEW_FROM, None, ILLUSTRATIVE_OTHER)


def _successor_hamlets(new):
    """(old code, new code, kind, name, confirmed) for each hamlet of a merged commune.

    Hamlets keep their names; they are renumbered across the new commune, so
    each one is a new row with a new code.
    """
    by_slug = {c.slug: c for c in OLD_COMMUNES}
    number = 0
    for slug in new.merged:
        old = by_slug[slug]
        for index, name in enumerate(old.hamlets, start=1):
            number += 1
            yield (old_hamlet_code(slug, index), f"DN25-{new.slug}-{number:02d}", old.hamlet_kind, name,
                   old.hamlets_confirmed)


def successor_map():
    """Old hamlet code -> the code of the hamlet row that replaces it from 2025-07-01."""
    return {old: new_code for new in NEW_COMMUNES for old, new_code, *_ in _successor_hamlets(new)}


def ensure_units():
    """Create the units that are missing; return every demo unit by code."""
    specs = list(unit_specs())
    units = {u.code: u for u in Unit.objects.filter(code__in=[s.code for s in specs])}
    for spec in specs:
        if spec.code in units:
            continue
        unit = Unit(code=spec.code, parent=units[spec.parent] if spec.parent else None, level=spec.level,
                    kind=spec.kind, name=spec.name, valid_from=spec.valid_from, valid_to=spec.valid_to,
                    note=spec.note)
        unit.save()
        units[spec.code] = unit
    _link_successors(units)
    return units


def successor_codes():
    """Old unit code -> the code of the unit that takes over from 2025-07-01: each
    hamlet its renumbered row, each commune the merged commune. The district has
    none (the level is gone)."""
    codes = dict(successor_map())
    for new in NEW_COMMUNES:
        for slug in new.merged:
            codes[old_commune_code(slug)] = new_commune_code(new.slug)
    return codes


def _link_successors(units):
    # Also on a database seeded before units had a successor: one UPDATE per unit still missing it.
    for old_code, new_code in successor_codes().items():
        old, new = units[old_code], units[new_code]
        if old.successor_id != new.pk:
            Unit.objects.filter(pk=old.pk).update(successor=new)
            old.successor_id = new.pk


def old_hamlet_codes():
    for commune in OLD_COMMUNES:
        for number, _name in enumerate(commune.hamlets, start=1):
            yield commune, number, old_hamlet_code(commune.slug, number)


def move_households_to_successors(units):
    """Households live in the current hamlet rows; past nominations keep their own dossier's unit.

    One UPDATE per old hamlet; households already moved are untouched.
    """
    moved = 0
    for old_code, new_code in successor_map().items():
        moved += Household.objects.filter(hamlet=units[old_code]).update(hamlet=units[new_code])
    return moved
