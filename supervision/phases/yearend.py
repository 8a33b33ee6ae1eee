"""Year end (DESIGN.md, "Phased targets"): the office rates each task 完成 / 基本完成 / 未完成
(a reason unless 完成), and work still open carries over (结转) to a task of the next year
linked to the old one (``Task.carried_from``). Nothing is closed silently: the old task stays
as it is, with a ``carry_over`` event naming its successor, until the office closes or
cancels it itself.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.models import User
from core import clock
from supervision.choices import OPEN_STATUSES, Rating, TaskAction, TaskStatus
from supervision.kinds.codes import next_code
from supervision.loop import services, transitions
from supervision.loop.models import Task
from supervision.loop.transitions import (
    ActorNotAllowed,
    TransitionNotAllowed,
    is_supervisor,
    lock_task,
    record_event,
)

RATEABLE = (
    TaskStatus.ASSIGNED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.SUBMITTED,
    TaskStatus.CLOSED,
)
# What a carried-over task keeps of the old one: what the office may edit, but its deadline
# (a year later), its parent (the carried parent, if any) and its indicator (of the old year).
CARRIED_FIELDS = sorted(
    services.TASK_EDITABLE - {"deadline", "deadline_auto", "parent", "indicator"}
)


def can_rate(user: User, task: Task) -> bool:
    return is_supervisor(user) and task.status in RATEABLE


@transaction.atomic
def task_rate(*, task: Task | int, actor: User, rating: str, comment: str = "") -> Task:
    """年度评定: 完成 / 基本完成 / 未完成; a reason is required unless 完成. A later rating
    replaces the earlier one (both stay in the log)."""
    if not is_supervisor(actor):
        raise ActorNotAllowed("只有督查办可以进行年度评定。")
    task = lock_task(task)
    if task.status not in RATEABLE:
        raise TransitionNotAllowed(f"事项当前状态为“{task.get_status_display()}”，不能评定。")
    if rating not in Rating.values:
        raise ValidationError({"rating": "评定结果须为完成、基本完成或未完成。"})
    comment = (comment or "").strip()
    if rating != Rating.COMPLETED and not comment:
        raise ValidationError({"comment": "评定为基本完成或未完成的，须说明理由。"})
    old = [task.rating, task.rating_comment]
    task.rating, task.rating_comment, task.rated_at = rating, comment, clock.now()
    task.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    record_event(
        task=task,
        actor=actor,
        action=TaskAction.RATE,
        comment=f"{Rating(rating).label}。{comment}".rstrip("。") + "。",
        data={"rating": [old[0], rating], "comment": [old[1], comment]},
    )
    return task


def _next_year(day: dt.date, year: int) -> dt.date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


@dataclass
class CarryOver:
    year: int
    created: list = field(default_factory=list)  # (old, new)
    skipped: list = field(default_factory=list)  # (task, why)


def open_work(year: int):
    """Tasks due in ``year`` still open (sent and not closed), not carried over yet."""
    return (
        Task.objects.filter(deadline__year=year, status__in=OPEN_STATUSES)
        .exclude(status=TaskStatus.DRAFT)
        .filter(carried_to__isnull=True)
        .select_related("lead_department", "parent")
        # parents (no parent) first, so that their children follow them
        .order_by(F("parent_id").asc(nulls_first=True), "code")
    )


@transaction.atomic
def carry_over(*, year: int, actor: User, assign: bool = True, dry_run: bool = False) -> CarryOver:
    """结转: a task of ``year + 1`` for each open task due in ``year``, linked to it, with the
    same lead unit, target and day of deadline (交办 at once unless ``assign=False``). The old
    task stays open with a ``carry_over`` event; drafts are reported, not carried."""
    if not is_supervisor(actor):
        raise ActorNotAllowed("只有督查办可以结转下年。")
    result = CarryOver(year=year)
    drafts = Task.objects.filter(deadline__year=year, status=TaskStatus.DRAFT).order_by("code")
    result.skipped += [(task, "草稿（从未交办），未结转") for task in drafts]
    carried: dict[int, Task] = {}
    for old in open_work(year):
        if dry_run:
            result.created.append((old, None))
            continue
        old = lock_task(old)
        fields = {name: getattr(old, name) for name in CARRIED_FIELDS}
        new = services.task_create(
            actor=actor,
            code=next_code(old.source, year + 1),
            deadline=_next_year(old.deadline, year + 1),
            co_departments=list(old.co_departments.all()),
            parent=carried.get(old.parent_id),
            **fields,
        )
        new.carried_from = old
        new.save(update_fields=["carried_from"])
        if assign:
            transitions.task_assign(
                task=new, actor=actor, comment=f"由 {year} 年 {old.code} 结转。"
            )
        record_event(
            task=old,
            actor=actor,
            action=TaskAction.CARRY_OVER,
            comment=f"未办结，结转至 {year + 1} 年 {new.code}（本事项未销号，仍须办结或撤销）。",
            data={"carried_to": new.pk, "code": new.code},
        )
        carried[old.pk] = new
        result.created.append((old, new))
    if dry_run:
        transaction.set_rollback(True)
    return result
