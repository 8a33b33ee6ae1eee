"""A worker SIGKILLed in the middle of delivering reminders loses nothing and duplicates
nothing (DESIGN.md: "a worker killed mid-delivery never duplicates or loses a reminder").

``deliver_pending`` works in batches of 200, each in one transaction (lock the rows, write the
notifications, mark them sent). To catch the worker inside a batch without changing the app,
this test holds, in a transaction of its own, an uncommitted notification for the 201st
reminder: the worker's second batch then waits in its ``INSERT … ON CONFLICT DO NOTHING`` on
that row, after the first batch has committed. That is the moment the worker's processes are
SIGKILLed. The test's row is rolled back afterwards, so it leaves nothing behind; the killed
batch must come to nothing, and a new worker must deliver the rest exactly once.
"""

import pytest
from django.db import connection
from django.db.models import Count

from accounts.choices import Role
from supervision.models import Notification, Reminder, Task
from supervision.tasks import deliver_reminders
from tests.factories import DepartmentFactory, UserFactory
from tests.reminders.support import day, purge_queue, raw_connection, scan, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PER_RUNG = 200
# On Mon 09-30: deadline 09-30 → 到期 (owners), 09-29 → 催办 (overdue 1: + the office),
# 09-26 → 督办 (overdue 09-27, 09-29, 09-30 = 3: + the responsible leader).
RUNGS = {"due": (day(9, 30), 2), "overdue": (day(9, 29), 3), "escalated": (day(9, 26), 4)}
NOTIFICATIONS = PER_RUNG * sum(people for _, people in RUNGS.values())  # 200·(2+3+4) = 1800


def make_work(supervision_office):
    departments = [DepartmentFactory() for _ in range(3)]
    for department in departments:
        UserFactory.create_batch(2, role=Role.OWNER, department=department)
    UserFactory(role=Role.SUPERVISOR, department=supervision_office)
    leader = UserFactory(role=Role.LEADER)
    Task.objects.bulk_create(
        Task(
            code=f"KILL-{level}-{i:03d}",
            title="投递中断",
            source="work_report",
            domain="economy",
            lead_department=departments[i % 3],
            responsible_leader=leader,
            deadline=deadline,
            status="in_progress",
            report_frequency="once",
        )
        for level, (deadline, _) in RUNGS.items()
        for i in range(PER_RUNG)
    )


def blocked_delivery_backend():
    """The pid of the worker's database backend waiting inside its batch, if it is there yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE %s",
            [f'INSERT INTO "{Notification._meta.db_table}"%'],
        )
        row = cursor.fetchone()
    return row and row[0]


def backend_gone(pid):
    def check():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            return cursor.fetchone()[0] == 0

    return check


def assert_each_sent_reminder_has_exactly_its_notifications():
    sent = dict(Reminder.objects.filter(sent_at__isnull=False).values_list("pk", "recipients"))
    notified = {}
    for reminder_id, recipient_id in Notification.objects.values_list("reminder", "recipient"):
        notified.setdefault(reminder_id, []).append(recipient_id)
    assert set(notified) == set(sent)  # no notification of an unsent reminder
    for reminder_id, recipients in sent.items():
        assert sorted(notified[reminder_id]) == sorted(recipients), reminder_id
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT reminder_id, recipient_id, count(*) FROM "{Notification._meta.db_table}"'  # noqa: S608
            " GROUP BY reminder_id, recipient_id HAVING count(*) > 1"
        )
        assert cursor.fetchall() == []


def test_a_worker_killed_mid_batch_neither_loses_nor_duplicates_a_reminder(
    celery_queue, start_worker, supervision_office
):
    purge_queue(celery_queue)  # nothing from earlier tests may run here
    make_work(supervision_office)
    # The scan commits 600 reminders and, after commit, enqueues deliver_reminders: that one
    # message waits in the queue until the worker starts.
    assert scan(day(9, 30)).total == 3 * PER_RUNG
    ordered = list(Reminder.objects.order_by("pk").values_list("pk", "department"))
    held_reminder, held_department = ordered[200]  # the first of the second batch
    held_recipient = (
        Reminder.objects.get(pk=held_reminder)
        .department.users.filter(role=Role.OWNER)
        .order_by("pk")
        .first()
    )

    blocker = raw_connection()
    try:
        blocker.execute(
            f'INSERT INTO "{Notification._meta.db_table}"'  # noqa: S608
            " (recipient_id, reminder_id, title, body, link, created_at)"
            " VALUES (%s, %s, 'held', '', '', now())",
            [held_recipient.pk, held_reminder],
        )  # not committed: the worker's batch will wait on this row
        worker = start_worker()
        backend = wait_for(
            blocked_delivery_backend, timeout=60, what="the worker to be inside its 2nd batch"
        )
        # Mid-way: the first batch is committed, the second is locked and half written.
        assert Reminder.objects.filter(sent_at__isnull=False).count() == 200
        assert set(Reminder.objects.filter(sent_at__isnull=False).values_list("pk", flat=True)) == {
            pk for pk, _ in ordered[:200]
        }

        killed = worker.kill()  # SIGKILL: the main process and both pool processes
        assert len(killed) == 3, killed
    finally:
        blocker.rollback()
        blocker.close()
    # The killed batch's database session notices its client is gone and rolls back.
    wait_for(backend_gone(backend), timeout=30, what="the killed worker's session to end")

    assert Reminder.objects.filter(sent_at__isnull=False).count() == 200
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 400
    assert_each_sent_reminder_has_exactly_its_notifications()

    # A new worker; deliver_reminders is enqueued again (beat does so every minute).
    second = start_worker()
    deliver_reminders.delay()
    wait_for(
        lambda: not Reminder.objects.filter(sent_at__isnull=True).exists(),
        timeout=60,
        what=f"the new worker to deliver the rest:\n{second.log_path}",
    )

    assert Reminder.objects.count() == 3 * PER_RUNG
    assert Notification.objects.count() == NOTIFICATIONS
    assert_each_sent_reminder_has_exactly_its_notifications()
    by_level = dict(
        Reminder.objects.values("level")
        .annotate(people=Count("notifications"))
        .values_list("level", "people")
    )
    assert by_level == {level: PER_RUNG * people for level, (_, people) in RUNGS.items()}
    assert not Notification.objects.filter(title="held").exists()
