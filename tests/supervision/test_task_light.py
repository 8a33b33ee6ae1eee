"""The task light and overdue days on known dates around the 2024 National Day holiday.

DESIGN.md's counting (d ranges over working days, default warning_days = 3):
- remaining = #{d : today < d <= deadline}; warning when deadline > today and remaining <= 3;
- due when deadline = today;
- overdue days = #{d : deadline < d <= today}; 催办 (red) at >= 1.
Light: red = at least one working day overdue; yellow = due, warning, or past the deadline
with no working day since; green otherwise; no light (null) once closed or cancelled (issue
13; lights from nodes and progress are in tests/phases/test_progress_light.py).

Official calendar: 10-01 (Tue) .. 10-07 (Mon) off; make-up working days Sun 09-29 and
Sat 10-12. So around it the working days are:
    09-23 Mon .. 09-27 Fri, 09-29 Sun, 09-30 Mon | holiday | 10-08 Tue .. 10-12 Sat, 10-14 Mon
and 09-28 (Sat), 10-01..10-07 and 10-13 (Sun) are off.
"""

import datetime as dt
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from supervision.loop.selectors import overdue_days, task_list
from supervision.models import EscalationPolicy
from tests.factories import ProjectFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


def light(task, today):
    return task_list(today=today).get(pk=task.pk).light


CASES = [
    # (deadline, today, overdue days, light) -- worked by hand
    # deadline Mon 09-30, the last working day before the holiday
    (date(2024, 9, 30), date(2024, 9, 23), 0, "green"),  # remaining 24,25,26,27,29,30 = 6
    (date(2024, 9, 30), date(2024, 9, 25), 0, "green"),  # remaining 26,27,29,30 = 4 > 3
    (date(2024, 9, 30), date(2024, 9, 26), 0, "yellow"),  # remaining 27,29,30 = 3 <= 3
    (date(2024, 9, 30), date(2024, 9, 28), 0, "yellow"),  # Sat off; remaining 29,30 = 2
    (date(2024, 9, 30), date(2024, 9, 29), 0, "yellow"),  # make-up Sun; remaining 30 = 1
    (date(2024, 9, 30), date(2024, 9, 30), 0, "yellow"),  # due today
    (date(2024, 9, 30), date(2024, 10, 1), 0, "yellow"),  # holiday: no working day since
    (date(2024, 9, 30), date(2024, 10, 3), 0, "yellow"),  # holiday: no working day since
    (date(2024, 9, 30), date(2024, 10, 7), 0, "yellow"),  # last holiday day, still none
    (date(2024, 9, 30), date(2024, 10, 8), 1, "red"),  # 10-08 = 1 overdue
    (date(2024, 9, 30), date(2024, 10, 10), 3, "red"),  # 08,09,10 = 3 (督办)
    (date(2024, 9, 30), date(2024, 10, 12), 5, "red"),  # 08..11 + make-up Sat 12 = 5 (通报)
    (date(2024, 9, 30), date(2024, 10, 13), 5, "red"),  # Sun 13 off: still 5
    (date(2024, 9, 30), date(2024, 10, 14), 6, "red"),  # + Mon 14 = 6
    # deadline Thu 10-03, inside the holiday
    (date(2024, 10, 3), date(2024, 9, 25), 0, "green"),  # remaining 26,27,29,30 = 4
    (date(2024, 10, 3), date(2024, 9, 26), 0, "yellow"),  # remaining 27,29,30 = 3
    (date(2024, 10, 3), date(2024, 10, 3), 0, "yellow"),  # due today (a holiday)
    (date(2024, 10, 3), date(2024, 10, 6), 0, "yellow"),  # 04..06 off: none since
    (date(2024, 10, 3), date(2024, 10, 8), 1, "red"),  # 10-08 = 1
    # deadline Tue 10-08, the first working day after the holiday
    (date(2024, 10, 8), date(2024, 9, 26), 0, "green"),  # remaining 27,29,30,10-08 = 4
    (date(2024, 10, 8), date(2024, 9, 27), 0, "yellow"),  # remaining 29,30,10-08 = 3
    (date(2024, 10, 8), date(2024, 9, 30), 0, "yellow"),  # remaining 10-08 = 1
    (date(2024, 10, 8), date(2024, 10, 7), 0, "yellow"),  # remaining 10-08 = 1
    (date(2024, 10, 8), date(2024, 10, 9), 1, "red"),  # 10-09 = 1
    # deadline Sat 10-12, a make-up working day
    (date(2024, 10, 12), date(2024, 10, 8), 0, "green"),  # remaining 09,10,11,12 = 4
    (date(2024, 10, 12), date(2024, 10, 9), 0, "yellow"),  # remaining 10,11,12 = 3
    (date(2024, 10, 12), date(2024, 10, 13), 0, "yellow"),  # Sun 13 off: none since
    (date(2024, 10, 12), date(2024, 10, 14), 1, "red"),  # Mon 14 = 1
    # deadline Sun 10-13, an ordinary day off
    (date(2024, 10, 13), date(2024, 10, 8), 0, "green"),  # remaining 09,10,11,12 = 4
    (date(2024, 10, 13), date(2024, 10, 9), 0, "yellow"),  # remaining 10,11,12 = 3
    (date(2024, 10, 13), date(2024, 10, 13), 0, "yellow"),  # due today
    (date(2024, 10, 13), date(2024, 10, 14), 1, "red"),  # Mon 14 = 1
]


