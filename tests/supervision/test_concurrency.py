"""Two people make the same move on the same task at the same moment (PostgreSQL row locks).

Each thread has its own database connection. The thread that gets the row lock first keeps
its transaction open for ``HOLD`` seconds after its call, so the other one really waits on
the lock, then re-reads the task in its new status and is refused: exactly one move and one
event, never two.
"""

import os
import threading
import time

import pytest
from django.db import connection, transaction

from accounts.choices import Role
from supervision.loop.transitions import TransitionNotAllowed, task_accept, task_verify
from supervision.models import TaskEvent
from tests.conftest import is_postgres
from tests.factories import TaskFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

HOLD = 0.3  # seconds the winner keeps its transaction (and the row lock) open
MIN_WAIT = 0.2  # the loser's call must have blocked at least this long


@pytest.fixture(autouse=True)
def _require_postgres():
    """Row locks are a PostgreSQL matter; in CI their absence is a failure, not a skip."""
    if is_postgres():
        return
    if os.environ.get("CI"):
        pytest.fail("the concurrency tests must run on PostgreSQL in CI (set DATABASE_URL)")
    pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


def race(*calls):
    """Run each call in its own thread at the same moment; return [(outcome, seconds)].

    ``outcome`` is "ok" or the exception raised. A successful call keeps its transaction
    open for ``HOLD`` seconds before committing.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            connection.ensure_connection()  # connect before the start line, not in the timing
            barrier.wait(timeout=10)
            start = time.perf_counter()
            try:
                with transaction.atomic():
                    call()
                    results[index] = ("ok", time.perf_counter() - start)
                    time.sleep(HOLD)
            except Exception as exc:  # the refused call, recorded for the main thread
                results[index] = (exc, time.perf_counter() - start)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def assert_one_winner(results):
    winners = [seconds for outcome, seconds in results if outcome == "ok"]
    losers = [(outcome, seconds) for outcome, seconds in results if outcome != "ok"]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    error, waited = losers[0]
    assert isinstance(error, TransitionNotAllowed), results
    assert waited >= MIN_WAIT, f"the second call did not wait on the row lock ({waited:.3f}s)"


def test_two_supervisors_verifying_at_once_close_the_task_once(supervisor, supervision_office):
    second = UserFactory(role=Role.SUPERVISOR, department=supervision_office)
    task = TaskFactory(status="submitted")

    results = race(
        lambda: task_verify(task=task.pk, actor=supervisor, approved=True, comment="通过"),
        lambda: task_verify(task=task.pk, actor=second, approved=True, comment="通过"),
    )

    assert_one_winner(results)
    task.refresh_from_db()
    assert task.status == "closed"
    assert TaskEvent.objects.filter(task=task, action="close").count() == 1
    assert TaskEvent.objects.filter(task=task).count() == 1


def test_two_lead_owners_accepting_at_once_sign_for_the_task_once(owner, department):
    colleague = UserFactory(role=Role.OWNER, department=department)
    task = TaskFactory(status="assigned", lead_department=department)

    results = race(
        lambda: task_accept(task=task.pk, actor=owner),
        lambda: task_accept(task=task.pk, actor=colleague),
    )

    assert_one_winner(results)
    task.refresh_from_db()
    assert task.status == "in_progress"
    assert task.accepted_at is not None
    assert TaskEvent.objects.filter(task=task, action="accept").count() == 1
    assert TaskEvent.objects.filter(task=task).count() == 1
