"""Filing and editing a task with its kind details; meetings; the per-source policy.

``task_file`` and ``task_revise`` wrap ``supervision.loop.services.task_create`` /
``task_update`` (the one path that writes a task and its event) and write the kind's
detail record in the same transaction; the detail's changes are logged in the task's
EDIT event. Errors on a detail's fields are keyed ``"<kind>.<field>"``.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models, transaction

from accounts import audit
from accounts.models import User
from core import clock
from supervision.choices import TaskStatus
from supervision.kinds import policies
from supervision.kinds.models import (
    InstructionDetail,
    Meeting,
    MeetingItem,
    ProblemDetail,
    ProposalDetail,
    SourcePolicy,
)
from supervision.loop import services as loop_services
from supervision.loop import transitions
from supervision.loop.models import Task

DETAIL_MODELS = {
    "instruction": InstructionDetail,
    "proposal": ProposalDetail,
    "problem": ProblemDetail,
}
# The fields a client writes on each detail (the reply and the proposer's answer have their
# own services: ``supervision.kinds.proposals``).
DETAIL_FIELDS = {
    "instruction": (
        "leader",
        "instructed_on",
        "text",
        "document_title",
        "document_number",
        "urgency",
    ),
    "meeting": ("name", "held_on", "minutes_number"),
    "proposal": ("number", "proposer", "proposer_contact", "category", "assist_departments"),
    "problem": (
        "origin",
        "found_on",
        "description",
        "rectification_goal",
        "measures",
        "recurring",
        "recurs_of",
    ),
}


def _plain(value):
    if isinstance(value, models.Model):  # a unit, a leader, an earlier problem
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(_plain(v) for v in value)
    return value


def _check_kinds(source: str, details: dict) -> str | None:
    """The detail name ``source`` takes; refuse details of another kind."""
    name = policies.DETAIL_OF.get(source)
    for given in details:
        if given not in DETAIL_FIELDS:
            raise ValueError(f"unknown kind detail: {given}")
        if given != name:
            label = policies.DETAIL_LABELS[given]
            raise ValidationError(
                {given: f"来源为“{Task(source=source).get_source_display()}”的事项不填写{label}。"}
            )
    return name


def _prefixed(name: str, exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return ValidationError({name: exc.messages})
    return ValidationError(
        {
            (name if field == "__all__" else f"{name}.{field}"): messages
            for field, messages in exc.message_dict.items()
        }
    )


def _leader_check(user) -> None:
    if user is not None and not (user.is_active and user.role == "leader"):
        raise ValidationError({"instruction.leader": "批示领导须为在岗的区领导账号。"})


def _save_detail(task: Task, name: str, data: dict) -> dict:
    """Create or update ``task``'s ``name`` detail from ``data``; returns the changes."""
    unknown = set(data) - set(DETAIL_FIELDS[name])
    if unknown:
        raise ValueError(f"unknown {name} fields: {sorted(unknown)}")
    if name == "meeting":
        return _save_meeting(task, data)
    model = DETAIL_MODELS[name]
    detail = model.objects.filter(task=task).first() or model(task=task)
    created = detail.pk is None
    if name == "instruction":
        _leader_check(data.get("leader"))
    assist = data.pop("assist_departments", None) if name == "proposal" else None
    changes = {}
    for field, value in data.items():
        old = getattr(detail, field, None) if not created else None
        if isinstance(value, str):
            value = value.strip()
        if created or old != value:
            changes[f"{name}.{field}"] = [_plain(old), _plain(value)]
            setattr(detail, field, value)
    if name == "problem":
        _problem_recurrence(task, detail, changes)
    try:
        detail.full_clean(exclude=["task"])
    except ValidationError as exc:
        raise _prefixed(name, exc) from None
    if changes or created:
        detail.save()
    if assist is not None:
        old_ids = sorted(detail.assist_departments.values_list("pk", flat=True))
        new_ids = sorted({d.pk for d in assist})
        if task.lead_department_id in new_ids:
            raise ValidationError({"proposal.assist_departments": "协办单位不能是主办单位。"})
        if old_ids != new_ids:
            changes[f"{name}.assist_departments"] = [old_ids, new_ids]
            detail.assist_departments.set(new_ids)
    return changes


