"""督办通知书 issued by the ladder: when a task's deadline reaches the 督办 rung, the office's
system user issues one through ``document_generate`` — once per task and deadline (a later
通报 rung, a rerun or a second worker issues nothing more; an approved extension starts a new
ladder and so may earn a new notice). Runs after every deadline scan; idempotent."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef

from accounts.services import system_user
from core.errors import DomainError
from supervision.choices import ReminderKind, ReminderLevel, TaskStatus
from supervision.files.choices import DocumentType
from supervision.files.documents.services import document_generate
from supervision.files.models import Document
from supervision.loop.models import Task
from supervision.reminders.models import Reminder

logger = logging.getLogger(__name__)

# 通报 is above 督办: a task first seen there (a scan after a pause) has passed 督办 as well.
LEVELS = (ReminderLevel.ESCALATED, ReminderLevel.NOTICE)
IN_HAND = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)


def pending():
    """Deadline reminders of tasks in hand at 督办 or above, for the task's current deadline
    and lead unit, whose (task, deadline) has no notice from the ladder yet."""
    issued = Document.objects.filter(
        reminder__kind=ReminderKind.DEADLINE,
        reminder__task=OuterRef("task"),
        reminder__deadline=OuterRef("deadline"),
    )
    return (
        Reminder.objects.filter(
            kind=ReminderKind.DEADLINE,
            level__in=LEVELS,
            task__isnull=False,
            node__isnull=True,
            task__status__in=IN_HAND,
            task__deadline=F("deadline"),
            task__lead_department=F("department"),
        )
        .exclude(Exists(issued))
        .order_by("task_id", "deadline", "level")  # escalated before notice
    )


def issue_duban_notices(*, limit: int = 500) -> int:
    """Issue the 督办通知书 the ladder owes (at most ``limit`` per run); returns how many."""
    if not settings.DOCUMENTS_AUTO_DUBAN:
        return 0
    due: dict[tuple, int] = {}
    for pk, task_id, deadline in pending().values_list("pk", "task_id", "deadline"):
        due.setdefault((task_id, deadline), pk)
        if len(due) >= limit:
            break
    if not due:
        return 0
    actor = system_user()
    issued = 0
    for (task_id, _deadline), reminder_id in due.items():
        try:
            issued += _issue(task_id, reminder_id, actor)
        except (DomainError, ValidationError) as exc:  # the task changed meanwhile
            logger.warning("no 督办通知书 for task %s: %s", task_id, exc)
    logger.info("issued %s 督办通知书 from the ladder", issued)
    return issued


@transaction.atomic
def _issue(task_id: int, reminder_id: int, actor) -> int:
    # The task's row lock serialises workers; under it, look again.
    task = Task.objects.select_for_update().filter(pk=task_id).first()
    reminder = pending().filter(pk=reminder_id, task_id=task_id).first()
    if task is None or reminder is None:
        return 0
    document_generate(actor=actor, type=DocumentType.DUBAN, task=task, reminder=reminder)
    return 1
