"""A unit's working figures for a quarter, shown beside its report-card total in the ranking
(赛马比拼): tasks due and closed, overdue days, report punctuality and investment.

Evaluation date ``E = min(today, quarter end)``; a quarter is *finished* once today is past
its last day (``supervision.scorecards.measures``, whose rule for "judged" these share).

Task figures (drafts and cancelled tasks never count)
    - ``tasks_due``: tasks whose deadline falls in the quarter.
    - ``on_time``: of those, closed (销号) on or before the deadline (the Asia/Shanghai date
      of ``closed_at`` ≤ deadline).
    - ``overdue``: of those, judged and not on time: closed after the deadline, or still
      open with the deadline before E (or, once the quarter is finished, on its last day).
      Every task due is exactly one of on time, overdue, or pending (open, due on or after
      today in the running quarter).
    - ``closed``: tasks closed within the quarter, whatever their deadline.
    - ``closure_rate`` = on_time / (on_time + overdue) × 100: the share of what fell due
      that was closed in time (None when nothing fell due) — the report cards' closure.
    - ``avg_overdue_days``: mean over the overdue tasks of the working days past the deadline,
      ``overdue_workdays(deadline, min(closed date, E))`` (open tasks: up to E). None when
      nothing is overdue.

Report punctuality (进展报送及时率)
    A task with a weekly, monthly or quarterly report frequency owes one progress report
    per reporting period (``supervision.loop.reporting``) of the quarter: the 3 months, the quarter
    itself, or the weeks (Monday–Sunday) whose Sunday falls in the quarter (13 or 14). A
    period counts only once it has ended by E (its last day ≤ E), and only for a task in
    hand on its last day: signed for (``accepted_at``) before that day began — the deadline
    scan's rule — and not yet handed in (``submitted_at``, or ``closed_at`` when there is no
    submission) before that day began; a task in progress now is in hand however often it
    was submitted and returned. The obligation is met by any progress report on the task
    created within the period (its first day 00:00 to its last day 24:00, Asia/Shanghai).
    ``report_punctuality`` = met / owed × 100 (None when nothing was owed).

Investment (projects the unit leads, year of the quarter, not archived)
    ``investment_completion`` = Σ reported monthly investment for the months up to E /
    Σ annual plan × 100 (None without a planned amount); ``time_progress`` = 序时进度 on E
    (share of the year's days elapsed, E included; Q1 of 2024: 91/366); ``investment_gap`` =
    investment_completion − time_progress.

Every figure comes from a fixed number of set-based queries (GROUP BY lead department with
filtered Count/Sum), whatever the number of units, tasks or projects.
"""

import datetime as dt
import operator
from decimal import Decimal
from functools import reduce

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

from core import clock
from projects.querysets import year_time_progress
from supervision.choices import TaskStatus
from supervision.loop.models import ProgressReport, Task
from supervision.loop.reporting import ONE_DAY, REPORT_FREQUENCIES
from supervision.loop.workdays import overdue_workdays
from supervision.scorecards import measures
from supervision.scorecards.measures import pct, q2
from supervision.scorecards.periods import Quarter, report_periods

EMPTY_TASKS = {"tasks_due": 0, "on_time": 0, "overdue": 0, "closed": 0}
EMPTY_REPORTS = {"reports_due": 0, "reports_on_time": 0}
_COUNTS = {"tasks_due": "due", "on_time": "on_time", "overdue": "overdue", "closed": "closed"}


def _task_conditions(quarter: Quarter, evaluation: dt.date, finished: bool) -> dict[str, Q]:
    due = Q(deadline__gte=quarter.start, deadline__lte=quarter.end)
    closed = Q(status=TaskStatus.CLOSED)
    closed_by_e = measures.task_closed_by(evaluation)
    on_time = due & closed_by_e & Q(closed_day__lte=F("deadline"))
    judged = due & measures.judged("deadline", closed_by_e, evaluation, finished)
    return {
        "due": due,
        "on_time": on_time,
        "overdue": judged & ~on_time,
        "closed": closed
        & Q(
            closed_at__gte=clock.start_of(quarter.start),
            closed_at__lt=clock.start_of(quarter.end + ONE_DAY),
        ),
    }


def _counted_tasks():
    return measures.counted_tasks().alias(closed_day=measures.closed_day())


def _task_figures(cond: dict[str, Q]) -> dict[int, dict]:
    """tasks_due, on_time, overdue and closed per lead department (one GROUP BY query)."""
    rows = (
        _counted_tasks()
        .filter(cond["due"] | cond["closed"])
        .order_by()
        .values("lead_department")
        .annotate(**{name: Count("pk", filter=cond[key]) for name, key in _COUNTS.items()})
    )
    return {row.pop("lead_department"): row for row in rows}


def _overdue_days(cond: dict[str, Q], evaluation: dt.date) -> dict[int, int]:
    """Total overdue working days per department.

    One GROUP BY (department, deadline, status, closed date): the working-day calendar lives
    in Python (``overdue_workdays``), so each distinct combination is counted once and
    weighted by how many tasks share it.
    """
    rows = (
        _counted_tasks()
        .filter(cond["overdue"])
        .order_by()
        .values("lead_department", "deadline", "status", closed_on=F("closed_day"))
        .annotate(n=Count("pk"))
    )
    totals: dict[int, int] = {}
    for row in rows:
        end = evaluation
        if row["status"] == TaskStatus.CLOSED:
            end = min(row["closed_on"], evaluation)
        days = overdue_workdays(row["deadline"], end) * row["n"]
        totals[row["lead_department"]] = totals.get(row["lead_department"], 0) + days
    return totals


