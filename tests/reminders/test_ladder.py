"""The escalation ladder on known dates (DESIGN.md, "Reminders: the escalation ladder").

Counting, exactly (d ranges over working days, "today" in Asia/Shanghai), default policy
warning 3, escalate 3, notice 5 working days:
- remaining = #{d : today < d <= deadline}; 预警 when deadline > today and remaining <= 3;
- 到期 when deadline = today;
- overdue = #{d : deadline < d <= today}; 催办 at >= 1, 督办 at >= 3, 通报 at >= 5.

The 2024 calendar around National Day (10-01..10-07 off, make-up working days Sun 09-29 and
Sat 10-12):
    09-23 Mon .. 09-27 Fri, 09-29 Sun, 09-30 Mon | holiday | 10-08 Tue .. 10-12 Sat, 10-14 Mon
and 09-28 (Sat), 10-01..10-07 and 10-13 (Sun) are off.
"""

import datetime as dt
from collections import Counter

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from core import clock
from projects.models import Milestone
from supervision.loop import services
from supervision.models import EscalationPolicy, Reminder, Task
from supervision.reminders.delivery import deliver_pending
from supervision.reminders.scan import Ladder
from tests.factories import (
    DepartmentFactory,
    MilestoneFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)
from tests.reminders.support import SHANGHAI, at, day, scan

pytestmark = pytest.mark.django_db

DEFAULT = Ladder(today=day(9, 30), warning_days=3, escalate_days=3, notice_days=5)

# (today, deadline, rung) — each worked by hand.
RUNGS = [
    # On Mon 09-30, the last working day before the holiday.
    (day(9, 30), day(10, 8), "warning"),  # remaining = 10-08 only = 1 <= 3
    (day(9, 30), day(10, 10), "warning"),  # remaining = 10-08, 09, 10 = 3 <= 3
    (day(9, 30), day(10, 11), None),  # remaining = 10-08 .. 10-11 = 4 > 3
    # remaining = 10-08, 09, 10, 11, 12 (make-up Sat), 14, 15 = 7 > 3 (10-13 is a Sunday off)
    (day(9, 30), day(10, 15), None),
    (day(9, 30), day(10, 3), "warning"),  # a holiday deadline: remaining = 0 working days
    (day(9, 30), day(9, 30), "due"),  # deadline = today
    (day(9, 30), day(9, 29), "overdue"),  # overdue = 09-30 = 1
    (day(9, 30), day(9, 28), "overdue"),  # Sat off: overdue = 09-29, 09-30 = 2
    (day(9, 30), day(9, 27), "overdue"),  # overdue = 09-29, 09-30 = 2
    (day(9, 30), day(9, 26), "escalated"),  # overdue = 09-27, 09-29, 09-30 = 3 >= 3
    (day(9, 30), day(9, 25), "escalated"),  # overdue = 09-26, 27, 29, 30 = 4
    (day(9, 30), day(9, 24), "notice"),  # overdue = 09-25, 26, 27, 29, 30 = 5 >= 5
    (day(9, 30), day(9, 20), "notice"),  # overdue = 09-23 .. 27, 29, 30 = 7
    # On Sat 10-05, inside the holiday.
    (day(10, 5), day(10, 3), None),  # passed on a holiday, no working day since: nothing
    (day(10, 5), day(9, 30), None),  # 10-01 .. 10-05 are all off: overdue = 0
    (day(10, 5), day(9, 29), "overdue"),  # overdue = 09-30 = 1
    (day(10, 5), day(10, 5), "due"),
    (day(10, 5), day(10, 10), "warning"),  # remaining = 10-08, 09, 10 = 3
    (day(10, 5), day(10, 11), None),  # remaining = 4
    # After the holiday.
    (day(10, 8), day(9, 30), "overdue"),  # overdue = 10-08 = 1
    (day(10, 10), day(9, 30), "escalated"),  # overdue = 10-08, 09, 10 = 3
    (day(10, 12), day(9, 30), "notice"),  # overdue = 10-08 .. 11 + make-up Sat 12 = 5
    (day(10, 13), day(10, 12), None),  # Sun off: no working day since the Saturday
    (day(10, 14), day(10, 12), "overdue"),  # overdue = 10-14 = 1
]


