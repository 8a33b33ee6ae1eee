"""Races on PostgreSQL with real connections: the test holds a row lock, starts the racers
(each a thread with its own database connection), waits until all of them are blocked on a
lock, then lets them go at once. No sleeps decide the outcome."""

import os
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection

from tests.conftest import is_postgres


def require_postgres():
    """Row locks are a PostgreSQL matter; in CI their absence is a failure, not a skip."""
    if is_postgres():
        return
    if os.environ.get("CI"):
        pytest.fail("the race tests must run on PostgreSQL in CI (set DATABASE_URL)")
    pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


def backends_waiting_on_locks() -> int:
    """How many other sessions of this test database are blocked on a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is cached per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def run_racers(*calls: Callable[[], object], blocked: int | None = None) -> list:
    """Start each call in its own thread (own connection); return their results in order.

    Call this inside ``transaction.atomic()`` after locking the contended row: the racers
    queue behind the lock. It waits until ``blocked`` of them (default: all) are blocked on
    a lock and returns the started threads' joiner; the caller ends its transaction, then
    calls the joiner to collect the results.
    """
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        except Exception as exc:  # recorded for the main thread to assert on
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    expected = len(calls) if blocked is None else blocked
    queued = wait_until(lambda: backends_waiting_on_locks() >= expected)

    def join():
        for thread in threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in threads)
        assert queued, f"the racers never all queued on the lock: {results}"
        return results

    return join
