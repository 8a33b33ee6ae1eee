import os
from contextlib import ExitStack

from celery import Celery, signals
from django.conf import settings
from django.db import OperationalError

from core.db import REPLICA, tracking_writes

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


# With a read replica, a task's writes are recorded like a request's (core/db.py): the
# next reads wait for the replica to replay them (the scan's reminders, the dashboard).
_write_tracking: dict[str, ExitStack] = {}


@signals.task_prerun.connect
def _track_task_writes(task_id=None, **kwargs):
    if REPLICA in settings.DATABASES:
        _write_tracking[task_id] = stack = ExitStack()
        stack.enter_context(tracking_writes())


@signals.task_postrun.connect
def _record_task_writes(task_id=None, **kwargs):
    stack = _write_tracking.pop(task_id, None)
    if stack is not None:
        stack.close()


def enqueue(name: str, *args) -> None:
    """Queue the Celery task ``name`` with ``args``.

    Services call this (inside ``transaction.on_commit``) instead of importing a tasks
    module: task modules import services, never the other way round.
    """
    if app.conf.task_always_eager:
        app.tasks[name].apply(args)
    else:
        app.send_task(name, args=args)
