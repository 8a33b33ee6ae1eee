"""申请调整牵头单位 (disputes): within the policy's working days after 交办 the lead unit may
ask to hand the lead to another unit, with a reason and a suggestion; the supervision office
reassigns (the task goes back to 已交办 under the new unit, whose ladder starts afresh) or
refuses. Both are logged on the task and notified."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.choices import Role
from accounts.models import Department, User
from core import clock
from supervision.choices import ReassignStatus, TaskAction, TaskStatus
from supervision.loop import transitions
from supervision.loop.models import EscalationPolicy, Task
from supervision.loop.transitions import (
    ActorNotAllowed,
    TransitionNotAllowed,
    is_lead_owner,
    is_supervisor,
    lock_task,
    record_event,
)
from supervision.loop.workdays import add_workdays
from supervision.phases.models import ReassignRequest
from supervision.reminders.notify import Audience

REASSIGNABLE = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)


def window_end(task: Task, policy: EscalationPolicy | None = None) -> dt.date | None:
    """The last day the lead unit may ask: ``reassign_days`` working days after 交办."""
    if task.assigned_at is None:
        return None
    policy = policy or EscalationPolicy.current()
    return add_workdays(clock.localdate(task.assigned_at), policy.reassign_days)


def can_request(user: User, task: Task, *, pending: bool = False) -> bool:
    """Whether ``user`` gets the request button (the service checks the same rules)."""
    if not (is_lead_owner(user, task) and task.status in REASSIGNABLE and not pending):
        return False
    end = window_end(task)
    return end is not None and clock.today() <= end


@transaction.atomic
def reassign_request_create(
    *, task: Task | int, actor: User, reason: str, suggested_department: Department | None = None
) -> ReassignRequest:
    """The lead unit asks to change the lead (one pending request per task)."""
    task = lock_task(task)
    if not is_lead_owner(actor, task):
        raise ActorNotAllowed("只有牵头单位可以申请调整牵头单位。")
    if task.status not in REASSIGNABLE:
        raise TransitionNotAllowed(
            f"事项当前状态为“{task.get_status_display()}”，不能申请调整牵头单位。"
        )
    policy = EscalationPolicy.current()
    end = window_end(task, policy)
    if end is None or clock.today() > end:
        raise TransitionNotAllowed(
            f"须在交办后 {policy.reassign_days} 个工作日内申请调整牵头单位（已于 {end} 截止）。"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请说明申请理由。"})
    if suggested_department is not None and suggested_department.pk == task.lead_department_id:
        raise ValidationError({"suggested_department": "建议牵头单位不能是本单位。"})
    if task.reassign_requests.filter(status=ReassignStatus.PENDING).exists():
        raise TransitionNotAllowed("该事项已有待审批的调整申请。")
    request = ReassignRequest.objects.create(
        task=task,
        department=task.lead_department,
        suggested_department=suggested_department,
        reason=reason,
        requested_by=actor,
        created_at=clock.now(),
    )
    suggested = f"，建议由{suggested_department.name}牵头" if suggested_department else ""
    record_event(
        task=task,
        actor=actor,
        action=TaskAction.REASSIGN_REQUEST,
        comment=f"{reason}{suggested}",
        data={"reassign": request.pk, "suggested_department": getattr(
            suggested_department, "pk", None
        )},
    )  # fmt: skip
    return request


def _pending(request: ReassignRequest | int) -> tuple[Task, ReassignRequest]:
    pk = request.pk if isinstance(request, ReassignRequest) else request
    task = lock_task(ReassignRequest.objects.values_list("task_id", flat=True).get(pk=pk))
    request = ReassignRequest.objects.select_for_update().get(pk=pk)
    if request.status != ReassignStatus.PENDING:
        raise TransitionNotAllowed(f"该调整申请已{request.get_status_display()}。")
    return task, request


@transaction.atomic
def reassign_approve(
    *,
    request: ReassignRequest | int,
    actor: User,
    new_department: Department | None = None,
    comment: str = "",
) -> ReassignRequest:
    """调整: the office names the new lead unit (default: the one suggested)."""
    if not is_supervisor(actor):
        raise ActorNotAllowed("只有督查办可以审批调整牵头单位。")
    task, request = _pending(request)
    new_department = new_department or request.suggested_department
    if new_department is None:
        raise ValidationError({"new_department": "请选择调整后的牵头单位。"})
    if new_department.pk == task.lead_department_id:
        raise ValidationError({"new_department": "调整后的牵头单位与现牵头单位相同。"})
    if task.status not in REASSIGNABLE:
        raise TransitionNotAllowed(f"事项已{task.get_status_display()}，不能调整牵头单位。")
    old = task.lead_department
    comment = (comment or "").strip()
    request.status = ReassignStatus.APPROVED
    request.new_department = new_department
    request.decided_by = actor
    request.decided_at = clock.now()
    request.decision_comment = comment
    request.save()
    task.co_departments.remove(new_department)
    old_owners = list(
        User.objects.filter(role=Role.OWNER, department=old, is_active=True).values_list(
            "pk", flat=True
        )
    )
    transitions.task_reassign(
        task=task,
        actor=actor,
        department=new_department,
        reason=f"牵头单位由{old.name}调整为{new_department.name}。{comment}".strip(),
        notify=[Audience.LEAD, Audience.CO, *old_owners],
    )
    return request


@transaction.atomic
def reassign_reject(
    *, request: ReassignRequest | int, actor: User, comment: str
) -> ReassignRequest:
    """不予调整: the lead stays; a reason is required."""
    if not is_supervisor(actor):
        raise ActorNotAllowed("只有督查办可以审批调整牵头单位。")
    task, request = _pending(request)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "不予调整须说明理由。"})
    request.status = ReassignStatus.REJECTED
    request.decided_by = actor
    request.decided_at = clock.now()
    request.decision_comment = comment
    request.save()
    record_event(
        task=task,
        actor=actor,
        action=TaskAction.REASSIGN_REJECT,
        comment=comment,
        data={"reassign": request.pk},
    )
    return request
