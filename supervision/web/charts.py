"""Figures for the small inline SVG/CSS charts (no chart library, no JavaScript)."""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from projects.choices import Light
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


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str


def schedule_chart(
    *,
    start: dt.date,
    end: dt.date,
    target: Decimal,
    nodes: list[tuple[dt.date, Decimal]],
    values: list[tuple[dt.date, Decimal]],
    today: dt.date,
    width: int = 600,
    height: int = 180,
) -> dict | None:
    """The 序时 curve (0 on ``start``, the node targets, ``target`` on ``end``) against the
    reported cumulative ``values``, as SVG coordinates (inline SVG: attributes only, no style).
    """
    if not target or end <= start:
        return None
    pad = 28
    days = (end - start).days
    top = max([target, *(v for _, v in values), *(v for _, v in nodes)])

    def point(day: dt.date, value: Decimal, label: str) -> Point:
        share = min(max((day - start).days / days, 0), 1)
        return Point(
            x=round(pad + share * (width - 2 * pad), 1),
            y=round(height - pad - float(value / top) * (height - 2 * pad), 1),
            label=label,
        )

    curve = [point(start, Decimal(0), f"{start:%m-%d} 0")]
    for day, value in sorted(nodes):
        if start < day < end:
            curve.append(point(day, value, f"{day:%m-%d} 序时目标 {value.normalize():f}"))
    curve.append(point(end, target, f"{end:%m-%d} 目标 {target.normalize():f}"))
    dots = [point(day, value, f"{day:%m-%d} 报送 {value.normalize():f}") for day, value in values]
    return {
        "width": width,
        "height": height,
        "curve": curve,
        "polyline": " ".join(f"{p.x},{p.y}" for p in curve),
        "dots": dots,
        "today": point(today, Decimal(0), f"今天 {today:%m-%d}"),
        "base": height - pad,
        "top_label": top.normalize(),
    }


# --- Apache ECharts options (rendered by web/charts.js from a json_script block) ----------

LIGHT_COLORS = {Light.GREEN: "#2e9d5b", Light.YELLOW: "#e2a400", Light.RED: "#d64541"}
TOOLTIP = {"trigger": "axis", "renderMode": "richText"}  # no HTML: the pages run under a CSP


def _number(value) -> float | None:
    return None if value is None else float(value)


def investment_option(chart: dict) -> dict:
    """Monthly investment (bars) against the even monthly plan, and the cumulative
    completion rate against 序时进度 (lines, right axis), from ``monthly_investment``."""
    bars = chart["bars"]
    return {
        "tooltip": TOOLTIP,
        "legend": {"top": 0},
        "grid": {"left": 60, "right": 48, "top": 40, "bottom": 28},
        "xAxis": {"type": "category", "data": [f"{bar.month}月" for bar in bars]},
        "yAxis": [
            {"type": "value", "name": "万元"},
            {"type": "value", "name": "%", "max": 100, "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": "当月完成投资",
                "type": "bar",
                "itemStyle": {"color": "#2f6fd1"},
                "data": [_number(bar.amount) for bar in bars],
            },
            {
                "name": "月均计划",
                "type": "line",
                "symbol": "none",
                "lineStyle": {"type": "dashed", "color": "#8a94a6"},
                "itemStyle": {"color": "#8a94a6"},
                "data": [_number(chart["plan"]) for _ in bars],
            },
            {
                "name": "累计完成率",
                "type": "line",
                "yAxisIndex": 1,
                "itemStyle": {"color": "#d64541"},
                "data": [None if bar.future else _number(bar.cumulative_rate) for bar in bars],
            },
            {
                "name": "序时进度",
                "type": "line",
                "yAxisIndex": 1,
                "symbol": "none",
                "lineStyle": {"type": "dotted"},
                "itemStyle": {"color": "#1d3b6a"},
                "data": [_number(bar.time_progress) for bar in bars],
            },
        ],
    }


def lights_by_unit_option(rows: list[dict]) -> dict:
    """Open tasks of each unit by light (stacked horizontal bars, most red on top)."""
    units = [row["label"] for row in reversed(rows)]
    return {
        "tooltip": {**TOOLTIP, "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 96, "right": 24, "top": 36, "bottom": 24},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": units},
        "series": [
            {
                "name": light.label,
                "type": "bar",
                "stack": "lights",
                "itemStyle": {"color": LIGHT_COLORS[light]},
                "data": [row[light] for row in reversed(rows)],
            }
            for light in (Light.RED, Light.YELLOW, Light.GREEN)
        ],
    }


def ranking_trend_option(periods: list[str], lines: dict[str, list[int | None]]) -> dict:
    """Each unit's place per published quarter (1 on top)."""
    return {
        "tooltip": TOOLTIP,
        "legend": {"top": 0, "type": "scroll"},
        "grid": {"left": 40, "right": 24, "top": 40, "bottom": 28},
        "xAxis": {"type": "category", "data": periods},
        "yAxis": {"type": "value", "inverse": True, "min": 1, "minInterval": 1, "name": "名次"},
        "series": [
            {"name": name, "type": "line", "data": places, "connectNulls": True}
            for name, places in lines.items()
        ],
    }


def indicator_option(*, name: str, unit: str, values: list[tuple[str, object]], target) -> dict:
    """An indicator's period values (line) against its annual target (dashed line)."""
    periods = [period for period, _ in values]
    series = [{"name": name, "type": "line", "data": [_number(v) for _, v in values]}]
    if target is not None:
        series.append(
            {
                "name": "目标",
                "type": "line",
                "symbol": "none",
                "lineStyle": {"type": "dashed", "color": "#d64541"},
                "itemStyle": {"color": "#d64541"},
                "data": [_number(target) for _ in periods],
            }
        )
    return {
        "tooltip": TOOLTIP,
        "legend": {"top": 0},
        "grid": {"left": 56, "right": 24, "top": 40, "bottom": 28},
        "xAxis": {"type": "category", "data": periods},
        "yAxis": {"type": "value", "name": unit, "scale": True},
        "series": series,
    }
