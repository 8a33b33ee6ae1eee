"""The only place a task's status changes (DESIGN.md, "Tasks and the closed loop").

Each move locks the task row, checks the allowed-transition table and the actor's right,
and writes exactly one ``TaskEvent`` in the same transaction. An illegal move raises a
``TransitionError`` and changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core import clock, events
from core.errors import DomainError, NotPermitted
from supervision.choices import OPEN_STATUSES, ExtensionStatus, TaskAction, TaskStatus
from supervision.kinds import hooks as kind_hooks
from supervision.kinds.merge import is_assist_owner
from supervision.loop.models import Task, TaskEvent
from supervision.reminders import notify as notifications


class TransitionError(DomainError):
    """The one domain error for a move that is not allowed (API: 409, or 403 for the actor)."""

    code = "invalid_transition"


class TransitionNotAllowed(TransitionError):
    """The move is not allowed from the task's current status."""


class ActorNotAllowed(TransitionError, NotPermitted):
    """The actor's role or department may not make this move on this task."""

    code = "permission_denied"


# --- who may act -------------------------------------------------------------------------


def is_supervisor(user: User) -> bool:
    return user.is_active and user.is_supervisor


def is_lead_owner(user: User, task: Task) -> bool:
    return user.is_active and user.is_owner and user.department_id == task.lead_department_id


def is_co_owner(user: User, task: Task) -> bool:
    return (
        user.is_active
        and user.is_owner
        and task.co_departments.filter(pk=user.department_id).exists()
    )


@dataclass(frozen=True)
class Rule:
    sources: tuple[str, ...]
    target: str
    who: Callable[[User, Task], bool]
    who_label: str


def _supervisor(user: User, task: Task) -> bool:
    return is_supervisor(user)


RULES: dict[str, Rule] = {
    TaskAction.ASSIGN: Rule((TaskStatus.DRAFT,), TaskStatus.ASSIGNED, _supervisor, "督查办"),
    TaskAction.ACCEPT: Rule(
        (TaskStatus.ASSIGNED,), TaskStatus.IN_PROGRESS, is_lead_owner, "牵头单位"
    ),
    TaskAction.SUBMIT: Rule(
        (TaskStatus.IN_PROGRESS,), TaskStatus.SUBMITTED, is_lead_owner, "牵头单位"
    ),
    TaskAction.CLOSE: Rule((TaskStatus.SUBMITTED,), TaskStatus.CLOSED, _supervisor, "督查办"),
    TaskAction.RETURN: Rule((TaskStatus.SUBMITTED,), TaskStatus.IN_PROGRESS, _supervisor, "督查办"),
    TaskAction.CANCEL: Rule(OPEN_STATUSES, TaskStatus.CANCELLED, _supervisor, "督查办"),
}

# Moves no button offers: 二次办理 is reached only through a proposal's 不满意
# (``supervision.kinds.services.proposal_satisfaction``).
SPECIAL_RULES: dict[str, Rule] = {
    TaskAction.REOPEN: Rule(
        (TaskStatus.SUBMITTED, TaskStatus.CLOSED), TaskStatus.IN_PROGRESS, _supervisor, "督查办"
    ),
    # 调整牵头单位 (only through ``supervision.phases.reassign``): the new unit 签收 afresh.
    TaskAction.REASSIGN: Rule(
        (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS), TaskStatus.ASSIGNED, _supervisor, "督查办"
    ),
}

# --- what else a user may do on a task (not status moves) -----------------------------------
# The services enforce these and the cockpit asks them which buttons to show: one rule, one
# message. A ``Verdict`` is truthy when allowed; else ``error`` is what the service raises.

# The statuses in which the lead department may ask for a later deadline.
EXTENDABLE_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Verdict:
    error: TransitionError | None = None

    def __bool__(self) -> bool:
        return self.error is None

    def enforce(self) -> None:
        if self.error is not None:
            raise self.error


ALLOWED = Verdict()


def can_report_progress(user: User, task: Task) -> Verdict:
    """反馈进展: owners of the lead, a co-operating or a 协办 unit, on a task in hand."""
    if not (is_lead_owner(user, task) or is_co_owner(user, task) or is_assist_owner(user, task)):
        return Verdict(ActorNotAllowed("只有牵头或配合单位可以反馈进展。"))
    if task.status != TaskStatus.IN_PROGRESS:
        return Verdict(
            TransitionNotAllowed(
                f"事项当前状态为“{task.get_status_display()}”，不能反馈进展（须先签收）。"
            )
        )
    return ALLOWED


