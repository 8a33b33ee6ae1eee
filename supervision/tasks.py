"""Celery tasks: thin wrappers that load ids and call services (STYLE.md, "Celery").

Due dates live in the database and beat scans for them; nothing here is scheduled with a
long countdown. Webhook retries wait seconds to minutes, and a sweeper re-sends any delivery
whose retry message was lost, so the database stays the one source of truth.
"""

import logging

from celery import shared_task
from django.db import OperationalError

from supervision import delivery, webhooks
from supervision.scan import scan_deadlines as scan_deadlines_service

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, ConnectionError, TimeoutError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(**RETRY)
def scan_deadlines() -> int:
    return scan_deadlines_service().total


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


@shared_task(bind=True, **RETRY)
def send_webhook(self, delivery_id: int) -> None:
    retry_in = webhooks.attempt_delivery(delivery_id)
    if retry_in is not None:
        send_webhook.apply_async((delivery_id,), countdown=retry_in)


@shared_task(**RETRY)
def sweep_webhooks() -> int:
    """Re-send deliveries whose next attempt is overdue (a lost retry message, a restart)."""
    ids = webhooks.overdue_deliveries()
    for pk in ids:
        send_webhook.delay(pk)
    return len(ids)
