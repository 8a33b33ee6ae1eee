"""建议提案办理台账: one row per 人大建议 / 政协提案 with its units, reply, 见面沟通 and the
proposer's satisfaction, and the 四率 under it. Written through ``write_ledger`` (every text
cell formula-safe, see ``supervision.excel.cells``)."""

import datetime as dt
from typing import IO

from django.db.models import Prefetch

from supervision.excel.exports import CHUNK_SIZE, DATE, Column, _local, write_ledger
from supervision.loop.workdays import SHANGHAI


def _names(departments) -> str:
    return "、".join(d.name for d in departments)


def _closed_on(task) -> dt.date | None:
    return task.closed_at.astimezone(SHANGHAI).date() if task.closed_at else None


def _on_time(task) -> str:
    closed = _closed_on(task)
    if closed is None:
        return ""
    return "是" if closed <= task.deadline else "否"


def _merged(task) -> str:
    detail = task.proposal
    if detail.merged_into_id:
        return f"并入 {detail.merged_into.code}"
    return "、".join(p.task.code for p in task.merged_proposals.all())


def proposal_columns() -> list[Column]:
    return [
        Column("编号", 14, lambda t: t.code),
        Column("来源", 9, lambda t: t.get_source_display()),
        Column("建议/提案号", 11, lambda t: t.proposal.number),
        Column("标题", 36, lambda t: t.title, wrap=True),
        Column("提出人", 10, lambda t: t.proposal.proposer),
        Column("类别", 10, lambda t: t.proposal.category),
        Column("主办单位", 18, lambda t: t.lead_department.name, wrap=True),
        Column("协办单位", 18, lambda t: _names(t.proposal.assist_departments.all()), wrap=True),
        Column("会办单位", 18, lambda t: _names(t.co_departments.all()), wrap=True),
        Column("并案", 14, _merged, wrap=True),
        Column("交办时间", 12, lambda t: _local(t.assigned_at), DATE),
        Column("办理时限", 12, lambda t: t.deadline, DATE),
        Column("状态", 9, lambda t: t.get_status_display()),
        Column("答复类别", 9, lambda t: t.proposal.reply_class),
        Column("答复日期", 12, lambda t: t.proposal.replied_on, DATE),
        Column("答复摘要", 36, lambda t: t.proposal.reply_summary, wrap=True),
        Column("见面沟通", 12, lambda t: t.proposal.met_on, DATE),
        Column("沟通形式", 10, lambda t: t.proposal.get_meeting_form_display()),
        Column("满意度", 10, lambda t: t.proposal.get_satisfaction_display()),
        Column("办理轮次", 8, lambda t: t.proposal.round, "0"),
        Column("办结日期", 12, _closed_on, DATE),
        Column("按时办结", 8, _on_time),
    ]


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def export_proposals(tasks, *, figures, today: dt.date, out: IO[bytes]) -> int:
    """``tasks``: proposals with their details prefetched; ``figures``: their overall 四率."""
    title = f"建议提案办理台账（截至 {today:%Y-%m-%d}，共 {figures.total} 件）"

    def footer():
        text = (
            f"按时办结率 {_rate(figures.on_time_rate)}　见面沟通率 {_rate(figures.meeting_rate)}"
            f"　满意率 {_rate(figures.satisfaction_rate)}　解决率 {_rate(figures.resolution_rate)}"
        )
        return [("四率", None), (text, None)]

    return write_ledger(
        out,
        sheet="建议提案办理台账",
        title=title,
        columns=proposal_columns(),
        objects=tasks.iterator(chunk_size=CHUNK_SIZE),
        footer=footer,
    )


def export_proposal_ledger(*, today: dt.date, out: IO[bytes], **filters) -> int:
    """建议提案办理台账 for the 四率 filters (year, department, source) — the cockpit's
    download and ``GET exports/proposals.xlsx`` alike."""
    from supervision.kinds.models import ProposalDetail
    from supervision.kinds.stats import proposal_stats, proposals_in_scope

    figures = proposal_stats(today=today, **filters)["overall"]
    tasks = (
        proposals_in_scope(**filters)
        .select_related("lead_department", "proposal__merged_into")
        .prefetch_related(
            "co_departments",
            "proposal__assist_departments",
            Prefetch(
                "merged_proposals",
                queryset=ProposalDetail.objects.select_related("task").only("task__code"),
            ),
        )
        .order_by("source", "code")
    )
    return export_proposals(tasks, figures=figures, today=today, out=out)