def can_request_extension(user: User, task: Task, *, pending: bool | None = None) -> Verdict:
    """申请延期: the lead unit, before 申请办结, with no request already waiting.
    ``pending``: whether one is waiting, when the caller has read it already."""
    if not is_lead_owner(user, task):
        return Verdict(ActorNotAllowed("只有牵头单位可以申请延期。"))
    if task.status not in EXTENDABLE_STATUSES:
        return Verdict(
            TransitionNotAllowed(f"事项当前状态为“{task.get_status_display()}”，不能申请延期。")
        )
    if pending is None:
        pending = task.extensions.filter(status=ExtensionStatus.PENDING).exists()
    if pending:
        return Verdict(TransitionNotAllowed("该事项已有待审批的延期申请。"))
    return ALLOWED


def can_decide_extension(user: User, extension) -> Verdict:
    """审批延期: the supervision office, on a request still waiting (``None``: there is none)."""
    if not is_supervisor(user):
        return Verdict(ActorNotAllowed("只有督查办可以审批延期。"))
    if extension is None:
        return Verdict(TransitionNotAllowed("该事项没有待审批的延期申请。"))
    if extension.status != ExtensionStatus.PENDING:
        return Verdict(TransitionNotAllowed(f"该延期申请已{extension.get_status_display()}。"))
    return ALLOWED


# The timestamp each target status stamps on the task.
_STAMPS = {
    TaskStatus.ASSIGNED: "assigned_at",
    TaskStatus.SUBMITTED: "submitted_at",
    TaskStatus.CLOSED: "closed_at",
}


def lock_task(task: Task | int) -> Task:
    """Re-read the task under a row lock (call inside a transaction)."""
    pk = task.pk if isinstance(task, Task) else task
    return Task.objects.select_for_update().get(pk=pk)


def record_event(
    *,
    task: Task,
    actor: User | None,
    action: str,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    data: dict | None = None,
    notify=None,
) -> TaskEvent:
    """Log one step and notify the people who must act next (``reminders.notify``):
    ``notify=None`` → the action's default audiences, ``[]`` → nobody, else audiences/users."""
    event = TaskEvent.objects.create(
        task=task,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        data=data or {},
        created_at=clock.now(),
    )
    notifications.notify(event=event, to=notify)
    return event


def allowed_actions(task: Task, user: User) -> list[str]:
    """The status moves ``user`` may make on ``task`` now (for buttons and the API)."""
    return [
        action
        for action, rule in RULES.items()
        if task.status in rule.sources and rule.who(user, task)
    ]


@transaction.atomic
def _move(
    *,
    task: Task | int,
    actor: User,
    action: str,
    comment: str = "",
    required: tuple[str, str] | None = None,
    updates: dict | None = None,
    notify=None,
) -> Task:
    """Apply one row of ``RULES``; ``required`` = (field, message) when the comment is mandatory.

    A kind's policy may ask more of a move (``supervision.kinds.hooks``); proposals merged
    into this one (并案) make the same move with it. ``updates`` are other fields the move
    sets (logged in the event as old → new).
    """
    task = lock_task(task)
    rule = RULES.get(action) or SPECIAL_RULES[action]
    if not rule.who(actor, task):
        raise ActorNotAllowed(f"只有{rule.who_label}可以{TaskAction(action).label}该事项。")
    if task.status not in rule.sources:
        raise TransitionNotAllowed(
            f"事项当前状态为“{task.get_status_display()}”，不能{TaskAction(action).label}。"
        )
    comment = (comment or "").strip()
    if required and not comment:
        raise ValidationError({required[0]: required[1]})
    kind_hooks.before_move(task, action, actor)
    updates = {**kind_hooks.move_updates(task, action, clock.now()), **(updates or {})}
    _apply(task, actor, action, rule, comment, updates, notify)
    for follower in kind_hooks.followers(task, action):
        if follower.status in rule.sources:
            note = f"随并案主办件 {task.code} {TaskAction(action).label}。"
            _apply(follower, actor, action, rule, f"{note}{comment}", updates)
    return task


