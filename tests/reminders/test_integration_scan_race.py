"""Two deadline scans started at the same moment in two processes (two beat schedulers, or an
operator's ``manage.py scan_deadlines`` during beat's) write each reminder exactly once.

Both run ``manage.py scan_deadlines --now 2024-09-30T10:00+08:00`` against the PostgreSQL test
database. To start them truly together, this test holds a SHARE lock on the reminder table
while they start: the first to take the scan lock (an advisory lock) queues on the table at
its first INSERT, the other queues on the scan lock; when both are waiting the table lock is
released, the first writes everything and the second, let in at its commit, finds every
reminder there.
"""

import re
import subprocess
import sys
from collections import Counter

import pytest
from django.db import connection, transaction

from projects.models import Milestone
from supervision.models import Reminder, Task
from supervision.reminders.scan import SCAN_LOCK_KEY
from tests.factories import DepartmentFactory, ProjectFactory
from tests.reminders.support import (
    BASE_DIR,
    at,
    day,
    forget_queue,
    subprocess_env,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# On Mon 09-30 (see test_ladder.py for the hand count of each):
RUNGS = {
    "warning": day(10, 8),
    "due": day(9, 30),
    "overdue": day(9, 29),
    "escalated": day(9, 26),
    "notice": day(9, 20),
}
PER_RUNG_TASKS = 40
PER_RUNG_MILESTONES = 4
UNSIGNED = 10  # assigned 09-25, sign-off due 09-27: overdue 09-29, 09-30 = 2 → 催办


def make_work():
    departments = [DepartmentFactory() for _ in range(3)]
    tasks = [
        Task(
            code=f"RACE-{level}-{i:03d}",
            title="并发扫描",
            source="work_report",
            domain="economy",
            lead_department=departments[i % 3],
            deadline=deadline,
            status="in_progress",
            report_frequency="once",
        )
        for level, deadline in RUNGS.items()
        for i in range(PER_RUNG_TASKS)
    ]
    tasks += [
        Task(
            code=f"RACE-sign-{i:03d}",
            title="未签收",
            source="work_report",
            domain="economy",
            lead_department=departments[i % 3],
            deadline=day(12, 31),
            status="assigned",
            assigned_at=at(day(9, 25)),
            report_frequency="once",
        )
        for i in range(UNSIGNED)
    ]
    Task.objects.bulk_create(tasks)
    project = ProjectFactory(lead_department=departments[0])
    Milestone.objects.bulk_create(
        Milestone(project=project, name=f"节点{level}{i}", due_date=deadline)
        for level, deadline in RUNGS.items()
        for i in range(PER_RUNG_MILESTONES)
    )
    expected = Counter(
        {("deadline", level): PER_RUNG_TASKS + PER_RUNG_MILESTONES for level in RUNGS}
    )
    expected[("acceptance", "overdue")] = UNSIGNED
    return expected


def waiting_at_the_start_line() -> int:
    """Scans waiting for the reminder table or for the scan lock held by the other."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted"
            " AND (relation = %s::regclass OR (locktype = 'advisory' AND objid = %s))",
            [Reminder._meta.db_table, SCAN_LOCK_KEY],
        )
        return cursor.fetchone()[0]


def test_two_scans_at_the_same_moment_create_each_reminder_exactly_once(celery_queue):
    expected = make_work()
    total = sum(expected.values())
    assert total == 5 * (PER_RUNG_TASKS + PER_RUNG_MILESTONES) + UNSIGNED
    queue = f"{celery_queue}-race"  # the scans' "deliver now" messages: nobody consumes them
    env = subprocess_env(queue)
    command = [
        sys.executable,
        "manage.py",
        "scan_deadlines",
        "--now",
        "2024-09-30T10:00+08:00",
    ]

    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{Reminder._meta.db_table}" IN SHARE MODE')
            scans = [
                subprocess.Popen(  # noqa: S603 — our interpreter, our manage.py
                    command,
                    cwd=BASE_DIR,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]

            def both_waiting():
                for scan in scans:
                    if scan.poll() is not None:
                        out, err = scan.communicate()
                        pytest.fail(f"a scan ended before the start line:\n{out}\n{err}")
                return waiting_at_the_start_line() == 2

            wait_for(both_waiting, timeout=60, what="both scans to wait at the start line")
        # The table lock is gone: the scans run, one after the other.
        outputs = []
        for scan in scans:
            out, err = scan.communicate(timeout=60)
            assert scan.returncode == 0, f"{out}\n{err}"
            outputs.append(out)
    finally:
        for scan in scans:
            if scan.poll() is None:
                scan.kill()
                scan.wait()
        forget_queue(queue)

    per_line = [int(n) for out in outputs for n in re.findall(r"：新增 (\d+)", out)]
    totals = [int(re.search(r"共新增提醒 (\d+) 条", out).group(1)) for out in outputs]
    assert sum(per_line) == total, outputs
    assert sum(totals) == total, outputs
    assert Reminder.objects.count() == total
    written = Counter(
        (kind, level) for kind, level in Reminder.objects.values_list("kind", "level")
    )
    assert written == expected
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT kind, level, task_id, milestone_id, deadline, count(*) FROM "{Reminder._meta.db_table}"'  # noqa: S608
            " GROUP BY kind, level, task_id, milestone_id, deadline HAVING count(*) > 1"
        )
        assert cursor.fetchall() == []
    # Each subject sits on exactly one rung.
    assert Reminder.objects.values("task", "milestone").distinct().count() == total
