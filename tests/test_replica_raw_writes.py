"""Writes that bypass the router (raw SQL) still pin later reads to the primary and record
the WAL position (core/db.py), as ORM writes do."""

import datetime as dt

import pytest
from celery import signals
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, router, transaction

from core.db import REPLICA, WRITTEN_LSN_KEY, tracking_writes
from supervision import cache as versions
from supervision.loop.models import Task
from supervision.reminders.models import Reminder
from supervision.reminders.scan import scan_deadlines
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_scans_raw_inserts_record_the_wal_position(settings):
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    factories.TaskFactory(status="in_progress", deadline=dt.date(2024, 6, 20))
    cache.delete(WRITTEN_LSN_KEY)

    signals.task_prerun.send(sender=None, task_id="scan-1", task=None)
    result = scan_deadlines()
    signals.task_postrun.send(sender=None, task_id="scan-1", task=None)

    assert result.total == 1
    assert Reminder.objects.exists()
    # The next request must not read a replica that has not replayed these reminders (the
    # scan bumped the data version: a summary read from before them would be kept under it).
    assert cache.get(WRITTEN_LSN_KEY)


def test_a_raw_write_pins_the_rest_of_a_replica_scope_to_the_primary():
    task = factories.TaskFactory()
    cache.delete(WRITTEN_LSN_KEY)
    with tracking_writes() as scope:  # a request's scope, as the middleware opens it
        scope.replica = True  # a list view
        assert router.db_for_read(Task) == REPLICA
        with connection.cursor() as cursor:
            cursor.execute("UPDATE supervision_task SET title = %s WHERE id = %s", ["改", task.pk])
        assert router.db_for_read(Task) == DEFAULT_DB_ALIAS
    assert cache.get(WRITTEN_LSN_KEY)


def test_raw_writes_to_identity_tables_record_nothing():
    user = factories.UserFactory()
    cache.delete(WRITTEN_LSN_KEY)
    with tracking_writes() as scope, connection.cursor() as cursor:
        cursor.execute('UPDATE "accounts_user" SET last_login = NOW() WHERE id = %s', [user.pk])
    assert not scope.wrote
    assert cache.get(WRITTEN_LSN_KEY) is None


def test_the_wal_position_is_known_when_the_commit_bumps_the_data_version(monkeypatch):
    """A reader between the commit (which bumps the data version) and the scope's end must
    not judge the replica caught up against an older position and cache what it read from
    before the write under the new version."""
    task = factories.TaskFactory()
    cache.delete(WRITTEN_LSN_KEY)
    seen = []
    bump_now = versions._bump_now

    def spy():
        seen.append(cache.get(WRITTEN_LSN_KEY))
        bump_now()

    monkeypatch.setattr(versions, "_bump_now", spy)
    with tracking_writes():
        with transaction.atomic():
            task.title = "改"
            task.save()
        # (the view goes on serializing and rendering before the scope ends)
        assert len(seen) == 2  # in the transaction, and at its commit
        assert seen[-1] is not None
