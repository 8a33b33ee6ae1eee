"""Delivering reminders from the outbox: in-app notifications, e-mail and webhooks.

``deliver_pending`` locks a batch of unsent reminders (``SKIP LOCKED``), writes one
notification per recipient (unique per reminder and recipient) and the webhook outbox rows,
and marks the batch sent — all in one transaction. A worker killed halfway leaves the batch
unsent, and the next run delivers it; nothing is sent twice because nothing commits twice.
"""

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string

from accounts.choices import EmailMode, Role
from accounts.models import User
from config.celery import enqueue
from core import clock
from supervision import cache
from supervision.choices import LEVEL_RANK, EmailPreference, ReminderKind, ReminderLevel
from supervision.loop.workdays import is_workday
from supervision.reminders.models import Notification, Reminder
from supervision.webhooks.services import enqueue_events

logger = logging.getLogger(__name__)

BATCH = 200


def _subject_line(reminder: Reminder) -> tuple[str, str, str]:
    """(title, body, link) in Chinese for one reminder."""
    level = reminder.get_level_display()
    if reminder.kind == ReminderKind.MANUAL:
        task = reminder.task
        return (
            f"【催办】{task.code} {task.title}"[:200],
            f"督查办催办督办事项“{task.title}”（{task.code}），办理时限 {reminder.deadline}："
            f"{reminder.message}请确认收到催办，并抓紧办理。",
            f"/api/v1/tasks/{task.pk}/",
        )
    if reminder.task_id:
        task = reminder.task
        what = {
            ReminderKind.DEADLINE: f"办理时限 {reminder.deadline}",
            ReminderKind.ACCEPTANCE: f"签收时限 {reminder.deadline}（尚未签收）",
            ReminderKind.REPORT: f"进展报送截止 {reminder.deadline}（本期尚未报送）",
            ReminderKind.NODE: (
                f"阶段节点“{reminder.node.title}”计划完成日期 {reminder.deadline}"
                if reminder.node_id
                else f"阶段节点计划完成日期 {reminder.deadline}"
            ),
        }[reminder.kind]
        return (
            f"【{level}】{task.code} {task.title}"[:200],
            f"督办事项“{task.title}”（{task.code}），{what}。请抓紧办理并及时反馈。",
            f"/api/v1/tasks/{task.pk}/",
        )
    milestone = reminder.milestone
    return (
        f"【{level}】{milestone.project.name} · {milestone.name}"[:200],
        f"重点项目“{milestone.project.name}”节点“{milestone.name}”计划于 {reminder.deadline} 完成。",
        f"/api/v1/milestones/{milestone.pk}/",
    )


def _recipients(batch, owners_by_dept, supervisors) -> dict[int, list[int]]:
    """Who is told, by rung: the department always; the office from 催办; the leader from 督办."""
    result = {}
    for reminder in batch:
        people = set(owners_by_dept.get(reminder.department_id, ()))
        if reminder.kind == ReminderKind.MANUAL:  # the office sent it: the unit is told
            result[reminder.pk] = sorted(people)
            continue
        rank = LEVEL_RANK[reminder.level]
        if rank >= LEVEL_RANK[ReminderLevel.OVERDUE]:
            people |= supervisors
        if rank >= LEVEL_RANK[ReminderLevel.ESCALATED]:
            leader = (
                reminder.task.responsible_leader_id
                if reminder.task_id
                else reminder.milestone.project.responsible_leader_id
            )
            if leader:
                people.add(leader)
        result[reminder.pk] = sorted(people)
    return result


def deliver_pending(*, now: dt.datetime | None = None, batch_size: int = BATCH) -> int:
    """Deliver every reminder whose time has come; safe to run twice or to be killed."""
    now = now or clock.now()
    delivered = 0
    while True:
        with transaction.atomic():
            batch = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(sent_at__isnull=True, deliver_after__lte=now)
                .select_related("task", "milestone__project", "node")
                .order_by("id")[:batch_size]
            )
            if not batch:
                return delivered
            departments = {r.department_id for r in batch}
            owners_by_dept = defaultdict(list)
            for user_id, dept_id in User.objects.filter(
                is_active=True, role=Role.OWNER, department_id__in=departments
            ).values_list("id", "department_id"):
                owners_by_dept[dept_id].append(user_id)
            supervisors = set(
                User.objects.filter(is_active=True, role=Role.SUPERVISOR).values_list(
                    "id", flat=True
                )
            )
            recipients = _recipients(batch, owners_by_dept, supervisors)
            notifications = []
            for reminder in batch:
                title, body, link = _subject_line(reminder)
                notifications += [
                    Notification(
                        recipient_id=user_id,
                        reminder=reminder,
                        title=title,
                        body=body,
                        link=link,
                        created_at=now,
                    )
                    for user_id in recipients[reminder.pk]
                ]
                reminder.recipients = recipients[reminder.pk]
                reminder.sent_at = now
            Notification.objects.bulk_create(notifications, ignore_conflicts=True)
            enqueue_events([("reminder.created", reminder_payload(r)) for r in batch])
            Reminder.objects.bulk_update(batch, ["recipients", "sent_at"])
            cache.bump()  # bulk updates fire no signals
            delivered += len(batch)
            transaction.on_commit(_enqueue_emails)


