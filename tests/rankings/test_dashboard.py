"""dashboard_summary on a small known data set, Friday 28 June 2024.

序时进度 on 28 June 2024: 31 + 29 + 31 + 30 + 31 + 28 = 180 days of 366 → 49.180… → 49.18.
Project lights (default gaps: yellow 10, red 20 points behind 序时进度): yellow below 39.18 %,
red below 29.18 %.
"""

import datetime as dt
from decimal import Decimal as D

import pytest

from projects.choices import Category
from supervision.scorecards.dashboard import LIST_LIMIT, dashboard_summary
from tests import factories
from tests.rankings.conftest import at, monthly_investment

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 6, 28)


@pytest.fixture
def cockpit(db):
    north = factories.DepartmentFactory(code="DN", name="北区单位")
    south = factories.DepartmentFactory(code="DS", name="南区单位")
    task = factories.TaskFactory
    t = {
        # Red: at least one working day overdue.
        "T1": task(
            code="T1", lead_department=north, deadline=dt.date(2024, 6, 20), status="in_progress"
        ),
        "T2": task(
            code="T2", lead_department=south, deadline=dt.date(2024, 6, 26), status="assigned"
        ),
        # Yellow: due today; due Sunday and Monday (within 3 working days: 1, 2, 3 Jul).
        "T3": task(
            code="T3", lead_department=north, deadline=dt.date(2024, 6, 28), status="submitted"
        ),
        "T4": task(
            code="T4", lead_department=south, deadline=dt.date(2024, 6, 30), status="in_progress"
        ),
        "T5": task(code="T5", lead_department=north, deadline=dt.date(2024, 7, 1), status="draft"),
        # Green.
        "T6": task(
            code="T6", lead_department=north, deadline=dt.date(2024, 8, 31), status="in_progress"
        ),
        # Not open: no light, not listed.
        "T7": task(code="T7", lead_department=north, deadline=dt.date(2024, 6, 1), status="closed"),
        "T8": task(
            code="T8", lead_department=south, deadline=dt.date(2024, 5, 1), status="cancelled"
        ),
    }

    k1 = factories.ProjectFactory(
        code="K1",
        name="重点工程一",
        category=Category.KEY_WORK,
        lead_department=north,
        annual_plan_investment=D("1000.00"),
    )
    monthly_investment(k1, {1: "100.00", 2: "100.00", 3: "100.00", 4: "100.00", 5: "200.00"})
    k2 = factories.ProjectFactory(
        code="K2",
        name="重点工程二",
        category=Category.KEY_WORK,
        lead_department=south,
        annual_plan_investment=D("2000.00"),
    )
    monthly_investment(k2, {3: "400.00"})
    p3 = factories.ProjectFactory(
        code="P3", lead_department=south, annual_plan_investment=D("500.00")
    )
    monthly_investment(p3, {4: "175.00"})
    archived = factories.ProjectFactory(
        code="P4", category=Category.KEY_WORK, is_archived=True, lead_department=north
    )
    monthly_investment(archived, {1: "9000.00"})
    factories.ProjectFactory(
        code="P5", year=2023, category=Category.KEY_WORK, lead_department=north
    )

    milestone = factories.MilestoneFactory(
        project=k2, name="主体完工", due_date=dt.date(2024, 6, 14)
    )
    reminder = factories.ReminderFactory
    r = {
        # Sent before today's working day began, not acknowledged: shown, oldest first.
        "R1": reminder(
            task=t["T1"], level="escalated", deadline=t["T1"].deadline, sent_at=at(2024, 6, 26, 10)
        ),
        "R2": reminder(task=None, milestone=milestone, level="notice", sent_at=at(2024, 6, 24, 9)),
        # Too recent (sent today), acknowledged, or a lower rung: not shown.
        "R3": reminder(task=t["T2"], level="escalated", sent_at=at(2024, 6, 28, 9)),
        "R4": reminder(
            task=t["T4"],
            level="notice",
            sent_at=at(2024, 6, 20, 9),
            acknowledged_at=at(2024, 6, 21, 9),
        ),
        "R5": reminder(task=t["T6"], level="overdue", sent_at=at(2024, 6, 20, 9)),
    }
    return {
        "tasks": t,
        "projects": {"K1": k1, "K2": k2},
        "reminders": r,
        "north": north,
        "south": south,
    }


def test_dashboard_figures(cockpit):
    t, r = cockpit["tasks"], cockpit["reminders"]
    # The cockpit shows each unit's one form of its name (the short name, else the name).
    LABELS = {"北区单位": str(cockpit["north"]), "南区单位": str(cockpit["south"])}
    summary = dashboard_summary(today=TODAY)

    assert summary["today"] == TODAY
    assert summary["tasks_by_status"] == {
        "draft": 1,
        "assigned": 1,
        "in_progress": 3,
        "submitted": 1,
        "closed": 1,
        "cancelled": 1,
    }
    # Open tasks: T1 T2 red, T3 T4 T5 yellow, T6 green.
    assert summary["tasks_by_light"] == {"green": 1, "yellow": 3, "red": 2}
    # K1 60.00 % green; K2 20.00 % < 29.18 red (and its milestone is overdue);
    # P3 35.00 % < 39.18 yellow. P4 archived and P5 (2023) are left out.
    assert summary["projects_by_light"] == {"green": 1, "yellow": 1, "red": 1}

    # T1: (Thu 20 Jun, Fri 28 Jun] = 21, 24, 25, 26, 27, 28 → 6; T2: 27, 28 → 2.
    assert summary["overdue_tasks"] == [
        {
            "id": t["T1"].pk,
            "code": "T1",
            "title": t["T1"].title,
            "lead_department": "北区单位",
            "lead_department_label": LABELS["北区单位"],
            "deadline": dt.date(2024, 6, 20),
            "overdue_days": 6,
            "status": "in_progress",
        },
        {
            "id": t["T2"].pk,
            "code": "T2",
            "title": t["T2"].title,
            "lead_department": "南区单位",
            "lead_department_label": LABELS["南区单位"],
            "deadline": dt.date(2024, 6, 26),
            "overdue_days": 2,
            "status": "assigned",
        },
    ]
    # Monday 24 Jun – Sunday 30 Jun: today's T3 and Sunday's T4 (T5 is due next Monday).
    assert summary["upcoming"] == [
        {
            "id": t["T3"].pk,
            "code": "T3",
            "title": t["T3"].title,
            "lead_department": "北区单位",
            "lead_department_label": LABELS["北区单位"],
            "deadline": dt.date(2024, 6, 28),
        },
        {
            "id": t["T4"].pk,
            "code": "T4",
            "title": t["T4"].title,
            "lead_department": "南区单位",
            "lead_department_label": LABELS["南区单位"],
            "deadline": dt.date(2024, 6, 30),
        },
    ]
    milestone = r["R2"].milestone
    assert summary["unacknowledged_escalations"] == [
        {
            "id": r["R2"].pk,
            "level": "notice",
            "task": None,
            "milestone": milestone.pk,
            "title": "重点工程二 · 主体完工",
            "department": "南区单位",
            "department_label": LABELS["南区单位"],
            "deadline": dt.date(2024, 6, 14),
            "sent_at": at(2024, 6, 24, 9),
        },
        {
            "id": r["R1"].pk,
            "level": "escalated",
            "task": t["T1"].pk,
            "milestone": None,
            "title": t["T1"].title,
            "department": "北区单位",
            "department_label": LABELS["北区单位"],
            "deadline": dt.date(2024, 6, 20),
            "sent_at": at(2024, 6, 26, 10),
        },
    ]
    k1, k2 = cockpit["projects"]["K1"], cockpit["projects"]["K2"]
    # All of them fit: listed in code (report) order, green K1 before red K2.
    assert summary["key_works_total"] == 2
    assert summary["key_works_by_light"] == {"green": 1, "yellow": 0, "red": 1}
    assert summary["key_works"] == [
        {
            "id": k1.pk,
            "code": "K1",
            "name": "重点工程一",
            "annual_plan_investment": D("1000.00"),
            "completed_investment": D("600.00"),
            "completion_rate": D("60.00"),
            "time_progress": D("49.18"),
            "light": "green",
        },
        {
            "id": k2.pk,
            "code": "K2",
            "name": "重点工程二",
            "annual_plan_investment": D("2000.00"),
            "completed_investment": D("400.00"),
            "completion_rate": D("20.00"),
            "time_progress": D("49.18"),
            "light": "red",
        },
    ]
    # Plan 1000 + 2000 + 500 = 3500; completed 600 + 400 + 175 = 1175;
    # 1175 / 3500 = 33.571… → 33.57.
    assert summary["investment"] == {
        "annual_plan": D("3500.00"),
        "completed": D("1175.00"),
        "completion_rate": D("33.57"),
        "time_progress": D("49.18"),
        "unplanned_completed": D("0.00"),
        "unplanned_projects": 0,
    }
    # R1 R2 late, R3 sent today: three waiting, two of them more than a working day.
    assert summary["unacknowledged_counts"] == {"pending": 3, "late": 2}


def test_empty_dashboard_has_every_key_and_zeros(db):
    summary = dashboard_summary(today=TODAY)
    assert summary["tasks_by_status"] == {
        "draft": 0,
        "assigned": 0,
        "in_progress": 0,
        "submitted": 0,
        "closed": 0,
        "cancelled": 0,
    }
    assert summary["tasks_by_light"] == {"green": 0, "yellow": 0, "red": 0}
    assert summary["projects_by_light"] == {"green": 0, "yellow": 0, "red": 0}
    assert summary["overdue_tasks"] == summary["upcoming"] == summary["key_works"] == []
    assert summary["key_works_total"] == 0
    assert summary["key_works_by_light"] == {"green": 0, "yellow": 0, "red": 0}
    assert summary["unacknowledged_escalations"] == []
    assert summary["investment"] == {
        "annual_plan": D("0.00"),
        "completed": D("0.00"),
        "completion_rate": None,
        "time_progress": D("49.18"),
        "unplanned_completed": D("0.00"),
        "unplanned_projects": 0,
    }
    assert summary["unacknowledged_counts"] == {"pending": 0, "late": 0}


def test_lists_are_capped_at_twenty_most_overdue_first(db):
    department = factories.DepartmentFactory()
    for day in range(1, 26):  # 25 overdue tasks, deadlines 1–25 May
        factories.TaskFactory(
            lead_department=department, deadline=dt.date(2024, 5, day), status="in_progress"
        )
    overdue = dashboard_summary(today=TODAY)["overdue_tasks"]
    assert len(overdue) == 20
    assert [row["deadline"].day for row in overdue] == list(range(1, 21))
    assert overdue[0]["overdue_days"] > overdue[-1]["overdue_days"]


def test_key_works_past_the_limit_are_capped_worst_first_with_their_counts(db):
    """A city-wide year: more key works than the list shows. The list keeps the ones needing
    attention (red, then yellow, then green, each by code); the total and the counts by light
    cover them all (archived ones, other years and other categories left out)."""
    department = factories.DepartmentFactory()
    # Completed of a 1000.00 plan by 28 June (序时 49.18): 10 % red, 35 % yellow, 60 % green.
    completed = {"red": "100.00", "yellow": "350.00", "green": "600.00"}
    lights = {5: "red", 12: "red", 20: "red", 2: "yellow", 8: "yellow", 15: "yellow", 22: "yellow"}
    total = LIST_LIMIT + 5

    def key_work(code: str, light: str, **fields):
        project = factories.ProjectFactory(
            code=code,
            category=Category.KEY_WORK,
            lead_department=department,
            annual_plan_investment=D("1000.00"),
            **fields,
        )
        monthly_investment(project, {3: completed[light]})

    for n in range(1, total + 1):
        key_work(f"KW-{n:02d}", lights.get(n, "green"))
    key_work("KW-00", "red", is_archived=True)
    key_work("KW-99", "red", year=2023)
    factories.ProjectFactory(
        code="D-01", lead_department=department, annual_plan_investment=D("1000.00")
    )  # no investment: red, but not a key work

    summary = dashboard_summary(today=TODAY)

    assert summary["key_works_total"] == total
    assert summary["key_works_by_light"] == {"green": total - 7, "yellow": 4, "red": 3}
    rows = summary["key_works"]
    assert len(rows) == LIST_LIMIT
    assert [row["light"] for row in rows] == ["red"] * 3 + ["yellow"] * 4 + ["green"] * 13
    greens = [f"KW-{n:02d}" for n in range(1, total + 1) if n not in lights][:13]
    assert [row["code"] for row in rows] == [
        "KW-05",
        "KW-12",
        "KW-20",
        "KW-02",
        "KW-08",
        "KW-15",
        "KW-22",
        *greens,
    ]
