"""Celery tasks of ``accounts``: thin wrappers around services."""

from celery import shared_task

from config.celery import RETRY


@shared_task(**RETRY)
def purge_idempotency_records() -> int:
    from accounts.services import idempotency_records_purge

    return idempotency_records_purge()
