"""末端落实 (分解交办): the office splits a task into child tasks for co-operating units or
towns (DESIGN.md, "Kinds"). Each child is a full task in the loop (created, 交办 at once,
its own ladder); the parent shows their roll-up and cannot be submitted while a child is
open, unless the office lets it through with a reason (``task_split_override``).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Department, User
from supervision.choices import OPEN_STATUSES, TaskAction, TaskStatus
from supervision.loop import services, transitions
from supervision.loop.models import Task
from supervision.loop.transitions import (
    ActorNotAllowed,
    TransitionNotAllowed,
    is_supervisor,
    lock_task,
    record_event,
)

SPLITTABLE = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)
MAX_CHILDREN = 50


def can_split(user: User, task: Task) -> bool:
    return is_supervisor(user) and task.status in SPLITTABLE and task.parent_id is None


def _child_fields(parent: Task, spec: dict, index: int) -> dict:
    department = spec.get("lead_department")
    if not isinstance(department, Department):
        raise ValidationError({"children": f"第 {index} 项须选择承办单位。"})
    if department.pk == parent.lead_department_id:
        raise ValidationError({"children": f"第 {index} 项的承办单位就是牵头单位，无须分解。"})
    deadline = spec.get("deadline") or parent.deadline
    if deadline > parent.deadline:
        raise ValidationError(
            {"children": f"第 {index} 项的办理时限不能晚于上级事项的时限 {parent.deadline}。"}
        )
    title = (spec.get("title") or "").strip() or f"{parent.title}（{department.name}）"
    target_value = spec.get("target_value")
    if target_value is not None and target_value < 0:
        raise ValidationError({"children": f"第 {index} 项的目标值不能为负。"})
    return {
        "title": title[:200],
        "lead_department": department,
        "deadline": deadline,
        "target_value": target_value,
        "target_unit": (spec.get("target_unit") or parent.target_unit or "")[:20],
    }


@transaction.atomic
def task_split(*, task: Task | int, actor: User, children: list[dict]) -> list[Task]:
    """分解交办: create and 交办 one child task per entry (``lead_department``, optional
    ``title``, ``deadline`` (≤ the parent's), ``target_value``, ``target_unit``); the parent
    logs a ``split`` event naming them."""
    if not is_supervisor(actor):
        raise ActorNotAllowed("只有督查办可以分解交办。")
    parent = lock_task(task)
    if parent.parent_id is not None:
        raise TransitionNotAllowed("分解出的子事项不能再分解。")
    if parent.status not in SPLITTABLE:
        raise TransitionNotAllowed(
            f"事项当前状态为“{parent.get_status_display()}”，不能分解交办（须已交办、未办结）。"
        )
    if not children:
        raise ValidationError({"children": "至少分解一项。"})
    if len(children) > MAX_CHILDREN:
        raise ValidationError({"children": f"一次最多分解 {MAX_CHILDREN} 项。"})
    specs = [_child_fields(parent, spec, i) for i, spec in enumerate(children, 1)]
    seen = [spec["lead_department"].pk for spec in specs]
    existing = set(parent.children.exclude(status=TaskStatus.CANCELLED).values_list(
        "lead_department_id", flat=True
    ))  # fmt: skip
    if len(set(seen)) != len(seen) or existing & set(seen):
        raise ValidationError({"children": "同一单位只能分解一项（含已分解的子事项）。"})
    number = parent.children.count()
    created = []
    for offset, spec in enumerate(specs, 1):
        child = services.task_create(
            actor=actor,
            code=f"{parent.code}-{number + offset:02d}"[:30],
            source=parent.source,
            domain=parent.domain,
            parent=parent,
            target_metric=parent.target_metric,
            report_frequency=parent.report_frequency,
            priority=parent.priority,
            responsible_leader=parent.responsible_leader,
            project=parent.project,
            **spec,
        )
        transitions.task_assign(
            task=child, actor=actor, comment=f"由 {parent.code} 分解交办（末端落实）。"
        )
        created.append(child)
    names = "、".join(spec["lead_department"].name for spec in specs)
    record_event(
        task=parent,
        actor=actor,
        action=TaskAction.SPLIT,
        comment=f"分解交办至：{names}。",
        data={"children": [child.pk for child in created]},
    )
    return created


@transaction.atomic
def task_split_override(*, task: Task | int, actor: User, reason: str) -> Task:
    """The office lets the parent be submitted although children are still open (logged with
    its reason; a child split off later blocks again)."""
    if not is_supervisor(actor):
        raise ActorNotAllowed("只有督查办可以放行申请办结。")
    parent = lock_task(task)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "放行须说明理由。"})
    open_children = list(
        parent.children.filter(status__in=OPEN_STATUSES).values_list("code", flat=True)
    )
    if not open_children:
        raise TransitionNotAllowed("该事项没有未办结的子事项，无须放行。")
    record_event(
        task=parent,
        actor=actor,
        action=TaskAction.SPLIT,
        comment=f"督查办放行：子事项 {'、'.join(open_children)} 未办结，准予申请办结。理由：{reason}",
        data={"override": True, "open_children": open_children},
    )
    return parent


def open_children_blocking(task: Task) -> list[str]:
    """Codes of the open children that keep ``task`` from being submitted: those the office
    has not let through (each override names the children open at the time)."""
    codes = list(
        task.children.filter(status__in=OPEN_STATUSES)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not codes:  # the usual case: one query
        return []
    released = set()
    overrides = task.events.filter(action=TaskAction.SPLIT, data__override=True)
    for names in overrides.values_list("data__open_children", flat=True):
        released.update(names or [])
    return [code for code in codes if code not in released]


def check_submit(task: Task) -> None:
    """Called by ``kinds.hooks.before_move`` on 申请办结."""
    blocking = open_children_blocking(task)
    if blocking:
        raise TransitionNotAllowed(
            f"尚有 {len(blocking)} 项分解子事项未办结（{'、'.join(blocking[:10])}），"
            "不能申请办结；确需先行办结的，请督查办说明理由后放行。"
        )


# --- the roll-up --------------------------------------------------------------------------


@dataclass
class Rollup:
    children: list = field(default_factory=list)  # task_list() rows (with their light)
    total: int = 0
    closed: int = 0
    open: int = 0
    value: Decimal | None = None  # Σ of the children's values, when they share the unit
    target: Decimal | None = None
    lights: dict = field(default_factory=dict)

    @property
    def percent_closed(self) -> int | None:
        return round(self.closed * 100 / self.total) if self.total else None


def rollup(task: Task, *, today: dt.date | None = None) -> Rollup:
    """The children of ``task`` with their lights and the sums the parent shows."""
    from supervision.loop.selectors import task_list

    rows = list(task_list(today=today).filter(parent=task).order_by("code"))
    result = Rollup(children=rows, total=len(rows))
    counted = [t for t in rows if t.status != TaskStatus.CANCELLED]
    result.closed = sum(t.status == TaskStatus.CLOSED for t in counted)
    result.open = sum(t.status in OPEN_STATUSES for t in counted)
    for t in counted:
        if t.light:
            result.lights[t.light] = result.lights.get(t.light, 0) + 1
    units = {t.target_unit for t in counted}
    if counted and len(units) == 1 and all(t.target_value is not None for t in counted):
        result.target = sum(t.target_value for t in counted)
        result.value = sum((t.current_value or Decimal(0)) for t in counted)
    return result
