"""Quarterly nodes (节点) for the report's tasks, by the rule in seeds/README.md ("Phased
targets"). The report names no phase targets, so every node is ``assumed``.

Written with one ``bulk_create`` (no per-node service call: a few thousand rows, and a load
must stay fast); a task that already has nodes — the office's or a unit's — is left alone,
so a second load writes nothing.
"""

import datetime as dt
from decimal import Decimal

from projects.models import Milestone
from supervision.choices import Comparison, NodeStatus
from supervision.loop.models import Task
from supervision.phases.models import Node
from supervision.scorecards.measures import RATE_UNITS

QUARTERS = (("一季度", 3, 31), ("二季度", 6, 30), ("三季度", 9, 30), ("四季度", 12, 31))
STAGES = (  # (title, stage text)
    ("制定方案", "制定工作方案，明确责任分工、时间表和路线图"),
    ("推进过半", "全面推进实施，完成年度任务过半"),
    ("攻坚突破", "攻坚突破，完成主要工作量"),
    ("全面完成", "全面完成年度目标任务"),
)
PROJECT_STAGES = (
    ("开工复工", "完成前期手续和要素保障，按计划开工或复工"),
    ("建设过半", "加快建设，形象进度和投资完成过半"),
    ("主体攻坚", "攻坚建设，完成主要工程量"),
)
FOUR = Decimal("0.0001")


def is_cumulative(task: Task) -> bool:
    """An amount that builds up through the year (不低于, not a rate or a level)."""
    return (
        task.target_value is not None
        and task.target_comparison == Comparison.AT_LEAST
        and (task.target_unit or "") not in RATE_UNITS
    )


def quarter_ends(task: Task) -> list[tuple[str, dt.date]]:
    """The quarter ends before the task's deadline, and the deadline itself as the last."""
    ends = [(label, dt.date(task.deadline.year, m, d)) for label, m, d in QUARTERS]
    ends = [(label, day) for label, day in ends if day < task.deadline]
    return [*ends, (QUARTERS[(task.deadline.month - 1) // 3][0], task.deadline)]


def nodes_for(task: Task, milestones: list[Milestone]) -> list[Node]:
    """The assumed quarterly nodes of one task (see the module docstring)."""
    ends = quarter_ends(task)
    rows = []
    if task.target_value is not None:
        for n, (label, day) in enumerate(ends, 1):
            share = Decimal(n) / len(ends)  # 25/50/75/100 % for a year-end deadline
            value = task.target_value * share if is_cumulative(task) else task.target_value
            kind = f"累计完成{share:.0%}" if is_cumulative(task) else "保持目标"
            rows.append((f"{label}：{kind}", day, value.quantize(FOUR), ""))
    elif milestones:
        for (label, day), (short, text) in zip(ends[:-1], PROJECT_STAGES, strict=False):
            rows.append((f"{label}：{short}", day, None, text))
        for milestone in milestones:
            due = min(milestone.due_date, task.deadline)
            rows.append((f"里程碑：{milestone.name}"[:200], due, None, milestone.name))
    else:
        for n, (label, day) in enumerate(ends, 1):
            short, text = STAGES[-1] if n == len(ends) else STAGES[n - 1]
            rows.append((f"{label}：{short}", day, None, text))
    return [
        Node(
            task=task,
            sequence=n,
            title=title,
            due_date=due,
            target_value=value,
            target_text=text,
            status=NodeStatus.APPROVED,
            assumed=True,
        )
        for n, (title, due, value, text) in enumerate(rows, 1)
    ]


def load_nodes(codes: list[str]) -> tuple[int, int]:
    """Nodes for the tasks ``codes`` that have none; returns (tasks given nodes, unchanged)."""
    tasks = list(
        Task.objects.filter(code__in=codes, nodes__isnull=True).order_by("code").distinct()
    )
    milestones: dict[int, list[Milestone]] = {}
    project_ids = {t.project_id for t in tasks if t.project_id}
    for milestone in Milestone.objects.filter(project__in=project_ids).order_by(
        "project", "sequence", "due_date"
    ):
        milestones.setdefault(milestone.project_id, []).append(milestone)
    rows = [node for t in tasks for node in nodes_for(t, milestones.get(t.project_id, []))]
    Node.objects.bulk_create(rows, batch_size=1000)
    return len(tasks), len(codes) - len(tasks)
