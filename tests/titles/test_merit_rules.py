"""The streak and overlap rules of the certificates of merit, and the cap, on plain values.

`titles.merit.judge` walks the window year by year; the oracle below answers the same
questions with set arithmetic over random award histories (gaps, revocations, earlier and
later certificates, revoked certificates), so a slip in either shows as a disagreement.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from titles.merit import (ADMIT_ALL_TIED, Ballot, MeritRules, MeritRulesError, MeritWindow, TitleYear, cap_for,
                          cap_refusal, judge, rank_within_cap)

PROPERTY_SETTINGS = settings(max_examples=400, deadline=None, derandomize=True)
YEARS = range(2012, 2031)


@st.composite
def histories(draw):
    """A subject's register: each year absent, held or held-then-revoked; certificates of merit
    (some revoked) with windows of 3 or 5 years ending anywhere; and the year and window judged."""
    status = {year: draw(st.sampled_from(["none", "held", "held", "held", "revoked"])) for year in YEARS}
    titles = [TitleYear(year, f"{year}/QĐ", datetime.date(year + 1, 3, 1) if state == "revoked" else None)
              for year, state in status.items() if state != "none"]
    merits = []
    for _ in range(draw(st.integers(0, 3))):
        length, last = draw(st.sampled_from([3, 5])), draw(st.sampled_from(YEARS))
        revoked = draw(st.booleans()) and draw(st.booleans())
        merits.append(MeritWindow(last - length + 1, last, f"GK-{last}",
                                  datetime.date(last + 1, 6, 1) if revoked else None))
    year = draw(st.integers(2016, 2030))
    window = draw(st.integers(1, 6))
    return titles, merits, year, window


def oracle(titles, merits, year, window):
    """(eligible, streak years, gap years, revoked years, overlapping certificates) by sets."""
    wanted = set(range(year - window + 1, year + 1))
    good = {t.year for t in titles if t.revoked_on is None}
    anything = {t.year for t in titles}
    gaps = wanted - anything
    revoked = wanted & (anything - good)
    overlapping = {(m.first, m.last) for m in merits
                   if m.revoked_on is None and wanted & set(range(m.first, m.last + 1))}
    length = max(k for k in range(0, 40) if set(range(year - k + 1, year + 1)) <= good)
    return not gaps and not revoked and not overlapping, set(range(year - length + 1, year + 1)), gaps, revoked, \
        overlapping


@PROPERTY_SETTINGS
@given(histories())
def test_the_rule_agrees_with_the_oracle(history):
    titles, merits, year, window = history
    got = judge(titles, merits, year, window)
    eligible, streak, gaps, revoked, overlapping = oracle(titles, merits, year, window)
    assert got.eligible == eligible
    assert {t.year for t in got.streak} == streak
    assert [t.year for t in got.streak] == sorted(streak)
    assert {y for e in got.exclusions if e.code == "gap" for y in e.years} == gaps
    assert {e.years[0] for e in got.exclusions if e.code == "revoked"} == revoked
    assert {e.years for e in got.exclusions if e.code == "overlap"} == overlapping
    # One gap line at most (it lists the years), one line per revoked year and per certificate.
    assert sum(e.code == "gap" for e in got.exclusions) == (1 if gaps else 0)
    if eligible:
        assert len(got.streak) >= window and got.streak[-1].year == year


@PROPERTY_SETTINGS
@given(st.integers(2016, 2028), st.integers(1, 6))
def test_a_certificate_blocks_its_window_and_the_next_one_starts_after_it(year, window):
    """Ministry answer of 24/11/2023: certified for 2020–2022, nothing for 2021–2023 or 2022–2024;
    2023–2025 again. Shown on a subject holding the title every year."""
    titles = [TitleYear(y) for y in range(year - 2 * window, year + 2 * window + 1)]
    certificate = [MeritWindow(year - window + 1, year)]
    assert judge(titles, [], year, window).eligible
    for later in range(year, year + window):
        result = judge(titles, certificate, later, window)
        assert not result.eligible
        assert [e.code for e in result.exclusions] == ["overlap"]
    assert judge(titles, certificate, year + window, window).eligible
    # Nor can an earlier window overlap a later certificate.
    assert judge(titles, certificate, year - 1, window).eligible == (window == 1)


def test_the_reasons_name_the_years_and_the_decisions():
    titles = [TitleYear(2019, "12/QĐ-UBND"), TitleYear(2020, "30/QĐ-UBND", datetime.date(2021, 5, 4)),
              TitleYear(2022, "41/QĐ-UBND")]
    result = judge(titles, [MeritWindow(2018, 2020, "5/QĐ-UBND")], 2022, 3)
    assert [e.message for e in result.exclusions] == [
        "the title of 2020 was revoked on 04/05/2021 (decision 30/QĐ-UBND)",
        "a gap in 2021: no title that year",
        "overlaps the 2018–2020 certificate of merit (decision 5/QĐ-UBND)",
    ]
    assert [t.year for t in result.streak] == [2022]
    assert judge([], [], 2021, 3).exclusions[0].message == "gaps in 2019, 2020, 2021: no title those years"


def test_a_revoked_certificate_blocks_nothing_and_overlap_can_be_switched_off():
    titles = [TitleYear(y) for y in range(2018, 2024)]
    assert judge(titles, [MeritWindow(2018, 2020, "1", datetime.date(2021, 1, 1))], 2021, 3).eligible
    assert judge(titles, [MeritWindow(2018, 2020, "1")], 2021, 3, no_overlap=False).eligible


# ---------------------------------------------------------------- the cap

def rules(pct="15", rounding="down", at_least_one=True, tie_break=None):
    rule_set = SimpleNamespace(code="test", consecutive_years=3, cap_pct=Decimal(pct), merit={
        "base_title": "gia-dinh-van-hoa", "cap_rounding": rounding, "cap_at_least_one": at_least_one,
        **({"tie_break": tie_break} if tie_break else {})})
    return MeritRules.of(rule_set)


def test_the_cap_rounds_as_the_rule_set_says():
    assert cap_for(21, 15) == 3  # 3.15, rounded down
    assert cap_for(20, 15) == 3
    assert cap_for(19, 15) == 2  # 2.85
    assert cap_for(21, 15, "up") == 4
    assert cap_for(10, 15, "half_up") == 2  # 1.5
    assert cap_for(9, 15, "half_up") == 1  # 1.35
    # At least one where anyone is eligible, unless the data says otherwise; never more than all.
    assert cap_for(1, 15) == 1 and cap_for(6, 15) == 1
    assert cap_for(6, 15, at_least_one=False) == 0
    assert cap_for(0, 15) == 0
    assert cap_for(2, 100, "up") == 2
    assert rules().cap(21) == 3 and rules(rounding="up").cap(21) == 4


def test_the_cap_refusal_names_the_numbers():
    assert cap_refusal(4, 21, rules()) == "4 proposed, the cap is 3 of 21 eligible (15%)."
    assert cap_refusal(3, 21, rules()) is None
    assert cap_refusal(2, 10, rules(pct="12.5")) == "2 proposed, the cap is 1 of 10 eligible (12.5%)."


def ballot(key, votes_for, votes_against=0, day=1, code=None):
    return Ballot(key, votes_for, votes_against, datetime.date(2021, 3, day), code or key)


def test_ties_at_the_cut_off_are_broken_in_the_rule_sets_order():
    ballots = [ballot("A", 30), ballot("B", 28, 2, day=5), ballot("C", 28, 0, day=9), ballot("D", 28, 0, day=3),
               ballot("E", 20)]
    result = rank_within_cap(ballots, 3)
    # 28 votes each for B, C, D: C and D had no vote against (a larger share), D registered first.
    assert result.admitted == ("A", "D", "C")
    assert result.left_out == ("B", "E")
    assert set(result.tied_at_cut) == {"B", "C", "D"}
    # Registration first, then the code.
    assert rank_within_cap(ballots, 3, ["registered_on", "code"]).admitted == ("A", "D", "B")
    assert rank_within_cap([ballot("Y", 28), ballot("X", 28)], 1, ["code"]).admitted == ("X",)


def test_admit_all_tied_goes_past_the_cap_where_the_data_says_so():
    ballots = [ballot("A", 30), ballot("B", 28), ballot("C", 28), ballot("D", 28), ballot("E", 20)]
    result = rank_within_cap(ballots, 3, [ADMIT_ALL_TIED])
    assert set(result.admitted) == {"A", "B", "C", "D"} and result.left_out == ("E",)
    # No tie at the cut: exactly the cap.
    assert rank_within_cap(ballots, 4, [ADMIT_ALL_TIED]).admitted[-1] in {"B", "C", "D"}
    assert len(rank_within_cap(ballots, 4, [ADMIT_ALL_TIED]).admitted) == 4
    assert rank_within_cap(ballots, 4, [ADMIT_ALL_TIED]).tied_at_cut == ()


def test_fewer_ballots_than_the_cap_are_all_admitted():
    assert rank_within_cap([ballot("A", 3)], 3).admitted == ("A",)
    assert rank_within_cap([], 3).admitted == ()
    assert rank_within_cap([ballot("A", 3)], 0).left_out == ("A",)


def test_rule_set_data_the_engine_cannot_apply_is_refused():
    with pytest.raises(MeritRulesError):
        rules(rounding="sideways")
    with pytest.raises(MeritRulesError):
        rules(tie_break=["admit_all_tied", "code"])
    with pytest.raises(MeritRulesError):
        MeritRules.of(SimpleNamespace(code="x", consecutive_years=3, cap_pct=15, merit={}))