def _report_figures(quarter: Quarter, evaluation: dt.date) -> dict[int, dict]:
    """Reports owed and met per department (two GROUP BY queries).

    Owed: the tasks, one filtered Count per period. Met: the quarter's progress reports with
    their task, each placed in the period of the task's frequency it falls in when the task
    owed that period (a task has one frequency, whose periods do not overlap), counting the
    distinct (task, period) pairs — not an ``Exists`` per period and task (17 per task).
    """
    periods = [
        (frequency, start, end)
        for frequency in REPORT_FREQUENCIES
        for start, end in report_periods(quarter, frequency)
        if end <= evaluation
    ]
    if not periods:
        return {}

    def owed(frequency, end, prefix=""):
        return Q(
            **{
                f"{prefix}report_frequency": frequency,
                f"{prefix}accepted_at__lt": clock.start_of(end),
            }
        ) & (
            Q(**{f"{prefix}status": TaskStatus.IN_PROGRESS})
            | Q(handed_in_at__gte=clock.start_of(end))
        )

    owed_terms, placed = [], []
    for k, (frequency, start, end) in enumerate(periods):
        owed_terms.append(Count("pk", filter=owed(frequency, end)))
        within = Q(
            created_at__gte=clock.start_of(start), created_at__lt=clock.start_of(end + ONE_DAY)
        )
        placed.append(When(within & owed(frequency, end, "task__"), then=Value(k)))

    def in_hand(prefix=""):
        return Q(
            **{
                f"{prefix}report_frequency__in": REPORT_FREQUENCIES,
                f"{prefix}accepted_at__lt": clock.start_of(quarter.end),
                f"{prefix}status__in": (
                    TaskStatus.IN_PROGRESS,
                    TaskStatus.SUBMITTED,
                    TaskStatus.CLOSED,
                ),
            }
        )

    rows = (
        Task.objects.filter(in_hand())
        .alias(handed_in_at=Coalesce("submitted_at", "closed_at"))
        # In hand on some period's last day, which is never before the quarter's first day.
        .filter(
            Q(status=TaskStatus.IN_PROGRESS) | Q(handed_in_at__gte=clock.start_of(quarter.start))
        )
        .order_by()
        .values("lead_department")
        .annotate(reports_due=reduce(operator.add, owed_terms))
    )
    figures = {row.pop("lead_department"): {**row, "reports_on_time": 0} for row in rows}
    met = (
        ProgressReport.objects.filter(
            created_at__gte=clock.start_of(min(start for _, start, _ in periods)),
            created_at__lt=clock.start_of(max(end for _, _, end in periods) + ONE_DAY),
        )
        .filter(in_hand("task__"))
        .alias(handed_in_at=Coalesce("task__submitted_at", "task__closed_at"))
        .alias(period=Case(*placed, output_field=IntegerField()))
        .filter(period__isnull=False)
        .order_by()
        .values("task__lead_department")
        .annotate(n=Count(F("task_id") * len(periods) + F("period"), distinct=True))
    )
    for row in met:
        figures[row["task__lead_department"]]["reports_on_time"] = row["n"]
    return figures


def unit_figures(*, quarter: Quarter, evaluation: dt.date, finished: bool) -> dict[int, dict]:
    """The figures of every unit with any (five queries); ``figures_row`` reads one."""
    cond = _task_conditions(quarter, evaluation, finished)
    return {
        "tasks": _task_figures(cond),
        "overdue_days": _overdue_days(cond, evaluation),
        "reports": _report_figures(quarter, evaluation),
        "investment": measures.investment(quarter, evaluation),
        "time_progress": year_time_progress(quarter.year, evaluation),
    }


def figures_row(figures: dict, department: int) -> dict:
    """One unit's figures (module docstring) from ``unit_figures``' answer."""
    t = figures["tasks"].get(department, EMPTY_TASKS)
    r = figures["reports"].get(department, EMPTY_REPORTS)
    money = figures["investment"].get(department)
    time_progress = figures["time_progress"]
    plan = q2(money["plan"]) if money else None
    completed = q2(money["completed"]) if money else None
    completion = pct(completed, plan) if money else None
    overdue_days = figures["overdue_days"].get(department, 0)
    return {
        "tasks_due": t["tasks_due"],
        "on_time": t["on_time"],
        "overdue": t["overdue"],
        "closed": t["closed"],
        "closure_rate": pct(t["on_time"], t["on_time"] + t["overdue"]),
        "avg_overdue_days": q2(Decimal(overdue_days) / t["overdue"]) if t["overdue"] else None,
        "reports_due": r["reports_due"],
        "reports_on_time": r["reports_on_time"],
        "report_punctuality": pct(r["reports_on_time"], r["reports_due"]),
        "annual_plan_investment": plan,
        "completed_investment": completed,
        "investment_completion": completion,
        "time_progress": time_progress,
        "investment_gap": None if completion is None else completion - time_progress,
    }