@pytest.mark.parametrize(
    ("today", "deadline", "rung"),
    RUNGS,
    ids=[f"{d:%m%d}-on-{t:%m%d}" for t, d, _ in RUNGS],
)
def test_rung_on_known_dates(today, deadline, rung):
    ladder = Ladder(today=today, warning_days=3, escalate_days=3, notice_days=5)
    assert ladder.rung(deadline) == rung


def test_the_default_policy_is_warning_3_escalate_3_notice_5():
    assert Ladder.on(day(9, 30), EscalationPolicy.current()) == DEFAULT


def levels_of(subject) -> list[tuple[str, str, dt.date]]:
    return sorted(subject.reminders.values_list("kind", "level", "deadline"))


@pytest.mark.parametrize("today", sorted({t for t, _, _ in RUNGS}), ids=lambda d: f"{d:%m%d}")
def test_the_scan_writes_one_row_per_task_at_its_highest_rung(today):
    cases = [(deadline, rung) for t, deadline, rung in RUNGS if t == today]
    tasks = [(TaskFactory(status="in_progress", deadline=d), rung) for d, rung in cases]

    result = scan(today)

    for task, rung in tasks:
        expected = [("deadline", rung, task.deadline)] if rung else []
        assert levels_of(task) == expected, f"deadline {task.deadline} on {today}"
    assert result.total == sum(1 for _, rung in cases if rung)
    assert Reminder.objects.count() == result.total


@pytest.mark.parametrize("today", [day(9, 30), day(10, 5)], ids=lambda d: f"{d:%m%d}")
def test_milestones_climb_the_same_ladder(today):
    cases = [(deadline, rung) for t, deadline, rung in RUNGS if t == today]
    leader = UserFactory(role=Role.LEADER)
    project = ProjectFactory(responsible_leader=leader)
    milestones = [(MilestoneFactory(project=project, due_date=d), r) for d, r in cases]
    completed = MilestoneFactory(project=project, due_date=day(9, 20), completed_on=day(9, 19))
    archived = MilestoneFactory(project=ProjectFactory(is_archived=True), due_date=day(9, 20))

    scan(today)

    for milestone, rung in milestones:
        expected = [("deadline", rung, milestone.due_date)] if rung else []
        assert levels_of(milestone) == expected, f"due {milestone.due_date} on {today}"
    assert not completed.reminders.exists()
    assert not archived.reminders.exists()
    assert set(Reminder.objects.values_list("department", flat=True)) <= {
        project.lead_department_id
    }


POLICIES = [(3, 3, 5), (0, 1, 1), (5, 2, 4), (1, 4, 4)]


@pytest.mark.parametrize(("warning", "escalate", "notice"), POLICIES)
@pytest.mark.parametrize(
    "today",
    [day(9, 28), day(9, 30), day(10, 1), day(10, 7), day(10, 8), day(10, 12), day(10, 13)],
    ids=lambda d: f"{d:%m%d}",
)
def test_the_set_based_scan_agrees_with_the_counting_rules(today, warning, escalate, notice):
    """Every deadline from 25 days before to 15 after: the scan's SQL ranges equal ``rung()``."""
    EscalationPolicy.objects.create(
        name="测试", warning_days=warning, escalate_days=escalate, notice_days=notice
    )
    department = DepartmentFactory()
    deadlines = [today + dt.timedelta(days=offset) for offset in range(-25, 16)]
    Task.objects.bulk_create(
        Task(
            code=f"R-{index:03d}",
            title="阶梯核对",
            source="work_report",
            domain="economy",
            lead_department=department,
            deadline=deadline,
            status="in_progress",
            report_frequency="once",
        )
        for index, deadline in enumerate(deadlines)
    )
    ladder = Ladder(today=today, warning_days=warning, escalate_days=escalate, notice_days=notice)

    scan(today)

    written = dict(Reminder.objects.values_list("deadline", "level"))
    expected = {d: ladder.rung(d) for d in deadlines if ladder.rung(d)}
    assert written == expected
    assert Reminder.objects.count() == len(expected)


