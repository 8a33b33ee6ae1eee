"""Indicators by period (DESIGN.md, "Phased targets"): the unit responsible for an indicator
(统计局 for GDP …) enters its monthly or quarterly values; each indicator gets a light
against its 序时 target.

``IndicatorValue`` is the one record of a period's figure. ``Indicator.latest_value`` (and
the ``period_values`` the API has always shown) are kept in step by ``indicator_value_enter``
in the same transaction, so a task linked to an indicator (``Task.indicator``) reads the
indicator's latest value and the two can never disagree.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.models import User
from core import clock
from core.errors import NotPermitted
from projects.choices import Light
from supervision.choices import Comparison
from supervision.loop.models import EscalationPolicy, Indicator
from supervision.phases.models import PERIOD_PATTERN, IndicatorValue
from supervision.scorecards.measures import MONTHS, RATE_UNITS, period_end

HUNDRED = Decimal(100)
VALUE_LIMIT = Decimal(10) ** 12  # 16 digits, 4 after the point


def plain(value: Decimal) -> str:
    """``Decimal("200.0000")`` → ``"200"`` (never ``"2E+2"``)."""
    return format(value.normalize(), "f")


def can_enter_values(user: User, indicator: Indicator) -> bool:
    """The supervision office, or an owner of the indicator's responsible unit."""
    if not user.is_active:
        return False
    if user.is_supervisor:
        return True
    return bool(
        user.is_owner
        and indicator.department_id is not None
        and user.department_id == indicator.department_id
    )


def _sort_key(period: str) -> tuple[dt.date, bool]:
    # The later period wins; of two ending together (2024-03, 2024Q1) the quarter's.
    return period_end(period), "Q" in period


def check_period(period: str, indicator: Indicator, today: dt.date) -> str:
    """A well-formed period of the indicator's year that has begun by ``today``."""
    period = (period or "").strip()
    if not re.fullmatch(PERIOD_PATTERN, period):
        raise ValidationError({"period": "期别须为 2024-05（月）或 2024Q1（季度）格式。"})
    if int(period[:4]) != indicator.year:
        raise ValidationError({"period": f"期别须在指标年度 {indicator.year} 年内。"})
    if "Q" in period:
        start = dt.date(int(period[:4]), int(period[5]) * 3 - 2, 1)
    else:
        start = dt.date(int(period[:4]), int(period[5:7]), 1)
    if start > today:
        raise ValidationError({"period": f"{period} 尚未开始，不能填报。"})
    return period


@transaction.atomic
def indicator_value_enter(
    *, actor: User, indicator: Indicator | int, period: str, value: Decimal, note: str = ""
) -> tuple[IndicatorValue, bool]:
    """填报分期数值: create or correct the value of one period; returns (row, created).

    Audited (before/after); the indicator's latest value follows the latest period.
    """
    pk = indicator.pk if isinstance(indicator, Indicator) else indicator
    indicator = Indicator.objects.select_for_update().get(pk=pk)
    if not can_enter_values(actor, indicator):
        raise NotPermitted("只有督查办或该指标的责任单位可以填报分期数值。")
    period = check_period(period, indicator, clock.today())
    if value is None or not Decimal(value).is_finite() or abs(Decimal(value)) >= VALUE_LIMIT:
        raise ValidationError({"value": "数值无效。"})
    row = IndicatorValue.objects.filter(indicator=indicator, period=period).first()
    created = row is None
    before = None if created else audit.snapshot(row)
    row = row or IndicatorValue(indicator=indicator, period=period)
    row.value = Decimal(value)
    row.note = (note or "").strip()
    row.entered_by = actor
    row.entered_at = clock.now()
    row.full_clean()
    row.save()
    audit.record(
        actor=actor,
        action="create" if created else "update",
        instance=row,
        before=before,
        after=audit.snapshot(row),
    )
    _follow(indicator)
    return row, created


def _follow(indicator: Indicator) -> None:
    """Keep the indicator's latest value and period list in step with its rows."""
    rows = dict(indicator.values.values_list("period", "value"))
    latest = max(rows, key=_sort_key) if rows else None
    indicator.latest_value = rows[latest] if latest else None
    indicator.period_values = {
        period: plain(rows[period]) for period in sorted(rows, key=_sort_key)
    }
    indicator.save(update_fields=["latest_value", "period_values", "updated_at"])


# --- the light ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorLight:
    light: str | None  # ``Light`` value, None when it cannot be judged
    period: str | None  # the period judged
    value: Decimal | None
    sequential_target: Decimal | None  # 序时目标 at the end of that period
    behind: Decimal | None  # percentage points of the annual target behind 序时

    @property
    def label(self) -> str:
        return Light(self.light).label if self.light else "未判定"


def sequential_target(indicator, period: str) -> Decimal | None:
    """序时目标 at the end of ``period``: an ``at_least`` amount prorated by month (May → 5/12,
    Q1 → 3/12); a rate or level, or an ``at_most``/``about`` target as it stands."""
    target = indicator.target_value
    if target is None:
        return None
    if indicator.comparison == Comparison.AT_LEAST and (indicator.unit or "") not in RATE_UNITS:
        return target * Decimal(period_end(period).month) / MONTHS
    return target


def behind_points(indicator, value: Decimal, period: str) -> Decimal | None:
    """How far ``value`` falls short of the 序时 target, in percentage points of the annual
    target (0 when it meets it); None when it cannot be judged."""
    target = indicator.target_value
    comparison = indicator.comparison
    if target is None or value is None or not comparison or not target:
        return None
    seq = sequential_target(indicator, period)
    tolerance = indicator.tolerance or Decimal(0)
    if comparison == Comparison.AT_LEAST:
        gap = (seq - tolerance) - value
    elif comparison == Comparison.AT_MOST:
        gap = value - (target + tolerance)
    else:
        gap = abs(value - target) - tolerance
    return max(gap, Decimal(0)) * HUNDRED / abs(target)


def light_for(indicator, rows: dict[str, Decimal], policy: EscalationPolicy) -> IndicatorLight:
    """The light of ``indicator`` from its period values ``{period: value}``: red behind
    序时 by more than the policy's red gap, yellow by more than the yellow gap, else green;
    none without a number target or a value."""
    if not rows:
        return IndicatorLight(None, None, None, None, None)
    period = max(rows, key=_sort_key)
    value = rows[period]
    behind = behind_points(indicator, value, period)
    seq = sequential_target(indicator, period)
    if behind is None:
        return IndicatorLight(None, period, value, seq, None)
    if behind > policy.red_gap:
        light = Light.RED
    elif behind > policy.yellow_gap:
        light = Light.YELLOW
    else:
        light = Light.GREEN
    return IndicatorLight(light, period, value, seq, behind.quantize(Decimal("0.1")))


def indicator_lights(indicators, *, policy: EscalationPolicy | None = None) -> dict:
    """``{indicator id: IndicatorLight}`` for a list of indicators (one query for the values)."""
    policy = policy or EscalationPolicy.current()
    indicators = list(indicators)
    rows: dict[int, dict[str, Decimal]] = {i.pk: {} for i in indicators}
    values = IndicatorValue.objects.filter(indicator__in=[i.pk for i in indicators]).order_by()
    for indicator_id, period, value in values.values_list("indicator_id", "period", "value"):
        rows[indicator_id][period] = value
    return {i.pk: light_for(i, rows[i.pk], policy) for i in indicators}