def _problem_recurrence(task: Task, detail, changes: dict) -> None:
    """A problem that comes back after its 销号 names the earlier one: it is flagged 反复出现."""
    earlier = detail.recurs_of
    if earlier is None:
        return
    if (
        earlier.pk == task.pk
        or earlier.source != task.source
        or earlier.status != TaskStatus.CLOSED
    ):
        raise ValidationError({"problem.recurs_of": "前次问题须为另一件已销号的问题整改事项。"})
    if not detail.recurring:
        changes["problem.recurring"] = [False, True]
        detail.recurring = True


def _save_meeting(task: Task, data: dict) -> dict:
    """The task becomes (or stays) an item of the meeting ``data`` names (found or created)."""
    name = (data.get("name") or "").strip()
    errors = {}
    if not name:
        errors["meeting.name"] = "请填写会议名称。"
    if not data.get("held_on"):
        errors["meeting.held_on"] = "请填写会议日期。"
    if errors:
        raise ValidationError(errors)
    number = (data.get("minutes_number") or "").strip()
    meeting = Meeting.objects.filter(
        name=name, held_on=data["held_on"], minutes_number=number
    ).first()
    if meeting is None:
        meeting = Meeting(name=name, held_on=data["held_on"], minutes_number=number)
        try:
            meeting.full_clean()
        except ValidationError as exc:
            raise _prefixed("meeting", exc) from None
        meeting.save()
    item = MeetingItem.objects.filter(task=task).select_related("meeting").first()
    if item is not None and item.meeting_id == meeting.pk:
        return {}
    old = str(item.meeting) if item else None
    if item is not None:
        item.delete()
    MeetingItem.objects.create(task=task, meeting=meeting, sequence=_next_item(meeting))
    return {"meeting": [old, str(meeting)]}