def _apply(
    task: Task, actor: User, action: str, rule: Rule, comment: str, updates: dict, notify=None
):
    from_status = task.status
    task.status = rule.target
    now = clock.now()
    fields = ["status", "updated_at"]
    stamp = _STAMPS.get(rule.target)
    if action == TaskAction.ACCEPT:
        stamp = "accepted_at"
    if stamp:
        setattr(task, stamp, now)
        fields.append(stamp)
    changes = {}
    for name, value in updates.items():
        old = getattr(task, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(task, name, value)
            fields.append(name)
    task.save(update_fields=fields)
    record_event(
        task=task,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=rule.target,
        comment=comment,
        data=changes,
        notify=notify,
    )
    if action in WEBHOOK_EVENTS:
        events.publish(WEBHOOK_EVENTS[action], task_payload(task, actor, comment))


def _plain(value):
    if hasattr(value, "_meta"):  # a model instance (the lead unit of a reassignment)
        return value.pk
    return value.isoformat() if hasattr(value, "isoformat") else value


# Status moves other systems are told about (API.md, "Webhooks").
WEBHOOK_EVENTS = {
    TaskAction.ASSIGN: "task.assigned",
    TaskAction.ACCEPT: "task.accepted",
    TaskAction.SUBMIT: "task.submitted",
    TaskAction.CLOSE: "task.closed",
    TaskAction.RETURN: "task.returned",
    TaskAction.CANCEL: "task.cancelled",
    TaskAction.REOPEN: "task.reopened",
    TaskAction.REASSIGN: "task.reassigned",
}


def task_payload(task: Task, actor: User | None, comment: str = "", **extra) -> dict:
    return {
        "id": task.pk,
        "code": task.code,
        "status": task.status,
        "lead_department": task.lead_department_id,
        "deadline": task.deadline.isoformat(),
        "actor": actor.pk if actor else None,
        "comment": comment,
        **extra,
    }


def task_assign(*, task: Task | int, actor: User, comment: str = "") -> Task:
    """交办: the supervision office sends a draft to its lead department."""
    return _move(task=task, actor=actor, action=TaskAction.ASSIGN, comment=comment)


def task_accept(*, task: Task | int, actor: User, comment: str = "") -> Task:
    """签收: the lead department signs for the task."""
    return _move(task=task, actor=actor, action=TaskAction.ACCEPT, comment=comment)


def task_submit(*, task: Task | int, actor: User, summary: str) -> Task:
    """申请办结: the lead department reports the task done and asks for closure."""
    return _move(
        task=task,
        actor=actor,
        action=TaskAction.SUBMIT,
        comment=summary,
        required=("summary", "申请办结须填写办结情况。"),
    )


def task_verify(*, task: Task | int, actor: User, approved: bool, comment: str = "") -> Task:
    """核验: the supervision office closes (销号) or returns the task with a reason."""
    if approved:
        return _move(task=task, actor=actor, action=TaskAction.CLOSE, comment=comment)
    return _move(
        task=task,
        actor=actor,
        action=TaskAction.RETURN,
        comment=comment,
        required=("comment", "退回须说明理由。"),
    )


def task_cancel(*, task: Task | int, actor: User, reason: str) -> Task:
    """撤销: the supervision office withdraws an open task, with a reason."""
    return _move(
        task=task,
        actor=actor,
        action=TaskAction.CANCEL,
        comment=reason,
        required=("reason", "撤销须说明理由。"),
    )


def task_reopen(*, task: Task | int, actor: User, deadline, reason: str) -> Task:
    """二次办理: a submitted or closed task goes back to 办理中 with a new deadline (and so a
    fresh reminder ladder); only ``supervision.kinds`` calls it, for a 不满意 proposal."""
    return _move(
        task=task,
        actor=actor,
        action=TaskAction.REOPEN,
        comment=reason,
        required=("comment", "二次办理须说明理由。"),
        updates={"deadline": deadline, "submitted_at": None, "closed_at": None},
    )


def task_reassign(*, task: Task | int, actor: User, department, reason: str, notify=None) -> Task:
    """调整牵头单位: the task goes back to 已交办 under ``department``, which 签收s afresh (its
    own ladder: reminders are keyed by department); only ``supervision.phases.reassign``
    calls it, deciding a lead unit's request."""
    return _move(
        task=task,
        actor=actor,
        action=TaskAction.REASSIGN,
        comment=reason,
        updates={"lead_department": department, "accepted_at": None},
        notify=notify,
    )
