"""Judging a figure against a quantitative target, and checking a target against its baseline.

One rule (``supervision.choices.Comparison``'s docstring says what each direction means),
in Python for one object and as a database expression for lists, so the light of a task,
a node or an indicator is computed the same way everywhere.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Abs, Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from supervision.choices import Comparison

ZERO = Decimal(0)


def meets(comparison: str, target: Decimal, value: Decimal, tolerance: Decimal | None = None):
    """Whether ``value`` meets ``target`` in the given direction; ``None`` if it cannot be judged
    (no target, no value or no direction)."""
    if target is None or value is None or not comparison:
        return None
    slack = tolerance or ZERO
    if comparison == Comparison.AT_LEAST:
        return value >= target - slack
    if comparison == Comparison.AT_MOST:
        return value <= target + slack
    if comparison == Comparison.ABOUT:
        return abs(value - target) <= slack
    raise ValueError(f"unknown comparison {comparison!r}")


def meets_expression(value, *, target="target_value", comparison="comparison", tolerance=None):
    """``meets`` as a database expression (True, False, or NULL when it cannot be judged).

    ``value`` is a field name or an expression; ``target``, ``comparison`` and ``tolerance``
    name the fields holding them (``tolerance=None``: no slack).
    """
    value = F(value) if isinstance(value, str) else value
    target = F(target)
    slack = Coalesce(F(tolerance), Value(ZERO)) if tolerance else Value(ZERO)
    known = Q(**{f"{comparison}__in": Comparison.values})
    return Case(
        When(~known, then=Value(None)),
        When(
            Q(**{comparison: Comparison.AT_LEAST}),
            then=GreaterThanOrEqual(value, target - slack),
        ),
        When(Q(**{comparison: Comparison.AT_MOST}), then=LessThanOrEqual(value, target + slack)),
        default=LessThanOrEqual(Abs(value - target), slack),
    )


def target_constraints(value: str, comparison: str, tolerance: str) -> list[models.CheckConstraint]:
    """A number has a direction; ``about`` has a tolerance; a tolerance is not negative."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{comparison}__in": [*Comparison.values, ""]}),
            name=f"%(app_label)s_%(class)s_{comparison}_valid",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{value}__isnull": True}) | ~Q(**{comparison: ""}),
            name=f"%(app_label)s_%(class)s_{value}_has_comparison",
            violation_error_message="量化目标须注明目标方向（不低于/不高于/左右）。",
        ),
        models.CheckConstraint(
            condition=~Q(**{comparison: Comparison.ABOUT}) | Q(**{f"{tolerance}__isnull": False}),
            name=f"%(app_label)s_%(class)s_about_has_{tolerance}",
            violation_error_message="“左右”目标须注明允许偏差。",
        ),
        models.CheckConstraint(
            condition=Q(**{f"{tolerance}__isnull": True}) | Q(**{f"{tolerance}__gte": 0}),
            name=f"%(app_label)s_%(class)s_{tolerance}_not_negative",
            violation_error_message="允许偏差不能为负数。",
        ),
    ]


# --- baselines ----------------------------------------------------------------------------


def _half_unit(number: Decimal) -> Decimal:
    """Half a unit of the last digit a figure is given to: 22.2 → 0.05, 9200 → 50, 8477 → 0.5."""
    exponent = number.normalize().as_tuple().exponent
    return Decimal(5) * Decimal(10) ** (exponent - 1)


def implied_growth(target: Decimal, baseline: Decimal) -> tuple[Decimal, Decimal]:
    """The growth (%) that a level target implies over its baseline, as the range the two
    rounded figures allow: ``9200`` (±50) over ``8477`` (±0.5) is 7.93 %–9.13 %."""
    if baseline is None or target is None or baseline <= 0:
        raise ValueError("a growth needs a positive baseline and a target")
    t, b = _half_unit(target), _half_unit(baseline)
    low = ((target - t) / (baseline + b) - 1) * 100
    high = ((target + t) / (baseline - b) - 1) * 100
    return low.quantize(Decimal("0.01")), high.quantize(Decimal("0.01"))


def growth_contradiction(level, growth) -> str | None:
    """Why a growth target (``growth``, unit %) does not follow from its level target
    (``level``: target and 2023 baseline in one unit), or ``None`` when they agree or
    cannot be compared. Both are indicator-like (``target_value``, ``baseline``,
    ``comparison``, ``tolerance``, ``unit``, ``name``)."""
    if level.target_value is None or level.baseline is None or growth.target_value is None:
        return None
    if level.baseline <= 0 or not growth.comparison:
        return None
    low, high = implied_growth(level.target_value, level.baseline)
    stated, slack = growth.target_value, growth.tolerance or ZERO
    if growth.comparison == Comparison.AT_LEAST:
        agrees = high >= stated - slack
    elif growth.comparison == Comparison.AT_MOST:
        agrees = low <= stated + slack
    else:
        agrees = high >= stated - slack and low <= stated + slack
    if agrees:
        return None
    return (
        f"{level.name}目标 {level.target_value.normalize():f}{level.unit} 比 2023 年实绩 "
        f"{level.baseline.normalize():f}{level.unit} 增长 {low}%–{high}%，与“{growth.name}"
        f"{growth.get_comparison_display()} {stated.normalize():f}%”不符"
    )
