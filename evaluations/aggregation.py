"""How a report's indicator is obtained from the reports below, per the scheme's aggregation rule.

Plain functions on plain values, so that the property tests can hold them against an independent
oracle and the selectors can feed them what one grouped SQL query returns:

- "sum": the sum of the units' numbers (a unit that left it empty adds nothing);
- "mean": the mean of the numbers given (empty ones are not counted), to two decimals;
- "count_true": how many units answered yes (a hamlet's yes/no), or the sum of the counts of the
  level below (a commune's number of cultural hamlets, summed by the district);
- "rate": 100 × numerator / denominator, two indicators of the same report, to two decimals; none
  when the denominator is zero or either is missing;
- "own": entered by the unit itself, never aggregated; "engine": computed from the register.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
AGGREGATED = ("sum", "mean", "count_true")


@dataclass(frozen=True)
class Column:
    """What the reports below hold for one indicator, as one grouped query returns it."""

    total: Decimal | None = None  # sum of the numbers given
    numbers: int = 0  # how many numbers were given
    trues: int = 0  # how many yes


def quantize(value):
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def aggregate(rule, column):
    """The value of an indicator whose rule is `rule`, from the reports below (`column`)."""
    if rule == "sum":
        return quantize(column.total) if column.numbers else None
    if rule == "mean":
        return quantize(Decimal(column.total) / column.numbers) if column.numbers else None
    if rule == "count_true":
        return Decimal(column.trues) + (quantize(column.total) if column.numbers else 0)
    raise ValueError(f"{rule} is not an aggregation of the reports below")


def rate(numerator, denominator):
    if numerator is None or denominator is None or Decimal(denominator) == 0:
        return None
    return quantize(Decimal(100) * Decimal(numerator) / Decimal(denominator))


def column_of(values):
    """The Column of a list of child values (numbers, booleans or None): what SQL would group."""
    numbers = [Decimal(v) for v in values if v is not None and not isinstance(v, bool)]
    return Column(total=sum(numbers, Decimal(0)) if numbers else None, numbers=len(numbers),
                  trues=sum(1 for v in values if v is True))


def behind(indicator, actual, target):
    """Whether `actual` falls short of `target` in the indicator's good direction."""
    if actual is None:
        return target is not None
    if target is None:
        return False
    return actual > target if indicator.get("better") == "lower" else actual < target
