"""The ladder on nodes (DESIGN.md, "Phased targets"): every approved node not done of a task in
the lead unit's hands climbs the same rungs as a deadline (``kind=node``), on the same
working-day calendar, through the same outbox, and the scan stays set-based.

Dates are 2024 around National Day (see ``tests/reminders/test_ladder.py``)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from supervision.models import Node, Notification, Reminder, Task
from supervision.reminders.delivery import deliver_pending
from tests.factories import NodeFactory, TaskFactory, UserFactory
from tests.reminders.support import at, day, scan
from tests.reminders.test_ladder import RUNGS

pytestmark = pytest.mark.django_db
FAR = dt.date(2024, 12, 31)  # the tasks' own deadline, never on a rung in these tests


def node_levels(node) -> list[tuple[str, str, dt.date]]:
    return sorted(Reminder.objects.filter(node=node).values_list("kind", "level", "deadline"))


@pytest.mark.parametrize("today", sorted({t for t, _, _ in RUNGS}), ids=lambda d: f"{d:%m%d}")
def test_nodes_climb_the_deadline_ladder_on_2024_dates(today):
    cases = [(due, rung) for t, due, rung in RUNGS if t == today]
    task = TaskFactory(status="in_progress", deadline=FAR)
    nodes = [
        (NodeFactory(task=task, sequence=i, due_date=due), rung)
        for i, (due, rung) in enumerate(cases, start=1)
    ]

    result = scan(today)

    for node, rung in nodes:
        expected = [("node", rung, node.due_date)] if rung else []
        assert node_levels(node) == expected, f"node due {node.due_date} on {today}"
    assert result.total == sum(1 for _, rung in cases if rung)
    rows = Reminder.objects.filter(kind="node")
    assert set(rows.values_list("task", "department")) <= {(task.pk, task.lead_department_id)}
    assert not Reminder.objects.filter(kind="deadline").exists()


def test_a_node_due_before_national_day_climbs_across_the_holiday():
    """Due Mon 09-30: 到期 that day; nothing during the holiday's first days (overdue counts
    working days only); 催办 on 10-08, 督办 on 10-10, 通报 on the make-up Saturday 10-12."""
    node = NodeFactory(task=TaskFactory(status="in_progress", deadline=FAR), due_date=day(9, 30))
    seen = {}
    for date in [day(9, 27), day(9, 30), day(10, 3), day(10, 7), day(10, 8), day(10, 10)]:
        scan(date)
        latest = Reminder.objects.filter(node=node).order_by("-created_at", "-id").first()
        seen[date] = latest.level if latest else None
    scan(day(10, 12))
    assert seen == {
        day(9, 27): "warning",  # remaining = 09-29 (make-up Sun), 09-30 = 2
        day(9, 30): "due",
        day(10, 3): "due",  # no working day since the due date
        day(10, 7): "due",
        day(10, 8): "overdue",
        day(10, 10): "escalated",
    }
    assert [level for _, level, _ in node_levels(node)] == sorted(
        ["warning", "due", "overdue", "escalated", "notice"]
    )
    # A scan found on a holiday waits for the next working day at 09:00.
    assert Reminder.objects.filter(node=node, level="due").get().deliver_after == at(day(9, 30))


@pytest.mark.parametrize(
    ("node_status", "task_status"),
    [
        ("proposed", "in_progress"),
        ("done", "in_progress"),
        ("approved", "draft"),
        ("approved", "submitted"),
        ("approved", "closed"),
        ("approved", "cancelled"),
    ],
)
def test_only_approved_open_nodes_of_tasks_in_hand_are_chased(node_status, task_status):
    task = TaskFactory(status=task_status, deadline=FAR)
    NodeFactory(
        task=task,
        status=node_status,
        due_date=day(9, 20),
        completed_on=day(9, 19) if node_status == "done" else None,
    )
    assert scan(day(10, 12)).total == 0
    assert not Reminder.objects.exists()


def test_scanning_twice_writes_nothing_new_and_a_moved_node_starts_a_new_ladder(supervisor):
    from supervision.phases import nodes

    task = TaskFactory(status="in_progress", deadline=FAR)
    node = NodeFactory(task=task, due_date=day(9, 30))
    assert scan(day(10, 8)).total == 1
    assert scan(day(10, 8)).total == 0
    with_clock = at(day(10, 8))
    from core import clock

    with clock.override(with_clock):
        nodes.node_update(actor=supervisor, node=node, due_date=day(10, 10))
    scan(day(10, 8))
    assert node_levels(node) == [
        ("node", "overdue", day(9, 30)),
        ("node", "warning", day(10, 10)),
    ]


def test_node_reminders_are_delivered_with_the_node_named(department, leader):
    owner = UserFactory(role=Role.OWNER, department=department)
    task = TaskFactory(
        status="in_progress", deadline=FAR, lead_department=department, responsible_leader=leader
    )
    NodeFactory(task=task, title="完成一期主体工程", due_date=day(9, 20))
    scan(day(10, 12))  # 通报 rung: the unit, the office and the leader are told
    deliver_pending(now=at(day(10, 12)))
    note = Notification.objects.get(recipient=owner)
    assert "完成一期主体工程" in note.body
    assert note.reminder.kind == "node"
    assert Notification.objects.filter(recipient=leader).exists()


def make_tasks_with_nodes(count: int, department) -> None:
    dues = [day(10, 8), day(9, 30), day(9, 29), day(9, 26), day(9, 20), day(10, 15)]
    tasks = Task.objects.bulk_create(
        Task(
            code=f"N-{count}-{i:05d}",
            title=f"节点事项{i}",
            source="work_report",
            domain="economy",
            lead_department=department,
            deadline=FAR,
            status="in_progress",
            report_frequency="once",
        )
        for i in range(count)
    )
    Node.objects.bulk_create(
        Node(
            task=task,
            sequence=k + 1,
            title=f"节点{k + 1}",
            due_date=dues[(i + k) % len(dues)],
            target_value=Decimal(25 * (k + 1)),
            status="approved",
        )
        for i, task in enumerate(tasks)
        for k in range(4)
    )


def test_the_scan_takes_the_same_number_of_queries_for_10_or_1000_tasks_with_nodes(
    django_assert_num_queries, department
):
    make_tasks_with_nodes(10, department)
    with CaptureQueriesContext(connection) as ten:
        small = scan(day(9, 30))
    assert {level for kind, level in small.counts if kind == "node"} == {
        "warning",
        "due",
        "overdue",
        "escalated",
        "notice",
    }

    Reminder.objects.all().delete()
    make_tasks_with_nodes(990, department)
    with django_assert_num_queries(len(ten.captured_queries)):
        large = scan(day(9, 30))
    assert set(large.counts) == set(small.counts)
    assert large.total > 90 * small.total  # 1,000 tasks × 4 nodes