@pytest.mark.parametrize("status", ["assigned", "in_progress", "submitted"])
@pytest.mark.parametrize(
    ("deadline", "today", "overdue", "colour"),
    CASES,
    ids=[f"deadline-{c[0]:%m%d}-on-{c[1]:%m%d}" for c in CASES],
)
def test_light_and_overdue_days_around_national_day(deadline, today, overdue, colour, status):
    task = TaskFactory(status=status, deadline=deadline)
    assert overdue_days(task, today) == overdue
    assert light(task, today) == colour


@pytest.mark.parametrize("status", ["closed", "cancelled"])
@pytest.mark.parametrize(
    ("deadline", "today"),
    [
        (date(2024, 9, 30), date(2024, 10, 14)),  # 6 working days past
        (date(2024, 9, 30), date(2024, 9, 30)),  # due today
        (date(2024, 9, 30), date(2024, 9, 26)),  # within the warning window
        (date(2024, 1, 5), date(2024, 12, 31)),  # a whole year past
    ],
)
def test_closed_and_cancelled_tasks_have_no_light_and_are_never_overdue(status, deadline, today):
    task = TaskFactory(status=status, deadline=deadline)
    assert overdue_days(task, today) == 0
    assert light(task, today) is None


def test_a_draft_is_lit_like_any_open_task():
    task = TaskFactory(status="draft", deadline=date(2024, 9, 30))
    assert light(task, date(2024, 10, 8)) == "red"


def test_warning_days_come_from_the_active_policy():
    task = TaskFactory(status="in_progress", deadline=date(2024, 9, 30))
    # On 09-25 remaining = 26,27,29,30 = 4: green with 3 warning days, yellow with 5.
    assert light(task, date(2024, 9, 25)) == "green"
    EscalationPolicy.objects.create(name="严格", warning_days=5)
    assert light(task, date(2024, 9, 25)) == "yellow"


def test_today_defaults_to_the_clock_in_asia_shanghai():
    task = TaskFactory(status="in_progress", deadline=date(2024, 9, 30))
    # 2024-10-07 16:30 UTC is 2024-10-08 00:30 in Shanghai: one working day overdue.
    with clock.override(dt.datetime(2024, 10, 7, 16, 30, tzinfo=dt.UTC)):
        assert overdue_days(task) == 1
        assert task_list().get(pk=task.pk).light == "red"
    # 2024-10-07 15:30 UTC is still 10-07 (a holiday) in Shanghai: not yet overdue.
    with clock.override(dt.datetime(2024, 10, 7, 15, 30, tzinfo=dt.UTC)):
        assert overdue_days(task) == 0
        assert task_list().get(pk=task.pk).light == "yellow"


def make_tasks(count):
    leader = UserFactory(role="leader")
    project = ProjectFactory()
    deadlines = [date(2024, 9, 23) + dt.timedelta(days=i % 25) for i in range(count)]
    statuses = ["assigned", "in_progress", "submitted", "closed", "cancelled"]
    for i, deadline in enumerate(deadlines):
        TaskFactory(
            status=statuses[i % len(statuses)],
            deadline=deadline,
            responsible_leader=leader,
            project=project,
        )


def read_list(today):
    return [
        (task.light, task.lead_department.name, task.responsible_leader.pk, task.project.name)
        for task in task_list(today=today)
    ]


def test_listing_5_or_50_tasks_with_their_light_takes_the_same_number_of_queries(
    django_assert_num_queries,
):
    today = date(2024, 10, 8)
    make_tasks(5)
    with CaptureQueriesContext(connection) as five:
        assert len(read_list(today)) == 5
    make_tasks(45)

    with django_assert_num_queries(len(five.captured_queries)):
        rows = read_list(today)

    assert len(rows) == 50
    assert {light for light, *_ in rows} == {"red", "yellow", "green", None}