def reminder_payload(reminder: Reminder) -> dict:
    return {
        "id": reminder.pk,
        "kind": reminder.kind,
        "level": reminder.level,
        "task": reminder.task_id,
        "milestone": reminder.milestone_id,
        "node": reminder.node_id,
        "department": reminder.department_id,
        "deadline": reminder.deadline.isoformat(),
        "recipients": reminder.recipients,
    }


def _enqueue_emails():
    enqueue("supervision.tasks.send_notification_emails")


def send_immediate_emails(*, limit: int = 500) -> int:
    """E-mail notifications to recipients whose department wants immediate mail.

    At-least-once: a notification is marked after its mail went out, in the same transaction
    that locked it; a crash between the two can repeat one e-mail, never lose one.
    """
    sent = 0
    with transaction.atomic():
        rows = list(_unmailed(EmailMode.IMMEDIATE).order_by("id")[:limit])
        for notification in rows:
            _mail(notification.recipient.email, notification.title, [notification])
            notification.emailed_at = clock.now()
            sent += 1
        Notification.objects.bulk_update(rows, ["emailed_at"])
    return sent


def _unmailed(mode: str):
    """Reminder and loop-step notifications not yet e-mailed to people who want ``mode`` (by
    their own preference, else their department's), locked for this transaction (other
    workers skip them)."""
    follows_unit = Q(recipient__notification_preference__isnull=True) | Q(
        recipient__notification_preference__email_mode=EmailPreference.UNIT
    )
    wants = Q(recipient__notification_preference__email_mode=mode) | (
        follows_unit & Q(recipient__department__email_mode=mode)
    )
    return (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(Q(reminder__isnull=False) | Q(event__isnull=False), emailed_at__isnull=True)
        .exclude(recipient__email="")
        .filter(wants)
        .select_related("recipient")
    )


def _mail(address: str, subject: str, notifications: list[Notification]) -> None:
    context = {"notifications": notifications, "site": settings.SITE_URL}
    send_mail(
        subject=f"[武隆督办] {subject}",
        message=render_to_string("supervision/email/reminders.txt", context),
        html_message=render_to_string("supervision/email/reminders.html", context),
        from_email=None,
        recipient_list=[address],
    )


def send_daily_digest(*, now: dt.datetime | None = None) -> int:
    """One e-mail per person of a digest department with everything not yet mailed."""
    now = now or clock.now()
    if not is_workday(clock.localdate(now)):
        return 0
    sent = 0
    with transaction.atomic():
        rows = list(_unmailed(EmailMode.DIGEST).order_by("recipient_id", "id"))
        by_person = defaultdict(list)
        for notification in rows:
            by_person[notification.recipient].append(notification)
        for person, items in by_person.items():
            _mail(person.email, f"今日督办提醒汇总（{len(items)} 条）", items)
            for item in items:
                item.emailed_at = now
            sent += 1
        Notification.objects.bulk_update(rows, ["emailed_at"])
    return sent


def compile_weekly_notice(*, now: dt.datetime | None = None) -> int:
    """Monday 09:00: tell the office and the leaders which subjects reached 通报 this week."""
    now = now or clock.now()
    week = f"{now:%G}年第{now:%V}周"
    title = f"{week}通报事项清单"
    since = now - dt.timedelta(days=7)
    items = list(
        Reminder.objects.filter(level=ReminderLevel.NOTICE, created_at__gte=since)
        .select_related("task", "milestone__project", "department")
        .order_by("department__code", "deadline")
    )
    if not items:
        return 0
    lines = [f"{r.department}：{_subject_line(r)[0]}" for r in items]
    people = User.objects.filter(is_active=True, role__in=[Role.SUPERVISOR, Role.LEADER]).exclude(
        notifications__title=title
    )
    Notification.objects.bulk_create(
        [
            Notification(recipient=person, title=title, body="\n".join(lines), created_at=now)
            for person in people
        ]
    )
    return len(items)