def _next_item(meeting: Meeting) -> int:
    last = meeting.items.order_by("-sequence").values_list("sequence", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def task_file(
    *,
    actor: User,
    source: str,
    details: dict | None = None,
    deadline: dt.date | None = None,
    merged_with=(),
    **fields,
) -> Task:
    """File a draft task of any kind with its details (the office).

    Without a ``deadline`` the kind's policy gives one (a 批示件's from its urgency, a
    proposal's three months from 交办); a kind whose policy requires details refuses a
    task without them.
    """
    details = {name: dict(data) for name, data in (details or {}).items() if data is not None}
    name = _check_kinds(source, details)
    policy = policies.policy_for(source)
    if name and policy.detail_required and name not in details:
        label = policies.DETAIL_LABELS[name]
        raise ValidationError({name: f"该类事项须填写{label}。"})
    if deadline is None:
        deadline, auto = policies.default_deadline(
            source, today=clock.today(), instruction=details.get("instruction")
        )
        if deadline is None:
            raise ValidationError({"deadline": "请填写办理时限（该类事项没有默认时限）。"})
        fields["deadline_auto"] = auto
    task = loop_services.task_create(actor=actor, source=source, deadline=deadline, **fields)
    for detail_name, data in details.items():
        _save_detail(task, detail_name, data)
    if merged_with:
        from supervision.kinds.merge import proposal_merge

        proposal_merge(main=task, others=list(merged_with), actor=actor)
    return task


@transaction.atomic
def task_revise(
    *,
    task: Task | int,
    actor: User,
    details: dict | None = None,
    reason: str = "",
    merged_with=None,
    **fields,
) -> Task:
    """Edit a task and its kind details in one logged EDIT event (``reason`` is its comment).

    A deadline given by hand ends the policy's recomputation at 交办. In a draft the
    source may change (details of the old kind are dropped); later it may not.
    """
    loop_services._require_supervisor(actor, "修改督办事项")
    task = transitions.lock_task(task)
    if not task.is_open:
        raise transitions.TransitionNotAllowed(f"事项已{task.get_status_display()}，不能修改。")
    details = {name: dict(data) for name, data in (details or {}).items() if data is not None}
    source = fields.get("source", task.source)
    name = _check_kinds(source, details)
    changes = {}
    if source != task.source:
        if task.status != TaskStatus.DRAFT:
            raise ValidationError({"source": "已交办的事项不能更改来源。"})
        changes.update(_drop_details(task, keep=name))
    if "deadline" in fields and fields["deadline"] != task.deadline:
        fields.setdefault("deadline_auto", False)
    for detail_name, data in details.items():
        changes.update(_save_detail(task, detail_name, data))
    policy = policies.policy_for(source)
    if name and policy.detail_required and not _has_detail(task, name):
        raise ValidationError({name: f"该类事项须填写{policies.DETAIL_LABELS[name]}。"})
    task = loop_services.task_update(
        task=task, actor=actor, reason=reason, more_changes=changes, **fields
    )
    if merged_with:
        from supervision.kinds.merge import proposal_merge

        proposal_merge(main=task, others=list(merged_with), actor=actor)
    return task


def _has_detail(task: Task, name: str) -> bool:
    if name == "meeting":
        return MeetingItem.objects.filter(task=task).exists()
    return DETAIL_MODELS[name].objects.filter(task=task).exists()


def _drop_details(task: Task, keep: str | None) -> dict:
    dropped = {}
    for name, model in DETAIL_MODELS.items():
        if name != keep and model.objects.filter(task=task).delete()[0]:
            dropped[name] = ["（已删除）", None]
    if keep != "meeting" and MeetingItem.objects.filter(task=task).delete()[0]:
        dropped["meeting"] = ["（已删除）", None]
    return dropped


@transaction.atomic
def meeting_file(
    *,
    actor: User,
    name: str,
    held_on: dt.date,
    minutes_number: str = "",
    items: list[dict],
    assign: bool = False,
) -> tuple[Meeting, list[Task]]:
    """A meeting and its 议定事项 entered together: one draft task per item (``source`` 区委区政府
    决策), numbered in order; with ``assign`` all are 交办 at once. All items or none.

    Each item: ``title``, ``lead_department``, ``deadline``, ``domain`` and optionally
    ``content``, ``co_departments``, ``priority``. Errors are keyed ``items.<n>.<field>``.
    """
    loop_services._require_supervisor(actor, "录入会议议定事项")
    if not items:
        raise ValidationError({"items": "请至少填写一项议定事项。"})
    meeting_data = {"name": name, "held_on": held_on, "minutes_number": minutes_number}
    Meeting(**meeting_data).full_clean()  # errors on name / held_on / minutes_number
    tasks, errors = [], {}
    for index, item in enumerate(items):
        try:
            with transaction.atomic():
                task = loop_services.task_create(actor=actor, source="decision", **item)
                _save_meeting(task, meeting_data)
        except ValidationError as exc:
            for field, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                key = f"items.{index}" if field == "__all__" else f"items.{index}.{field}"
                errors[key] = messages
            continue
        tasks.append(task)
    if errors:
        raise ValidationError(errors)
    if assign:
        tasks = [transitions.task_assign(task=task, actor=actor) for task in tasks]
    meeting = MeetingItem.objects.get(task=tasks[0]).meeting
    return meeting, tasks


def tasks_assign(*, tasks, actor: User, comment: str = "") -> tuple[list[Task], list[tuple]]:
    """批量交办: each task in its own transaction; returns (assigned, [(task, why not)])."""
    from core.errors import DomainError

    done, refused = [], []
    for task in tasks:
        try:
            done.append(transitions.task_assign(task=task, actor=actor, comment=comment))
        except (DomainError, ValidationError) as exc:
            refused.append((task, getattr(exc, "message", "；".join(getattr(exc, "messages", [])))))
    return done, refused


@transaction.atomic
def source_policy_save(*, actor: User, source: str, **fields) -> SourcePolicy:
    """The office edits a kind's policy (audited: before and after)."""
    loop_services._require_supervisor(actor, "修改督办件类别规则")
    policy = SourcePolicy.objects.select_for_update().filter(source=source).first()
    before = audit.snapshot(policy) if policy else None
    policy = policy or policies.default_policy(source)
    for field, value in fields.items():
        setattr(policy, field, value)
    policy.updated_by = actor
    policy.updated_at = clock.now()
    policy.full_clean()
    policy.save()
    audit.record(
        actor=actor,
        action="update" if before else "create",
        instance=policy,
        before=before,
        after=audit.snapshot(policy),
    )
    return policy
