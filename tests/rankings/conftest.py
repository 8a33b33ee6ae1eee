"""The hand-computed quarter (2024Q1) shared by the ranking tests.

Every figure the tests assert is worked out by hand in ``test_scorecards.py``; the data
below is chosen so that each rule has a case (edges in the Asia/Shanghai day, the Spring
Festival calendar, closing after the quarter, reports at period boundaries, exclusions).
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.choices import Role
from projects.choices import Category
from supervision.models import ProgressReport
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_Q1 = dt.date(2024, 4, 15)  # evaluation date E = 2024-03-31 (a Sunday)


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    """An aware moment, Asia/Shanghai wall-clock time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def report(task, when: dt.datetime) -> ProgressReport:
    author = factories.UserFactory(role=Role.OWNER, department=task.lead_department)
    return ProgressReport.objects.create(
        task=task, department=task.lead_department, author=author, content="进展", created_at=when
    )


def monthly_investment(project, amounts: dict[int, str]) -> None:
    for month, amount in amounts.items():
        factories.InvestmentReportFactory(
            project=project, period=dt.date(project.year, month, 1), amount=Decimal(amount)
        )


@pytest.fixture
def quarter(db):
    """Departments RA, RB, RC, RD ranked; RX (inactive), RY (cancelled only) and RZ (draft
    only) left out. Returns the departments and the tasks by name."""
    dept = {
        code: factories.DepartmentFactory(code=code, name=f"单位{code}")
        for code in ("RA", "RB", "RC", "RD", "RX", "RY", "RZ")
    }
    dept["RX"].is_active = False
    dept["RX"].save()
    task = factories.TaskFactory

    t = {}
    # --- RA --------------------------------------------------------------------------
    ra = dept["RA"]
    t["A1"] = task(
        lead_department=ra,
        deadline=dt.date(2024, 1, 31),
        status="closed",
        report_frequency="once",
        closed_at=at(2024, 1, 30),
    )
    t["A2"] = task(
        lead_department=ra,
        deadline=dt.date(2024, 2, 29),
        status="closed",
        report_frequency="weekly",
        accepted_at=at(2024, 2, 1),
        submitted_at=at(2024, 3, 4),
        closed_at=at(2024, 3, 5),
    )
    t["A3"] = task(
        lead_department=ra,
        deadline=dt.date(2024, 3, 27),
        status="in_progress",
        report_frequency="monthly",
        accepted_at=at(2024, 1, 5),
    )
    # Closed 00:30 on Saturday 16 March in Shanghai (still Friday 15 in UTC): one day late.
    t["A4"] = task(
        lead_department=ra,
        deadline=dt.date(2024, 3, 15),
        status="closed",
        report_frequency="monthly",
        accepted_at=at(2024, 3, 10),
        closed_at=at(2024, 3, 16, 0, 30),
    )
    t["A5"] = task(
        lead_department=ra,
        deadline=dt.date(2024, 5, 31),
        status="closed",
        report_frequency="monthly",
        accepted_at=at(2024, 1, 10),
        submitted_at=at(2024, 2, 19),
        closed_at=at(2024, 2, 20),
    )
    t["A6"] = task(lead_department=ra, deadline=dt.date(2024, 2, 15), status="cancelled")
    t["A7"] = task(lead_department=ra, deadline=dt.date(2024, 3, 1), status="draft")
    t["A8"] = task(
        lead_department=ra,
        deadline=dt.date(2024, 3, 28),
        status="closed",
        report_frequency="once",
        closed_at=at(2024, 4, 3),
    )
    # A2 (weekly): weeks ending 4 Feb and 18 Feb and 3 Mar reported (twice in one week).
    for when in (at(2024, 2, 2), at(2024, 2, 14), at(2024, 2, 15), at(2024, 2, 26)):
        report(t["A2"], when)
    # A3 (monthly): January reported; 00:30 on 1 March (29 Feb in UTC) is March's report.
    for when in (at(2024, 1, 20), at(2024, 3, 1, 0, 30)):
        report(t["A3"], when)
    # A4 and A5 (monthly) have no reports.
    pa = factories.ProjectFactory(lead_department=ra, annual_plan_investment=Decimal("1000.00"))
    monthly_investment(pa, {1: "100.00", 2: "50.00", 3: "150.00", 4: "200.00"})
    archived = factories.ProjectFactory(
        lead_department=ra, annual_plan_investment=Decimal("500.00"), is_archived=True
    )
    monthly_investment(archived, {1: "500.00"})
    last_year = factories.ProjectFactory(lead_department=ra, year=2023)
    monthly_investment(last_year, {3: "999.00"})

    # --- RB --------------------------------------------------------------------------
    rb = dept["RB"]
    t["B1"] = task(
        lead_department=rb,
        deadline=dt.date(2024, 1, 15),
        status="closed",
        report_frequency="once",
        closed_at=at(2024, 1, 12),
    )
    t["B2"] = task(
        lead_department=rb,
        deadline=dt.date(2024, 2, 8),
        status="closed",
        report_frequency="once",
        closed_at=at(2024, 2, 8, 18),
    )
    t["B3"] = task(
        lead_department=rb,
        deadline=dt.date(2024, 3, 31),
        status="in_progress",
        report_frequency="quarterly",
        accepted_at=at(2023, 12, 20),
    )
    t["B4"] = task(
        lead_department=rb,
        deadline=dt.date(2024, 2, 9),
        status="submitted",
        report_frequency="monthly",
        accepted_at=at(2024, 1, 5),
        submitted_at=at(2024, 2, 8),
    )
    t["B5"] = task(
        lead_department=rb,
        deadline=dt.date(2023, 12, 29),
        status="closed",
        report_frequency="once",
        closed_at=at(2024, 1, 3),
    )
    report(t["B3"], at(2024, 3, 31))
    report(t["B4"], at(2024, 1, 25))

    # --- RC: a project, and a task due next quarter -----------------------------------
    rc = dept["RC"]
    t["C1"] = task(
        lead_department=rc,
        deadline=dt.date(2024, 6, 30),
        status="in_progress",
        report_frequency="once",
        accepted_at=at(2024, 1, 8),
    )
    pc = factories.ProjectFactory(
        lead_department=rc, annual_plan_investment=Decimal("2000.00"), category=Category.KEY_WORK
    )
    monthly_investment(pc, {1: "100.00", 2: "48.60", 3: "100.00"})

    # --- RD: only a task due in Q3, not yet signed for --------------------------------
    t["D1"] = task(
        lead_department=dept["RD"],
        deadline=dt.date(2024, 9, 30),
        status="assigned",
        report_frequency="monthly",
    )

    # --- left out ---------------------------------------------------------------------
    t["X1"] = task(lead_department=dept["RX"], deadline=dt.date(2024, 2, 1), status="in_progress")
    t["Y1"] = task(lead_department=dept["RY"], deadline=dt.date(2024, 2, 1), status="cancelled")
    t["Z1"] = task(lead_department=dept["RZ"], deadline=dt.date(2024, 2, 1), status="draft")
    return {"departments": dept, "tasks": t}
