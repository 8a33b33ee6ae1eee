"""Acknowledging reminders (签收催办) and reading notifications."""

from django.db import transaction

from accounts.models import User
from config import clock
from config.errors import DomainError, NotPermitted
from supervision.reminders.models import Notification, Reminder


@transaction.atomic
def reminder_acknowledge(*, reminder: Reminder, actor: User) -> Reminder:
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if not (actor.is_owner and actor.department_id == reminder.department_id):
        raise NotPermitted("只有被提醒单位可以签收催办。")
    if reminder.acknowledged_at is not None:
        raise DomainError(f"该提醒已于 {clock.localdate(reminder.acknowledged_at)} 签收。")
    reminder.acknowledged_at = clock.now()
    reminder.acknowledged_by = actor
    reminder.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return reminder


def notification_read(*, notification: Notification, actor: User) -> Notification:
    if notification.recipient_id != actor.pk:
        raise NotPermitted("只能标记自己的消息。")
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification
