"""dashboard_summary and department_scorecards cost the same number of queries whatever the
data: measured with 5 tasks and 5 projects, then again after adding 60 of each (with more
departments, every status, reports, investment, milestones and escalations)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.choices import Category
from supervision.scorecards.dashboard import dashboard_summary
from supervision.scorecards.rankings import department_scorecards
from tests import factories
from tests.rankings.conftest import at, monthly_investment, report

pytestmark = pytest.mark.django_db
STATUSES = ["draft", "assigned", "in_progress", "submitted", "closed", "cancelled"]
FREQUENCIES = ["weekly", "monthly", "quarterly", "once"]


def build(n: int, prefix: str) -> None:
    """n tasks spread over every status and frequency, n projects with investment and a
    milestone, and escalations, led by n // 5 + 1 departments."""
    departments = [
        factories.DepartmentFactory(code=f"{prefix}{i:03d}", name=f"{prefix}单位{i}")
        for i in range(n // 5 + 1)
    ]
    for i in range(n):
        department = departments[i % len(departments)]
        status = STATUSES[i % len(STATUSES)]
        task = factories.TaskFactory(
            lead_department=department,
            deadline=dt.date(2024, 1 + i % 6, 1 + i % 28),
            status=status,
            report_frequency=FREQUENCIES[i % len(FREQUENCIES)],
            accepted_at=at(2024, 1, 2) if status not in ("draft", "assigned") else None,
            submitted_at=at(2024, 3, 1 + i % 28) if status in ("submitted", "closed") else None,
            closed_at=at(2024, 3, 2 + i % 27) if status == "closed" else None,
            # Every seventh a target to reach: its light also follows its 序时 lag.
            **(
                {"target_value": Decimal(100), "target_comparison": "at_least"}
                if i % 7 == 0
                else {}
            ),
        )
        if status == "in_progress":
            report(task, at(2024, 2, 1 + i % 28))
            factories.ReminderFactory(
                task=task, level="escalated", sent_at=at(2024, 6, 1), deadline=task.deadline
            )
        project = factories.ProjectFactory(
            lead_department=department,
            category=Category.KEY_WORK if i % 2 else Category.DISTRICT,
            annual_plan_investment=Decimal("1000.00"),
        )
        monthly_investment(project, {1: "10.00", 2: "20.00", 5: "30.00"})
        factories.MilestoneFactory(project=project, due_date=dt.date(2024, 6, 1 + i % 28))


def count(func) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx), [query["sql"] for query in ctx.captured_queries]


@pytest.mark.parametrize(
    ("name", "func", "expected"),
    [
        # Tasks by unit from the stored figures and those with a target evaluated in full,
        # projects, escalations (with their counts), overdue, upcoming, key works, the policy.
        ("dashboard", lambda: dashboard_summary(today=dt.date(2024, 6, 28)), 8),
        (
            "rankings",
            lambda: department_scorecards(period="2024Q1", today=dt.date(2024, 4, 15)),
            13,  # the report cards' queries (one for the problem lists) and the working figures
        ),
    ],
)
def test_query_count_does_not_grow_with_the_data(name, func, expected):
    build(5, "S")
    small, small_sql = count(func)
    build(60, "L")
    large, large_sql = count(func)
    assert small == large == expected, (name, small_sql, large_sql)
