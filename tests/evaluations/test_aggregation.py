"""Aggregation per indicator type, held against an independent oracle (hypothesis): the pure rules,
and the grouped SQL of the roll-up over stored values."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluations.aggregation import aggregate, column_of, rate
from evaluations.models import IndicatorValue, Report
from evaluations.selectors import rollup_columns
from workflows.audit.models import Case

numbers = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
child_values = st.lists(st.one_of(st.none(), numbers), max_size=30)


def oracle(rule, values):
    """The rule, written from its definition with exact fractions."""
    given_numbers = [Fraction(v) for v in values if v is not None and not isinstance(v, bool)]
    if rule == "sum":
        return sum(given_numbers) if given_numbers else None
    if rule == "mean":
        return sum(given_numbers) / len(given_numbers) if given_numbers else None
    if rule == "count_true":
        return Fraction(len([v for v in values if v is True])) + sum(given_numbers)
    raise AssertionError(rule)


def cents(fraction):
    if fraction is None:
        return None
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@given(rule=st.sampled_from(["sum", "mean"]), values=child_values)
def test_sum_and_mean_match_the_oracle(rule, values):
    assert aggregate(rule, column_of(values)) == cents(oracle(rule, values))


@given(values=st.lists(st.one_of(st.none(), st.booleans()), max_size=40))
def test_count_true_counts_the_yes_answers(values):
    assert aggregate("count_true", column_of(values)) == len([v for v in values if v is True])


@given(numerator=st.one_of(st.none(), numbers), denominator=st.one_of(st.none(), numbers))
def test_rate_is_a_percentage_of_two_indicators_or_none(numerator, denominator):
    expected = None
    if numerator is not None and denominator:
        expected = cents(Fraction(100) * Fraction(numerator) / Fraction(denominator))
    assert rate(numerator, denominator) == expected


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.none(), numbers), min_size=1, max_size=12),
       flags=st.lists(st.one_of(st.none(), st.booleans()), min_size=1, max_size=12))
def test_the_grouped_sql_roll_up_matches_the_oracle(front, values, flags):
    reports = []
    cases = Case.objects.bulk_create([Case(kind="evaluation_report") for _ in range(max(len(values), len(flags)))])
    for i, case in enumerate(cases):
        reports.append(Report(case=case, scheme_id=front.scheme_pk, unit=front.hamlet, unit_path=front.hamlet.path,
                              level="hamlet", year=1000 + i, period="year", due_on="2021-01-01"))
    Report.objects.bulk_create(reports)
    rows = [IndicatorValue(report=r, code="n", number=v) for r, v in zip(reports, values)]
    rows += [IndicatorValue(report=r, code="b", boolean=b) for r, b in zip(reports, flags)]
    IndicatorValue.objects.bulk_create(rows)
    columns = rollup_columns(Report.objects.filter(pk__in=[r.pk for r in reports]))
    assert aggregate("sum", columns["n"]) == cents(oracle("sum", values))
    assert aggregate("mean", columns["n"]) == cents(oracle("mean", values))
    assert aggregate("count_true", columns["b"]) == oracle("count_true", flags)
    Report.objects.filter(pk__in=[r.pk for r in reports]).delete()