# --- idempotency -------------------------------------------------------------------------------


def make_ladder_of_tasks():
    """One task in progress on each rung on 09-30 (and one with nothing yet)."""
    deadlines = [day(10, 8), day(9, 30), day(9, 29), day(9, 26), day(9, 20), day(10, 15)]
    return [TaskFactory(status="in_progress", deadline=d) for d in deadlines]


def test_scanning_twice_writes_nothing_the_second_time():
    make_ladder_of_tasks()
    first = scan(day(9, 30))
    rows = list(Reminder.objects.order_by("id").values_list("id", "kind", "level", "deadline"))

    second = scan(day(9, 30), hour=16)

    assert first.total == 5
    assert second.total == 0
    assert second.counts == Counter()
    assert list(Reminder.objects.order_by("id").values_list("id", "kind", "level", "deadline")) == (
        rows
    )


def test_a_reminder_is_unique_per_kind_level_subject_and_deadline():
    task = TaskFactory(status="in_progress", deadline=day(9, 29))
    scan(day(9, 30))
    existing = Reminder.objects.get(task=task)

    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            kind=existing.kind,
            level=existing.level,
            task=task,
            department=existing.department,
            deadline=existing.deadline,
            created_at=existing.created_at,
            deliver_after=existing.deliver_after,
        )
    milestone = MilestoneFactory(due_date=day(9, 29))
    scan(day(9, 30), hour=11)
    row = Reminder.objects.get(milestone=milestone)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            kind=row.kind,
            level=row.level,
            milestone=milestone,
            department=row.department,
            deadline=row.deadline,
            created_at=row.created_at,
            deliver_after=row.deliver_after,
        )
    # Another rung, kind or deadline of the same subject is a different key.
    Reminder.objects.create(
        kind="deadline",
        level="escalated",
        task=task,
        department=existing.department,
        deadline=existing.deadline,
        created_at=existing.created_at,
        deliver_after=existing.deliver_after,
    )


def test_a_scan_the_next_day_adds_only_the_new_rung():
    task = TaskFactory(status="in_progress", deadline=day(10, 8))
    scan(day(9, 30))
    assert levels_of(task) == [("deadline", "warning", day(10, 8))]

    # Through the holiday nothing changes: still 预警, already written.
    for date in [day(10, 1), day(10, 5), day(10, 7)]:
        assert scan(date).total == 0

    result = scan(day(10, 8))  # deadline = today

    assert result.counts == Counter({("deadline", "due"): 1})
    assert Reminder.objects.filter(task=task).count() == 2


def test_one_task_climbs_the_ladder_one_rung_at_a_time_scanned_every_day():
    task = TaskFactory(status="in_progress", deadline=day(10, 8))
    for offset in range(21):  # 09-26 .. 10-16, holidays and weekends included
        scan(day(9, 26) + dt.timedelta(days=offset))

    created = {
        level: clock.localdate(created_at)
        for level, created_at in task.reminders.values_list("level", "created_at")
    }
    assert created == {
        "warning": day(9, 27),  # remaining = 09-29, 09-30, 10-08 = 3
        "due": day(10, 8),
        "overdue": day(10, 9),  # overdue = 10-09 = 1
        "escalated": day(10, 11),  # overdue = 10-09, 10, 11 = 3
        "notice": day(10, 14),  # overdue = 10-09 .. 12 (make-up Sat), 14 = 5
    }


def test_rungs_below_the_one_reached_are_never_sent_late():
    task = TaskFactory(status="in_progress", deadline=day(10, 8))
    # The first scan after the deadline happens at 通报 level (overdue 5 on 10-14).
    assert scan(day(10, 14)).total == 1
    assert levels_of(task) == [("deadline", "notice", day(10, 8))]
    assert scan(day(10, 15)).total == 0


# --- extensions -----------------------------------------------------------------------------


