"""Figures for the small inline SVG/CSS charts (no chart library, no JavaScript)."""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from projects.querysets import year_time_progress

MONTHS = range(1, 13)


@dataclass(frozen=True)
class MonthBar:
    month: int
    amount: Decimal | None  # None: not filed (past month) or not due yet
    plan: Decimal
    cumulative: Decimal
    cumulative_plan: Decimal  # the annual plan × 序时进度 at the month's end
    height: float  # bar height, % of the chart
    cumulative_rate: Decimal | None
    time_progress: Decimal
    future: bool


def monthly_investment(
    *, year: int, annual_plan: Decimal, amounts: dict[int, Decimal], today: dt.date
) -> dict:
    """Bars per month (amount filed) against the even monthly plan, and the cumulative
    completion rate against 序时进度 at each month's end."""
    plan = (annual_plan / 12).quantize(Decimal("0.01")) if annual_plan else Decimal(0)
    top = max([plan, *amounts.values()], default=Decimal(0)) or Decimal(1)
    cumulative = Decimal(0)
    bars = []
    for month in MONTHS:
        month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
        amount = amounts.get(month)
        cumulative += amount or 0
        progress = year_time_progress(year, month_end)
        bars.append(
            MonthBar(
                month=month,
                amount=amount,
                plan=plan,
                cumulative=cumulative,
                cumulative_plan=(annual_plan * progress / 100).quantize(Decimal("0.01")),
                height=float((amount or 0) * 100 / top),
                cumulative_rate=(cumulative * 100 / annual_plan).quantize(Decimal("0.1"))
                if annual_plan
                else None,
                time_progress=progress,
                future=dt.date(year, month, 1) > today,
            )
        )
    return {"bars": bars, "plan": plan, "plan_height": float(plan * 100 / top), "top": top}
