"""Acknowledging reminders (确认收到催办), manual 催办 and reading notifications."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import Department, User
from config.celery import enqueue
from core import clock, events
from core.errors import DomainError, NotPermitted
from supervision import cache
from supervision.choices import NodeStatus, ReminderKind, ReminderLevel, TaskAction, TaskStatus
from supervision.loop.models import EscalationPolicy, Task, TaskEvent
from supervision.loop.querysets import light_thresholds
from supervision.loop.transitions import is_supervisor, lock_task, record_event, task_payload
from supervision.phases.models import Node
from supervision.reminders.models import Notification, NotificationPreference, Reminder

# Work a unit is answerable for: sent and not yet reported done.
URGEABLE_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)
DEFAULT_URGE = "请抓紧办理，并及时反馈进展。"
MESSAGE_MAX = 500


@transaction.atomic
def reminder_acknowledge(*, reminder: Reminder, actor: User) -> Reminder:
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if not (actor.is_owner and actor.department_id == reminder.department_id):
        raise NotPermitted("只有被提醒单位可以确认收到催办。")
    if reminder.acknowledged_at is not None:
        raise DomainError(f"该提醒已于 {clock.localdate(reminder.acknowledged_at)} 确认收到。")
    reminder.acknowledged_at = clock.now()
    reminder.acknowledged_by = actor
    reminder.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return reminder


def can_urge(user: User, task: Task) -> bool:
    """催办 by hand: the supervision office, on work sent and not yet reported done."""
    return is_supervisor(user) and task.status in URGEABLE_STATUSES


def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationError({"message": f"催办意见不能超过 {MESSAGE_MAX} 个字。"})
    return message or DEFAULT_URGE


def _manual(task: Task, actor: User, message: str, now) -> Reminder:
    return Reminder(
        kind=ReminderKind.MANUAL,
        level=ReminderLevel.OVERDUE,
        task=task,
        department_id=task.lead_department_id,
        deadline=task.deadline,
        created_at=now,
        deliver_after=now,
        message=message,
        created_by=actor,
    )


def _urged_today(now):
    return Reminder.objects.filter(
        kind=ReminderKind.MANUAL, created_at__gte=clock.start_of(clock.localdate(now))
    )


def _after_urging(reminders: list[Reminder], actor: User) -> None:
    for reminder in reminders:
        events.publish(
            "task.urged",
            task_payload(reminder.task, actor, reminder.message, reminder=reminder.pk),
        )
    transaction.on_commit(lambda: enqueue("supervision.tasks.deliver_reminders"))


@transaction.atomic
def task_urge(*, task: Task | int, actor: User, message: str = "") -> Reminder:
    """催办 one task by hand: a ``kind=manual`` reminder in the outbox, delivered to the lead
    department like any rung (in-app, e-mail, ``task.urged`` webhook). Once a day per task."""
    task = lock_task(task)
    if not is_supervisor(actor):
        raise NotPermitted("只有督查办可以催办。")
    if task.status not in URGEABLE_STATUSES:
        raise DomainError(f"事项当前状态为“{task.get_status_display()}”，不能催办。")
    message = _clean_message(message)
    now = clock.now()
    earlier = _urged_today(now).filter(task=task).order_by("created_at").first()
    if earlier is not None:
        raise DomainError(
            f"该事项今天 {timezone.localtime(earlier.created_at):%H:%M} 已催办，请勿重复催办。"
        )
    reminder = _manual(task, actor, message, now)
    reminder.full_clean()
    reminder.save()
    # In the task's log; the unit hears of it through the reminder, not twice.
    record_event(
        task=task,
        actor=actor,
        action=TaskAction.URGE,
        comment=message,
        data={"reminder": reminder.pk},
        notify=[],
    )
    _after_urging([reminder], actor)
    return reminder


def urgeable_overdue(today, policy: EscalationPolicy | None = None):
    """Open work at least one working day overdue that the lead unit is answerable for: its
    deadline or an approved node not done (the light's ``first_due``, issue 13 item 3)."""
    policy = policy or EscalationPolicy.current()
    last_workday, _ = light_thresholds(today, policy.warning_days)
    late_node = Node.objects.filter(
        task=OuterRef("pk"), status=NodeStatus.APPROVED, due_date__lt=last_workday
    )
    return Task.objects.filter(
        Q(deadline__lt=last_workday) | Exists(late_node), status__in=URGEABLE_STATUSES
    )


def overdue_by_unit(today) -> list[dict]:
    """Units with urgeable overdue work: ``{"id", "name", "label", "count"}`` (``label``: the
    unit's one displayed form, its short name), most first (one query)."""
    return units_by_count(urgeable_overdue(today), Count("pk"))


def units_by_count(queryset, count) -> list[dict]:
    """``queryset`` (rows with a ``lead_department``) counted per unit by ``count``:
    ``{"id", "name", "label", "count"}``, most first."""
    rows = list(
        queryset.values("lead_department")
        .annotate(count=count)
        .values(
            "count",
            id=F("lead_department"),
            name=F("lead_department__name"),
            short_name=F("lead_department__short_name"),
        )
        .order_by("-count", "name")
    )
    for row in rows:
        row["label"] = row.pop("short_name") or row["name"]
    return rows


@transaction.atomic
def department_urge_overdue(*, department: Department, actor: User, message: str = "") -> int:
    """催办 every overdue task of one unit at once (those not already urged today)."""
    if not is_supervisor(actor):
        raise NotPermitted("只有督查办可以催办。")
    message = _clean_message(message)
    now = clock.now()
    tasks = list(
        urgeable_overdue(clock.localdate(now))
        .select_for_update(of=("self",))
        .filter(lead_department=department)
        .exclude(pk__in=_urged_today(now).values("task_id"))
        .order_by("deadline", "code")
    )
    reminders = Reminder.objects.bulk_create([_manual(t, actor, message, now) for t in tasks])
    cache.bump()  # bulk inserts fire no signals
    for reminder, task in zip(reminders, tasks, strict=True):
        reminder.task = task
    TaskEvent.objects.bulk_create(
        TaskEvent(
            task=r.task,
            actor=actor,
            action=TaskAction.URGE,
            comment=message,
            data={"reminder": r.pk},
            created_at=now,
        )
        for r in reminders
    )
    _after_urging(reminders, actor)
    return len(reminders)


def notification_read(*, notification: Notification, actor: User) -> Notification:
    if notification.recipient_id != actor.pk:
        raise NotPermitted("只能标记自己的消息。")
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_preference_save(
    *, actor: User, email_mode: str, muted: list[str]
) -> NotificationPreference:
    """One's own notification settings (e-mail mode, loop steps not to hear about)."""
    unknown = set(muted) - set(TaskAction.values)
    if unknown:
        raise ValidationError({"muted": f"未知的流转步骤：{'、'.join(sorted(unknown))}"})
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    preference.email_mode = email_mode
    preference.muted = sorted(set(muted))
    preference.full_clean()
    preference.save()
    return preference
