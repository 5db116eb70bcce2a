"""The certificates of merit as shipped data: which rule set governs which year, and what it says."""

import datetime
from decimal import Decimal

import pytest

from directory.models import Level
from titles.merit import MeritRules, merit_titles_counting, rules_for
from titles.models import RuleSet, TitleType
from workflows import services
from workflows.selectors import rounds_to_open
from workflows.services import RuleViolation

pytestmark = pytest.mark.django_db

FAMILY_MERIT, HAMLET_MERIT = "giay-khen-gia-dinh-van-hoa", "giay-khen-ap-van-hoa"


def title(code):
    return TitleType.objects.get(code=code)


def test_each_merit_title_counts_a_title_of_its_own_subject_kind():
    for rule_set in RuleSet.objects.filter(title_type__code__in=[FAMILY_MERIT, HAMLET_MERIT]):
        rules = MeritRules.of(rule_set)
        base = TitleType.objects.get(code=rules.base_title)
        assert base.subject_kind == rule_set.title_type.subject_kind
        assert rules.basis["window"] and rules.basis["no_overlap"] and rules.basis["cap"]
        assert rule_set.legal_basis
        if not rules.in_force:
            assert rule_set.unconfirmed, f"{rule_set.code} is not in force and says nothing of why"
    assert merit_titles_counting(title("gia-dinh-van-hoa")) == [title(FAMILY_MERIT)]
    assert merit_titles_counting(title("ap-khu-pho-van-hoa")) == [title(HAMLET_MERIT)]
    assert merit_titles_counting(title(FAMILY_MERIT)) == []


@pytest.mark.parametrize("code, year, rule_set, in_force, window, deciding, council", [
    (FAMILY_MERIT, 2019, "gkgd-nd122-2018", True, 3, Level.COMMUNE, False),
    (FAMILY_MERIT, 2023, "gkgd-nd122-2018", True, 3, Level.COMMUNE, False),
    (FAMILY_MERIT, 2024, "gkgd-tinh-2024", False, 3, Level.COMMUNE, False),
    (FAMILY_MERIT, 2026, "gkgd-tinh-2024", False, 3, Level.COMMUNE, False),
    (HAMLET_MERIT, 2023, "gkap-nd122-2018", True, 5, Level.DISTRICT, True),
    (HAMLET_MERIT, 2024, "gkap-tinh-2024", False, 5, Level.DISTRICT, True),
    (HAMLET_MERIT, 2025, "gkap-tinh-2025-hai-cap", False, 5, Level.COMMUNE, False),
])
def test_the_boundary_years_fall_under_the_law_of_their_year(code, year, rule_set, in_force, window, deciding,
                                                              council):
    rules, shown_in_force, why_not = rules_for(title(code), year)
    assert rules.rule_set.code == rule_set
    assert shown_in_force is in_force
    assert rules.window_years == window and rules.cap_pct == Decimal(15)
    assert rules.rule_set.deciding_level == deciding
    assert bool(rules.council) is council
    assert rules.cap_rounding == "down" and rules.cap_at_least_one
    assert rules.tie_break == ("agree_share", "registered_on", "code")
    if in_force:
        assert why_not is None
    else:
        assert f"No certificate-of-merit rule set is in force for {year}" in why_not
        assert "awaits the province's confirmation" in why_not


def test_a_year_no_rule_set_covers_is_told_with_the_nearest_rules():
    rules, in_force, why_not = rules_for(title(FAMILY_MERIT), 2016)
    assert not in_force and rules.rule_set.code == "gkgd-nd122-2018"
    assert why_not.startswith("No certificate-of-merit rule set is in force for 2016")


def test_the_rule_description_says_how_the_cap_rounds_and_ties_break():
    rules, _, _ = rules_for(title(HAMLET_MERIT), 2021)
    lines = rules.description("Ấp, khu phố văn hóa")
    assert lines[0].startswith("Counts Ấp, khu phố văn hóa: 5 consecutive years")
    assert "At most 15% of the eligible, ranked by agree votes at the review meeting; the number is rounded down." \
           " At least one where anyone is eligible." in lines
    assert ("Ties at the cut-off are broken by the share of agree votes among the votes cast, the earlier "
            "registration, the code, in that order.") in lines
    assert "Hội đồng Thi đua – Khen thưởng huyện meets before the decision." in lines


def test_a_merit_round_opens_from_its_list_not_with_the_yearly_titles(district, hamlet_head):
    """The inbox's open-round form offers the yearly titles only; a merit round opens from the
    eligible list, and only for a year whose rule set is in force (2023, not 2024)."""
    offered = [t.code for t, units in rounds_to_open(hamlet_head)]
    assert offered == ["gia-dinh-van-hoa"]
    dossier = services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=title(FAMILY_MERIT), year=2023,
                                  opened_on=datetime.date(2023, 12, 1))
    assert dossier.rule_set.code == "gkgd-nd122-2018"
    with pytest.raises(RuleViolation, match="No certificate-of-merit rule set is in force for 2024: .* awaits the "
                                            "province's confirmation"):
        services.open_round(actor=hamlet_head, unit=district.hamlet, title_type=title(FAMILY_MERIT), year=2024,
                            opened_on=datetime.date(2024, 12, 1))