def test_an_approved_extension_restarts_the_ladder(owner, supervisor, department):
    task = TaskFactory(status="in_progress", deadline=day(9, 27), lead_department=department)
    scan(day(9, 29))  # overdue = 09-29 = 1: 催办
    assert levels_of(task) == [("deadline", "overdue", day(9, 27))]

    with clock.override(at(day(9, 29), 15)):
        extension = services.extension_request_create(
            task=task, actor=owner, requested_deadline=day(10, 18), reason="汛期停工"
        )
        services.extension_approve(extension=extension, actor=supervisor, comment="同意")
    task.refresh_from_db()
    assert task.deadline == day(10, 18)

    # On 10-08 the old deadline would be at 督办 (overdue 09-29, 09-30, 10-08 = 3), the new one
    # is 9 working days away (10-09 .. 10-12, 10-14 .. 10-18): nothing is written.
    assert scan(day(10, 8)).total == 0
    assert scan(day(10, 14)).total == 0  # remaining = 10-15 .. 10-18 = 4 > 3

    scan(day(10, 15))  # remaining = 10-16, 17, 18 = 3: 预警 for the NEW deadline

    assert levels_of(task) == [
        ("deadline", "overdue", day(9, 27)),  # the old ladder's row is kept
        ("deadline", "warning", day(10, 18)),
    ]


# --- statuses -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "submitted", "closed", "cancelled"])
def test_tasks_not_in_the_departments_hands_get_no_deadline_reminders(status):
    for deadline in [day(10, 8), day(9, 30), day(9, 29), day(9, 26), day(9, 20), day(1, 5)]:
        TaskFactory(status=status, deadline=deadline)

    assert scan(day(9, 30)).total == 0
    assert not Reminder.objects.exists()


# --- sign-offs and periodic reports ---------------------------------------------------------


def test_sign_offs_not_done_within_the_policy_days_are_chased(department):
    # acceptance_days = 2 by default: assigned Wed 09-25 → due Fri 09-27;
    # assigned Fri 09-27 → due 09-30 (09-28 is a Saturday off, 09-29 a make-up Sunday: 2nd is 09-30).
    far = day(12, 31)
    early = TaskFactory(
        status="assigned", deadline=far, assigned_at=at(day(9, 25)), lead_department=department
    )
    late = TaskFactory(
        status="assigned", deadline=far, assigned_at=at(day(9, 27), 17), lead_department=department
    )
    accepted = TaskFactory(
        status="in_progress",
        deadline=far,
        assigned_at=at(day(9, 25)),
        accepted_at=at(day(9, 26)),
        report_frequency="once",
    )

    assert scan(day(9, 26)).total == 0  # due 09-27 is only a day away: not chased before it
    assert scan(day(9, 27)).counts == Counter({("acceptance", "due"): 1})
    assert levels_of(early) == [("acceptance", "due", day(9, 27))]

    # 09-30: early is overdue 09-29, 09-30 = 2 (催办); late is due today. Two rungs, one scan.
    assert scan(day(9, 30)).counts == Counter(
        {("acceptance", "overdue"): 1, ("acceptance", "due"): 1}
    )
    assert levels_of(early) == [
        ("acceptance", "due", day(9, 27)),
        ("acceptance", "overdue", day(9, 27)),
    ]
    assert levels_of(late) == [("acceptance", "due", day(9, 30))]
    assert not accepted.reminders.exists()

    # Signed for in the meantime: the ladder stops.
    Task.objects.filter(pk=late.pk).update(status="in_progress", accepted_at=at(day(10, 8), 9))
    scan(day(10, 10))  # early: overdue 09-29, 09-30, 10-08, 09, 10 = 5 → 通报
    assert levels_of(late) == [("acceptance", "due", day(9, 30))]
    assert ("acceptance", "notice", day(9, 27)) in levels_of(early)


def test_a_monthly_report_missing_on_the_months_last_working_day_is_due(owner, department):
    accepted = at(day(9, 2), 9)
    silent = TaskFactory(
        status="in_progress",
        deadline=day(12, 31),
        lead_department=department,
        report_frequency="monthly",
        accepted_at=accepted,
    )
    reporting = TaskFactory(
        status="in_progress",
        deadline=day(12, 31),
        lead_department=department,
        report_frequency="monthly",
        accepted_at=accepted,
    )
    with clock.override(at(day(9, 10))):
        services.progress_report_create(task=reporting, actor=owner, content="完成主体施工")

    scan(day(9, 30))  # Mon 09-30 is September's last working day

    assert levels_of(silent) == [("report", "due", day(9, 30))]
    assert not reporting.reminders.exists()

    # 10-08: September's report is one working day late (催办); October's is not due yet.
    scan(day(10, 8))
    assert levels_of(silent) == [("report", "due", day(9, 30)), ("report", "overdue", day(9, 30))]
    assert not reporting.reminders.exists()


