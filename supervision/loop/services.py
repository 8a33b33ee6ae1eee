"""Writes to tasks that are not status moves: create, edit, progress, extensions.

Status moves live in ``supervision.transitions``; everything here shares its row lock,
its actor checks and its event log, and runs in one transaction.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction

from accounts import audit
from accounts.models import Department, User
from core import clock, events
from supervision.choices import ExtensionStatus, TaskAction, TaskSource, TaskStatus
from supervision.kinds.codes import next_code
from supervision.kinds.merge import follow_deadline
from supervision.loop.models import ExtensionRequest, Indicator, ProgressReport, Task, TaskEvent
from supervision.loop.transitions import (
    ActorNotAllowed,
    TransitionNotAllowed,
    can_decide_extension,
    can_report_progress,
    can_request_extension,
    is_supervisor,
    lock_task,
    record_event,
    task_payload,
)

TASK_EDITABLE = {
    "title",
    "content",
    "source",
    "source_ref",
    "domain",
    "lead_department",
    "responsible_leader",
    "project",
    "deadline",
    "deadline_auto",
    "report_frequency",
    "priority",
    "target_metric",
    "target_value",
    "target_unit",
    "target_comparison",
    "target_tolerance",
    "assumed",
    "assumed_fields",
    "parent",
    "indicator",
}


def _require_supervisor(actor: User, what: str) -> None:
    if not is_supervisor(actor):
        raise ActorNotAllowed(f"只有督查办可以{what}。")


def _as_json(value):
    if isinstance(value, models.Model):  # a lead unit, leader, project, parent, indicator …
        return value.pk
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


@transaction.atomic
def task_create(
    *,
    actor: User,
    code: str = "",
    title: str,
    source: str,
    domain: str,
    lead_department: Department,
    deadline: dt.date,
    co_departments=(),
    **fields,
) -> Task:
    """Create a draft task (the supervision office files it). Without a ``code`` the next one
    of its source and year is generated (``supervision.kinds.codes``)."""
    _require_supervisor(actor, "创建督办事项")
    unknown = set(fields) - TASK_EDITABLE
    if unknown:
        raise ValueError(f"unknown task fields: {sorted(unknown)}")
    code = (code or "").strip()
    if not code and source in TaskSource.values:
        code = next_code(source, clock.today().year)
    task = Task(
        code=code,
        title=title,
        source=source,
        domain=domain,
        lead_department=lead_department,
        deadline=deadline,
        created_by=actor,
        status=TaskStatus.DRAFT,
        **fields,
    )
    task.full_clean()
    task.save()
    if co_departments:
        task.co_departments.set(co_departments)
    record_event(task=task, actor=actor, action=TaskAction.CREATE, to_status=task.status)
    return task


@transaction.atomic
def task_update(
    *,
    task: Task | int,
    actor: User,
    co_departments=None,
    reason: str = "",
    more_changes: dict | None = None,
    **fields,
) -> Task:
    """Edit an open task's details; the event records every changed field, before and after.

    ``reason`` is the event's comment; ``more_changes`` are changes the caller made to the
    task's kind details (``supervision.kinds``), logged in the same event.
    """
    _require_supervisor(actor, "修改督办事项")
    unknown = set(fields) - TASK_EDITABLE
    if unknown:
        raise ValueError(f"unknown task fields: {sorted(unknown)}")
    task = lock_task(task)
    if not task.is_open:
        raise TransitionNotAllowed(f"事项已{task.get_status_display()}，不能修改。")
    changes = {}
    for name, value in fields.items():
        old = getattr(task, name)
        if old != value:
            changes[name] = [_as_json(old), _as_json(value)]
            setattr(task, name, value)
    task.full_clean()
    if co_departments is not None:
        old_ids = sorted(task.co_departments.values_list("pk", flat=True))
        new_ids = sorted(d.pk for d in co_departments)
        if old_ids != new_ids:
            changes["co_departments"] = [old_ids, new_ids]
            task.co_departments.set(co_departments)
    changes.update(more_changes or {})
    if changes:
        task.save()
        record_event(
            task=task,
            actor=actor,
            action=TaskAction.EDIT,
            comment=(reason or "").strip(),
            data={"changes": changes},
        )
    return task


@transaction.atomic
def task_delete(*, task: Task | int, actor: User) -> None:
    """Delete a draft (nothing was ever sent); anything later is cancelled, never deleted."""
    _require_supervisor(actor, "删除督办事项")
    task = lock_task(task)
    if task.status != TaskStatus.DRAFT:
        raise TransitionNotAllowed("只能删除草稿状态的事项，已交办的事项请撤销。")
    if task.instructions.exists():
        raise TransitionNotAllowed("该草稿已有领导批示，不能删除，请撤销。")
    if task.merged_proposals.exists():
        raise TransitionNotAllowed("该件有并入的建议/提案，不能删除，请撤销。")
    task.co_departments.clear()
    # A draft was never sent anywhere: its own log (the CREATE/EDIT events) goes with it.
    TaskEvent.objects.filter(task=task).delete()
    task.delete()


@transaction.atomic
def progress_report_create(
    *,
    task: Task | int,
    actor: User,
    content: str,
    problems: str = "",
    coordination: str = "",
    next_steps: str = "",
    percent: int | None = None,
    value: Decimal | None = None,
) -> ProgressReport:
    """反馈进展: owners of the lead or a co-operating department report on a task in hand."""
    task = lock_task(task)
    can_report_progress(actor, task).enforce()
    if value is not None and task.indicator_id is not None:
        raise ValidationError(
            {"value": "该事项的数值读自对应的预期指标，请由指标责任单位填报分期数值。"}
        )
    if percent is not None and not (0 <= percent <= 100):
        raise ValidationError({"percent": "完成进度须在 0–100 之间。"})
    report = ProgressReport(
        task=task,
        department=actor.department,
        author=actor,
        content=(content or "").strip(),
        problems=problems,
        coordination=coordination,
        next_steps=next_steps,
        percent=percent,
        value=value,
        created_at=clock.now(),
    )
    report.full_clean()
    report.save()
    data = {"report": report.pk, "percent": percent}
    if value is not None:
        data["value"] = [_as_json(task.latest_value), _as_json(value)]
        task.latest_value = value
        task.save(update_fields=["latest_value", "updated_at"])
    record_event(
        task=task, actor=actor, action=TaskAction.PROGRESS, comment=report.content, data=data
    )
    events.publish("task.progress", task_payload(task, actor, report.content, report=report.pk))
    return report


@transaction.atomic
def extension_request_create(
    *, task: Task | int, actor: User, requested_deadline: dt.date, reason: str
) -> ExtensionRequest:
    """申请延期: the lead department asks for a later deadline, with a reason."""
    task = lock_task(task)
    can_request_extension(actor, task).enforce()
    request = ExtensionRequest(
        task=task,
        requested_by=actor,
        original_deadline=task.deadline,
        requested_deadline=requested_deadline,
        reason=(reason or "").strip(),
        created_at=clock.now(),
    )
    request.full_clean()
    request.save()
    record_event(
        task=task,
        actor=actor,
        action=TaskAction.EXTENSION_REQUEST,
        comment=request.reason,
        data={"extension": request.pk, "deadline": [str(task.deadline), str(requested_deadline)]},
    )
    events.publish(
        "task.extension_requested",
        task_payload(
            task,
            actor,
            request.reason,
            requested_deadline=str(requested_deadline),
            extension=request.pk,
        ),
    )
    return request


@transaction.atomic
def _extension_decide(
    *, extension: ExtensionRequest | int, actor: User, approve: bool, comment: str
) -> ExtensionRequest:
    pk = extension.pk if isinstance(extension, ExtensionRequest) else extension
    task = lock_task(ExtensionRequest.objects.values_list("task_id", flat=True).get(pk=pk))
    extension = ExtensionRequest.objects.select_for_update().get(pk=pk)
    can_decide_extension(actor, extension).enforce()
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": "驳回延期须说明理由。"})
    if approve and not task.is_open:
        raise TransitionNotAllowed(f"事项已{task.get_status_display()}，不能延期。")
    if approve and extension.requested_deadline <= task.deadline:
        raise TransitionNotAllowed(
            f"申请延至 {extension.requested_deadline} 不晚于现行办理时限 {task.deadline}，不能批准。"
        )
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    extension.decided_by = actor
    extension.decided_at = clock.now()
    extension.decision_comment = comment
    extension.save()
    data = {"extension": extension.pk}
    if approve:
        data["deadline"] = [str(task.deadline), str(extension.requested_deadline)]
        task.deadline = extension.requested_deadline
        task.save(update_fields=["deadline", "updated_at"])
        follow_deadline(task, actor)
    action = TaskAction.EXTENSION_APPROVE if approve else TaskAction.EXTENSION_REJECT
    record_event(task=task, actor=actor, action=action, comment=comment, data=data)
    if approve:
        events.publish(
            "task.extended",
            task_payload(task, actor, comment, original_deadline=data["deadline"][0]),
        )
    else:
        events.publish(
            "task.extension_rejected", task_payload(task, actor, comment, extension=extension.pk)
        )
    return extension


def extension_approve(*, extension, actor: User, comment: str = "") -> ExtensionRequest:
    """批准延期: the deadline moves; the request and the event keep the original date."""
    return _extension_decide(extension=extension, actor=actor, approve=True, comment=comment)


def extension_reject(*, extension, actor: User, comment: str) -> ExtensionRequest:
    """驳回延期: the deadline stays; a reason is required."""
    return _extension_decide(extension=extension, actor=actor, approve=False, comment=comment)


@transaction.atomic
def indicator_save(*, code: str, actor: User | None = None, **fields) -> tuple[Indicator, bool]:
    """Create or update an indicator by code; returns (indicator, created). ``actor``: the
    change is audited as theirs (the API's viewsets audit their own writes instead)."""
    indicator = Indicator.objects.select_for_update().filter(code=code).first()
    created = indicator is None
    before = None if created else audit.snapshot(indicator)
    indicator = indicator or Indicator(code=code)
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    audit.saved(actor=actor, instance=indicator, before=before)
    return indicator, created
