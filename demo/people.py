"""Deterministic Vietnamese households: the same seed gives the same names on every machine."""

import random

from directory.models import Household, UnitKind

from .geography import old_hamlet_codes

SEED = 20210701

# Weighted roughly by their national frequency.
SURNAMES = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 3), ("Phan", 4),
    ("Vũ", 3), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 1), ("Dương", 1),
    ("Lý", 1), ("Đinh", 1), ("Trịnh", 1), ("Mai", 1), ("Lương", 1),
)
MALE_MIDDLE = ("Văn", "Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Ngọc", "Đình")
FEMALE_MIDDLE = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Thanh", "Mỹ", "Hồng", "Bích")
MALE_GIVEN = (
    "Hùng", "Dũng", "Tuấn", "Nam", "Long", "Phúc", "Hải", "Sơn", "Thắng", "Cường", "Bình", "Toàn", "Hòa",
    "Tâm", "Trung", "Thành", "Khánh", "Lâm", "Quý", "Tài", "Đạt", "Hiếu", "Hưng", "Lợi", "Phong", "Vinh",
    "Thịnh", "Lộc", "Nghĩa", "Tùng", "Quân", "Định", "Thuận", "Giang", "Hoàng", "Kiên",
)
FEMALE_GIVEN = (
    "Lan", "Hoa", "Hương", "Mai", "Hạnh", "Hằng", "Thảo", "Nga", "Thủy", "Loan", "Tuyết", "Yến", "Oanh",
    "Nhung", "Liên", "Dung", "Huệ", "Xuân", "Trang", "Phượng", "Vân", "Ánh", "Hiền", "Lệ",
)
MOBILE_PREFIXES = (
    "090", "091", "093", "094", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038",
    "039", "070", "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "088", "089",
)
MEMBER_WEIGHTS = ((1, 4), (2, 10), (3, 20), (4, 28), (5, 20), (6, 11), (7, 5), (8, 2))

# Urban quarters of the township are far larger than rural hamlets.
HOUSEHOLDS_PER_HAMLET = {UnitKind.KHU_PHO: (75, 90), UnitKind.AP: (45, 65)}


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def person_name(rng):
    surname = _weighted(rng, SURNAMES)
    if rng.random() < 0.72:  # most registered heads of household are men
        return f"{surname} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
    return f"{surname} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"


def phone(rng):
    if rng.random() < 0.08:
        return ""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def household_rows():
    """(old hamlet code, code, head, address, members, phone) for every demo household."""
    rng = random.Random(SEED)
    for commune, number, hamlet_code in old_hamlet_codes():
        low, high = HOUSEHOLDS_PER_HAMLET[commune.hamlet_kind]
        count = rng.randint(low, high)
        groups = max(4, count // 15)  # a "tổ" (residential group) is about 15 households
        hamlet_label = f"{'khu phố' if commune.hamlet_kind == UnitKind.KHU_PHO else 'ấp'} {commune.hamlets[number - 1]}"
        for index in range(1, count + 1):
            group = 1 + (index - 1) * groups // count
            house = rng.randint(1, 420)
            yield (
                hamlet_code, f"HH-{commune.slug}-{number:02d}-{index:03d}", person_name(rng),
                f"Số {house}, tổ {group}, {hamlet_label}", _weighted(rng, MEMBER_WEIGHTS), phone(rng),
            )


def ensure_households(units):
    """Create the demo households that do not exist yet, in their 2019 hamlets.

    Households already present (by code) are left where they are: after the
    first run they live in the 2025 hamlets.
    """
    rows = list(household_rows())
    existing = set(Household.objects.filter(code__in=[r[1] for r in rows]).values_list("code", flat=True))
    missing = [
        Household(hamlet=units[hamlet_code], code=code, head_name=head, address=address, members=members,
                  phone=tel)
        for hamlet_code, code, head, address, members, tel in rows
        if code not in existing
    ]
    Household.objects.bulk_create(missing, batch_size=500)
    return len(missing)