# --- non-working days -------------------------------------------------------------------------


def test_reminders_found_on_a_non_working_day_wait_for_the_next_working_day_at_nine():
    make_ladder_of_tasks()
    due_on_holiday = TaskFactory(status="in_progress", deadline=day(10, 5))

    result = scan(day(10, 5), hour=11)  # Saturday 10-05, inside the National Day holiday

    assert result.total > 0
    assert due_on_holiday.reminders.get().level == "due"
    held_until = dt.datetime(2024, 10, 8, 9, 0, tzinfo=SHANGHAI)
    assert set(Reminder.objects.values_list("deliver_after", flat=True)) == {held_until}

    assert deliver_pending(now=at(day(10, 5), 12)) == 0
    assert deliver_pending(now=at(day(10, 8), 8) + dt.timedelta(minutes=59)) == 0
    assert not Reminder.objects.filter(sent_at__isnull=False).exists()

    assert deliver_pending(now=held_until) == result.total
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()


def test_reminders_found_on_a_working_day_go_out_at_once():
    task = TaskFactory(status="in_progress", deadline=day(9, 29))  # make-up Sunday
    scan(day(9, 29), hour=14)
    reminder = task.reminders.get()
    assert reminder.deliver_after == at(day(9, 29), 14)
    assert deliver_pending(now=at(day(9, 29), 14)) == 1


# --- query count ------------------------------------------------------------------------------


def make_open_work(count: int, department, leader):
    """``count`` tasks and count/10 milestones spread over every rung and kind on 09-30."""
    deadlines = [day(10, 8), day(9, 30), day(9, 29), day(9, 26), day(9, 20), day(10, 15)]
    assigned_on = [day(9, 25), day(9, 26), day(9, 27)]
    tasks = []
    for i in range(count):
        kind = i % 10
        tasks.append(
            Task(
                code=f"Q-{Task.objects.count() + i:05d}",
                title="查询计数",
                source="work_report",
                domain="economy",
                lead_department=department,
                responsible_leader=leader,
                deadline=deadlines[i % len(deadlines)] if kind < 7 else day(12, 31),
                status="assigned" if kind >= 7 else "in_progress",
                assigned_at=at(assigned_on[i % 3]),
                accepted_at=None if kind >= 7 else at(day(8, 1)),
                report_frequency=["monthly", "weekly", "quarterly", "once"][i % 4],
            )
        )
    Task.objects.bulk_create(tasks)
    project = ProjectFactory(lead_department=department, responsible_leader=leader)
    Milestone.objects.bulk_create(
        Milestone(project=project, name=f"节点{i}", due_date=deadlines[i % len(deadlines)])
        for i in range(count // 10)
    )


def test_the_scan_takes_the_same_number_of_queries_for_10_or_200_tasks(
    django_assert_num_queries, department, leader
):
    make_open_work(10, department, leader)
    with CaptureQueriesContext(connection) as ten:
        small = scan(day(9, 30))
    # Every kind and rung is exercised: weekly reports are overdue (last week's was due on the
    # make-up Sunday 09-29), monthly and quarterly ones due today, August's at 通报.
    assert set(small.counts) >= {
        *{("deadline", level) for level in ["warning", "due", "overdue", "escalated", "notice"]},
        ("acceptance", "overdue"),
        ("acceptance", "due"),
        ("report", "overdue"),
        ("report", "due"),
        ("report", "notice"),
    }

    Reminder.objects.all().delete()
    make_open_work(190, department, leader)
    with django_assert_num_queries(len(ten.captured_queries)):
        large = scan(day(9, 30))

    assert set(large.counts) == set(small.counts)
    assert large.total > 10 * small.total
