"""激励问责台账: one row per 通报表扬/批评, 约谈, 问责移送 or 最佳实践, through ``write_ledger``
(every text cell formula-safe, see ``supervision.excel.cells``)."""

from typing import IO

from supervision.excel.exports import DATE, Column, _local, write_ledger


def intervention_columns() -> list[Column]:
    return [
        Column("日期", 12, lambda i: i.occurred_on, DATE),
        Column("类型", 10, lambda i: i.get_type_display()),
        Column("单位", 20, lambda i: i.department.name, wrap=True),
        Column("季度", 8, lambda i: i.period),
        Column("事项", 30, lambda i: f"{i.task.code} {i.task.title}" if i.task else "", wrap=True),
        Column("事由/摘要", 40, lambda i: i.summary, wrap=True),
        Column("参加人员", 20, lambda i: i.participants, wrap=True),
        Column("结果", 24, lambda i: i.outcome, wrap=True),
        Column("登记人", 10, lambda i: i.created_by.display_name or i.created_by.username),
        Column("登记时间", 16, lambda i: _local(i.created_at), "yyyy-mm-dd hh:mm"),
    ]


def export_interventions(interventions, *, out: IO[bytes]) -> int:
    return write_ledger(
        out,
        sheet="激励问责",
        title="激励问责台账（通报、约谈、问责移送、最佳实践）",
        columns=intervention_columns(),
        objects=interventions,
    )
