import os

from celery import Celery
from django.db import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("wulong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Retried only for transient errors, with backoff and jitter, a bounded number of times.
RETRY = {
    "autoretry_for": (OperationalError, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


def enqueue(name: str, *args) -> None:
    """Queue the Celery task ``name`` with ``args``.

    Services call this (inside ``transaction.on_commit``) instead of importing a tasks
    module: task modules import services, never the other way round.
    """
    if app.conf.task_always_eager:
        app.tasks[name].apply(args)
    else:
        app.send_task(name, args=args)
