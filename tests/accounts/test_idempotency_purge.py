"""Idempotency keys are remembered 24 hours; an hourly beat task forgets older ones."""

import datetime as dt

import pytest
from django.conf import settings

from accounts.models import IdempotencyRecord
from accounts.tasks import purge_idempotency_records
from config.celery import app
from core import clock

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2024, 6, 28, 10, 0, tzinfo=dt.UTC)


def record(user, key: str, age: dt.timedelta) -> IdempotencyRecord:
    row = IdempotencyRecord.objects.create(
        user=user, key=key, method="POST", path="/api/v1/tasks/", status_code=201, body={}
    )
    IdempotencyRecord.objects.filter(pk=row.pk).update(created_at=NOW - age)
    return row


def test_the_beat_task_forgets_keys_older_than_a_day(owner, supervisor):
    record(owner, "old", dt.timedelta(hours=24, seconds=1))
    record(supervisor, "older", dt.timedelta(days=9))
    record(owner, "fresh", dt.timedelta(hours=23, minutes=59))

    with clock.override(NOW):
        deleted = purge_idempotency_records.apply().get()

    assert deleted == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_beat_runs_it_every_hour():
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "accounts.tasks.purge_idempotency_records"
    )
    assert entry["schedule"].hour == set(range(24))
    assert "accounts.tasks.purge_idempotency_records" in app.tasks
