"""Celery tasks of the webhook outbox (thin: they take ids and call the services).

Retries wait seconds to minutes, and a sweeper re-sends any delivery whose retry message was
lost, so the database stays the one source of truth.
"""

from celery import shared_task

from config.celery import RETRY
from supervision.webhooks import services as webhooks


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
