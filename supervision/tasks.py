"""Celery tasks: thin wrappers that load ids and call services (STYLE.md, "Celery").

Due dates live in the database and beat scans for them; nothing here is scheduled with a
long countdown. Webhook tasks live in ``supervision.webhooks.tasks``.
"""

import logging

from celery import shared_task

from config.celery import RETRY, enqueue
from supervision.files.tasks import (  # noqa: F401
    issue_duban_notices,
    purge_staged_attachments,
    render_document_pdf,
)
from supervision.reminders import delivery
from supervision.reminders.scan import scan_deadlines as scan_deadlines_service

logger = logging.getLogger(__name__)


@shared_task(**RETRY)
def scan_deadlines() -> int:
    total = scan_deadlines_service().total
    # 督办通知书 for tasks at the 督办 rung: every time, so one missed run is caught up.
    enqueue("supervision.files.tasks.issue_duban_notices")
    return total


@shared_task(**RETRY)
def deliver_reminders() -> int:
    return delivery.deliver_pending()


@shared_task(**RETRY)
def send_notification_emails() -> int:
    return delivery.send_immediate_emails()


@shared_task(**RETRY)
def send_daily_digest() -> int:
    return delivery.send_daily_digest()


@shared_task(**RETRY)
def compile_weekly_notice() -> int:
    return delivery.compile_weekly_notice()
