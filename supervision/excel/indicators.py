"""指标分期表: the year's indicators with every month and quarter entered, the 序时 target
of the latest period and the light — the same ledger layout as the 督办台账."""

import datetime as dt
from typing import IO

from supervision.excel.exports import PERCENT, Column, _light, write_ledger
from supervision.phases.indicators import indicator_lights


def _periods(year: int) -> list[str]:
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    return [*months[:3], f"{year}Q1", *months[3:6], f"{year}Q2", *months[6:9], f"{year}Q3",
            *months[9:], f"{year}Q4"]  # fmt: skip


def indicator_columns(year: int, lights: dict) -> list[Column]:
    def period(label):
        return Column(label, 9, lambda i: i.rows.get(label))

    return [
        Column("编号", 10, lambda i: i.code),
        Column("指标名称", 30, lambda i: i.name, wrap=True),
        Column("报表类别", 8, lambda i: i.get_domain_display()),
        Column("责任单位", 18, lambda i: i.department.name if i.department else "", wrap=True),
        Column("目标方向", 7, lambda i: i.get_comparison_display() if i.comparison else ""),
        Column("年度目标", 10, lambda i: i.target_value),
        Column("单位", 7, lambda i: i.unit),
        *[period(label) for label in _periods(year)],
        Column("序时目标", 10, lambda i: lights[i.pk].sequential_target, PERCENT),
        Column("落后序时（百分点）", 10, lambda i: lights[i.pk].behind),
        Column("亮灯", 7, lambda i: _light(lights[i.pk].light)),
    ]


def export_indicators(indicators, *, year: int, today: dt.date, out: IO[bytes]) -> int:
    """``indicators``: the year's indicators (a queryset; values are read in one query)."""
    rows = list(indicators.select_related("department").prefetch_related("values"))
    for indicator in rows:
        indicator.rows = {v.period: v.value for v in indicator.values.all()}
    lights = indicator_lights(rows)
    title = f"{year} 年预期指标分期完成情况表（截至 {today:%Y-%m-%d}，共 {len(rows)} 项）"
    return write_ledger(
        out,
        sheet="指标分期表",
        title=title,
        columns=indicator_columns(year, lights),
        objects=rows,
    )
