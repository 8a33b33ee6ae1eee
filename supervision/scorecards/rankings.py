"""Quarterly department scorecards and the ranking (八张报表 · 赛马比拼, DESIGN.md).

``department_scorecards(period="2024Q2")`` computes one row per department; the supervision
office publishes a quarter with ``publish_ranking`` (晾晒), after which ``ranking`` returns
the stored snapshot instead of a recomputation.

Evaluation date
    ``E = min(today, quarter end)``. A finished quarter is judged as it stood on its last
    day; the running quarter as it stands today.

Which departments
    Every active department that leads at least one task that is neither a draft nor
    cancelled (any deadline), or a non-archived project of the quarter's year.

Task figures (drafts and cancelled tasks never count: a draft was never handed over, a
cancelled task was withdrawn)
    - ``tasks_due``: tasks whose deadline falls in the quarter.
    - ``on_time``: of those, closed (销号) on or before the deadline (the Asia/Shanghai date
      of ``closed_at`` ≤ deadline).
    - ``overdue``: of those, closed after the deadline, or still open with the deadline
      before E. Every task due is exactly one of on time, overdue, or pending (open with the
      deadline on or after E).
    - ``closed``: tasks closed within the quarter, whatever their deadline.
    - ``closure_rate`` = on_time / tasks_due × 100 (None when tasks_due is 0). Tasks not yet
      due count in the denominator, so in a running quarter it reads "share of the
      quarter's tasks already closed on time".
    - ``avg_overdue_days``: mean over the overdue tasks of the working days past the deadline,
      ``overdue_workdays(deadline, min(closed date, E))`` (open tasks: up to E). It can be 0
      for a task whose only days past the deadline are non-working (a Friday deadline at a
      Sunday quarter end). None when nothing is overdue.

Report punctuality (进展报送及时率)
    A task with a weekly, monthly or quarterly report frequency owes one progress report
    per reporting period (``scan.period_bounds``) of the quarter: the 3 months, the quarter
    itself, or the weeks (Monday–Sunday) whose Sunday falls in the quarter (13 or 14). A
    period counts only once it has ended by E (its last day ≤ E), and only for a task in
    hand on its last day: signed for (``accepted_at``) before that day began — the deadline
    scan's rule — and not yet handed in (``submitted_at``, or ``closed_at`` when there is no
    submission) before that day began; a task in progress now is in hand however often it
    was submitted and returned. The obligation is met by any progress report on the task
    created within the period (its first day 00:00 to its last day 24:00, Asia/Shanghai).
    ``report_punctuality`` = met / owed × 100 (None when nothing was owed).

Investment (projects the department leads, year of the quarter, not archived)
    ``investment_completion`` = Σ reported monthly investment for the months up to E /
    Σ annual plan × 100 (None without a planned amount); ``time_progress`` = 序时进度 on E
    (``year_time_progress``: share of the year's days elapsed, E included; at a quarter's
    end: Q1 91/366, …); ``investment_gap`` = investment_completion − time_progress.

Score (0–100, 2 decimals; computed from the row's displayed 2-decimal figures)
    Four components, each 0–100, with weights:

    ==========  ======  =====================================================  ===============
    component   weight  value                                                   missing when
    ==========  ======  =====================================================  ===============
    closure     40      closure_rate                                            tasks_due = 0
    timeliness  20      100 − min(100, 10 × avg_overdue_days) (100 if none)     tasks_due = 0
    reporting   20      report_punctuality                                      nothing owed
    investment  20      min(100, investment_completion / time_progress × 100)   no plan / 序时 0
    ==========  ======  =====================================================  ===============

    score = Σ weight × value / Σ weight over the components present, so a department is
    judged only on what it is answerable for (e.g. no projects → closure 40/80, timeliness
    20/80, reporting 20/80). Each overdue working day on average costs 10 timeliness points;
    investment at or ahead of 序时进度 earns the full 20. With no component at all the
    score and rank are None (listed last, by code).

Rank
    1, 2, 3, … by score (highest first); equal scores are ordered by department code and
    still get consecutive ranks.

Every figure comes from a fixed number of set-based queries (GROUP BY lead department with
filtered Count/Sum), whatever the number of departments, tasks or projects.
"""

import datetime as dt
import json
import operator
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import Department, User
from config import clock
from config.errors import DomainError, NotPermitted
from config.validators import YEAR_MAX, YEAR_MIN, year_in_range
from projects.models import InvestmentReport, Project
from projects.querysets import year_time_progress
from supervision.cache import cached
from supervision.choices import OPEN_STATUSES, TaskStatus
from supervision.loop.models import ProgressReport, Task
from supervision.loop.workdays import overdue_workdays
from supervision.reminders.scan import period_bounds
from supervision.scorecards.models import RankingSnapshot

ONE_DAY = dt.timedelta(days=1)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
PERIOD_RE = re.compile(r"([0-9]{4})Q([1-4])", re.ASCII)
PERIOD_MESSAGE = f"季度格式应为“2024Q1”：四位年份（{YEAR_MIN}–{YEAR_MAX}）加 Q1–Q4。"
NOT_COUNTED = (TaskStatus.DRAFT, TaskStatus.CANCELLED)
REPORT_FREQUENCIES = ("weekly", "monthly", "quarterly")

WEIGHTS = {"closure": 40, "timeliness": 20, "reporting": 20, "investment": 20}
OVERDUE_DAY_PENALTY = 10  # timeliness points per average overdue working day

# Row keys holding decimals (stored as strings in a snapshot, decoded back on reading).
DECIMAL_FIELDS = (
    "closure_rate",
    "avg_overdue_days",
    "report_punctuality",
    "annual_plan_investment",
    "completed_investment",
    "investment_completion",
    "time_progress",
    "investment_gap",
    "score",
)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return period_bounds("quarterly", self.start)[1]

    def evaluation_date(self, today: dt.date) -> dt.date:
        return min(today, self.end)


def parse_period(period) -> Quarter:
    """``"2024Q2"`` → ``Quarter(2024, 2)``; anything else is a ``ValueError`` (Chinese message)."""
    match = PERIOD_RE.fullmatch(period) if isinstance(period, str) else None
    if match is None or not year_in_range(int(match[1])):
        raise ValueError(PERIOD_MESSAGE)
    return Quarter(int(match[1]), int(match[2]))


def period_of(day: dt.date) -> str:
    """The quarter containing ``day``, e.g. ``"2024Q2"``."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


# --- helpers -----------------------------------------------------------------------------


def _q2(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _pct(part, whole) -> Decimal | None:
    """part / whole × 100, 2 decimals; None when ``whole`` is 0 or missing."""
    if not whole:
        return None
    return _q2(Decimal(part) * HUNDRED / Decimal(whole))


def report_periods(quarter: Quarter, frequency: str) -> list[tuple[dt.date, dt.date]]:
    """The reporting periods of ``frequency`` that belong to ``quarter`` (by their last day)."""
    if frequency == "quarterly":
        return [(quarter.start, quarter.end)]
    if frequency == "monthly":
        starts = [quarter.start.replace(month=quarter.start.month + i) for i in range(3)]
        return [period_bounds("monthly", start) for start in starts]
    first_sunday = quarter.start + dt.timedelta(days=(6 - quarter.start.weekday()))
    periods = []
    sunday = first_sunday
    while sunday <= quarter.end:
        periods.append((sunday - dt.timedelta(days=6), sunday))
        sunday += dt.timedelta(days=7)
    return periods


# --- the set-based queries ---------------------------------------------------------------


def _departments(quarter: Quarter) -> list[dict]:
    tasks = Task.objects.filter(lead_department=OuterRef("pk")).exclude(status__in=NOT_COUNTED)
    projects = Project.objects.filter(
        lead_department=OuterRef("pk"), year=quarter.year, is_archived=False
    )
    return list(
        Department.objects.filter(is_active=True)
        .filter(Exists(tasks) | Exists(projects))
        .order_by("code")
        .values("id", "code", "name")
    )


def _task_conditions(quarter: Quarter, evaluation: dt.date) -> dict[str, Q]:
    due = Q(deadline__gte=quarter.start, deadline__lte=quarter.end)
    closed = Q(status=TaskStatus.CLOSED)
    late = due & closed & Q(closed_day__gt=F("deadline"))
    open_past = due & Q(status__in=OPEN_STATUSES, deadline__lt=evaluation)
    return {
        "due": due,
        "on_time": due & closed & Q(closed_day__lte=F("deadline")),
        "overdue": late | open_past,
        "closed": closed
        & Q(
            closed_at__gte=clock.start_of(quarter.start),
            closed_at__lt=clock.start_of(quarter.end + ONE_DAY),
        ),
    }


def _counted_tasks():
    return Task.objects.exclude(status__in=NOT_COUNTED).alias(
        closed_day=TruncDate("closed_at", tzinfo=timezone.get_default_timezone())
    )


def _task_figures(quarter: Quarter, evaluation: dt.date) -> dict[int, dict]:
    """tasks_due, on_time, overdue and closed per lead department (one GROUP BY query)."""
    cond = _task_conditions(quarter, evaluation)
    rows = (
        _counted_tasks()
        .filter(cond["due"] | cond["closed"])
        .order_by()
        .values("lead_department")
        .annotate(
            tasks_due=Count("pk", filter=cond["due"]),
            on_time=Count("pk", filter=cond["on_time"]),
            overdue=Count("pk", filter=cond["overdue"]),
            closed=Count("pk", filter=cond["closed"]),
        )
    )
    return {row.pop("lead_department"): row for row in rows}


def _overdue_days(quarter: Quarter, evaluation: dt.date) -> dict[int, int]:
    """Total overdue working days per department.

    One GROUP BY (department, deadline, status, closed date): the working-day calendar lives
    in Python (``overdue_workdays``), so each distinct combination is counted once and
    weighted by how many tasks share it.
    """
    cond = _task_conditions(quarter, evaluation)
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
    """Reports owed and met per department (one GROUP BY query, one filtered Count per period)."""
    owed_terms, met_terms = [], []
    for frequency in REPORT_FREQUENCIES:
        for start, end in report_periods(quarter, frequency):
            if end > evaluation:
                continue
            last_day = clock.start_of(end)
            owed = Q(report_frequency=frequency, accepted_at__lt=last_day) & (
                Q(status=TaskStatus.IN_PROGRESS) | Q(handed_in_at__gte=last_day)
            )
            reported = ProgressReport.objects.filter(
                task=OuterRef("pk"),
                created_at__gte=clock.start_of(start),
                created_at__lt=clock.start_of(end + ONE_DAY),
            )
            owed_terms.append(Count("pk", filter=owed))
            met_terms.append(Count("pk", filter=owed & Exists(reported)))
    if not owed_terms:
        return {}
    rows = (
        Task.objects.filter(
            report_frequency__in=REPORT_FREQUENCIES,
            accepted_at__lt=clock.start_of(quarter.end),
            status__in=(TaskStatus.IN_PROGRESS, TaskStatus.SUBMITTED, TaskStatus.CLOSED),
        )
        .alias(handed_in_at=Coalesce("submitted_at", "closed_at"))
        # In hand on some period's last day, which is never before the quarter's first day.
        .filter(
            Q(status=TaskStatus.IN_PROGRESS) | Q(handed_in_at__gte=clock.start_of(quarter.start))
        )
        .order_by()
        .values("lead_department")
        .annotate(
            reports_due=reduce(operator.add, owed_terms),
            reports_on_time=reduce(operator.add, met_terms),
        )
    )
    return {row.pop("lead_department"): row for row in rows}


def _investment_figures(quarter: Quarter, evaluation: dt.date) -> dict[int, dict]:
    """Annual plan and year-to-date completed investment per department (two queries)."""
    projects = Project.objects.filter(year=quarter.year, is_archived=False)
    figures = {
        row["lead_department"]: {"plan": row["plan"], "completed": Decimal(0)}
        for row in projects.order_by()
        .values("lead_department")
        .annotate(plan=Sum("annual_plan_investment"))
    }
    completed = (
        InvestmentReport.objects.filter(
            project__in=projects, period__year=quarter.year, period__lte=evaluation
        )
        .order_by()
        .values("project__lead_department")
        .annotate(total=Sum("amount"))
    )
    for row in completed:
        figures[row["project__lead_department"]]["completed"] = row["total"] or Decimal(0)
    return figures


# --- scoring -----------------------------------------------------------------------------


def score_row(row: dict) -> Decimal | None:
    """The weighted score of one row (see the module docstring), from its displayed figures."""
    parts: list[tuple[int, Decimal]] = []
    if row["tasks_due"]:
        parts.append((WEIGHTS["closure"], row["closure_rate"]))
        avg = row["avg_overdue_days"] or Decimal(0)
        parts.append((WEIGHTS["timeliness"], HUNDRED - min(HUNDRED, OVERDUE_DAY_PENALTY * avg)))
    if row["report_punctuality"] is not None:
        parts.append((WEIGHTS["reporting"], row["report_punctuality"]))
    if row["investment_completion"] is not None and row["time_progress"]:
        ratio = row["investment_completion"] * HUNDRED / row["time_progress"]
        parts.append((WEIGHTS["investment"], max(Decimal(0), min(HUNDRED, ratio))))
    if not parts:
        return None
    total_weight = sum(weight for weight, _ in parts)
    return _q2(sum(weight * value for weight, value in parts) / total_weight)


def department_scorecards(*, period: str, today: dt.date | None = None) -> list[dict]:
    """The quarter's scorecards, ranked (module docstring). ``ValueError`` for a bad period.

    Cached until the data changes (``supervision.cache``).
    """
    quarter = parse_period(period)
    evaluation = quarter.evaluation_date(today or clock.today())
    return cached(
        "scorecards",
        quarter.label,
        evaluation,
        compute=lambda: compute_scorecards(quarter=quarter, evaluation=evaluation),
    )


def compute_scorecards(*, quarter, evaluation: dt.date) -> list[dict]:
    """The scorecards computed afresh (a constant number of queries)."""
    time_progress = year_time_progress(quarter.year, evaluation)
    tasks = _task_figures(quarter, evaluation)
    overdue_days = _overdue_days(quarter, evaluation)
    reports = _report_figures(quarter, evaluation)
    investment = _investment_figures(quarter, evaluation)

    rows = []
    for dept in _departments(quarter):
        t = tasks.get(dept["id"], {"tasks_due": 0, "on_time": 0, "overdue": 0, "closed": 0})
        r = reports.get(dept["id"], {"reports_due": 0, "reports_on_time": 0})
        money = investment.get(dept["id"])
        plan = _q2(money["plan"]) if money else None
        completed = _q2(money["completed"]) if money else None
        completion = _pct(completed, plan) if money else None
        row = {
            "department": dept["id"],
            "department_code": dept["code"],
            "department_name": dept["name"],
            "tasks_due": t["tasks_due"],
            "on_time": t["on_time"],
            "overdue": t["overdue"],
            "closed": t["closed"],
            "closure_rate": _pct(t["on_time"], t["tasks_due"]),
            "avg_overdue_days": (
                _q2(Decimal(overdue_days.get(dept["id"], 0)) / t["overdue"])
                if t["overdue"]
                else None
            ),
            "reports_due": r["reports_due"],
            "reports_on_time": r["reports_on_time"],
            "report_punctuality": _pct(r["reports_on_time"], r["reports_due"]),
            "annual_plan_investment": plan,
            "completed_investment": completed,
            "investment_completion": completion,
            "time_progress": time_progress,
            "investment_gap": None if completion is None else completion - time_progress,
        }
        row["score"] = score_row(row)
        rows.append(row)

    ranked = sorted(
        (row for row in rows if row["score"] is not None),
        key=lambda row: (-row["score"], row["department_code"]),
    )
    for position, row in enumerate(ranked, start=1):
        row["rank"] = position
    unranked = [row for row in rows if row["score"] is None]
    for row in unranked:
        row["rank"] = None
    return ranked + unranked


# --- publication (晾晒) ------------------------------------------------------------------


def _encode(rows: list[dict]) -> list[dict]:
    return json.loads(json.dumps(rows, cls=DjangoJSONEncoder))


def _decode(rows: list[dict]) -> list[dict]:
    return [
        {
            **row,
            **{
                key: None if row.get(key) is None else Decimal(row[key])
                for key in DECIMAL_FIELDS
                if key in row
            },
        }
        for row in rows
    ]


def ranking(*, period: str, today: dt.date | None = None) -> dict:
    """A quarter's ranking: the published snapshot if there is one, else computed now.

    ``{"period", "published", "published_at", "published_by", "as_of", "rows"}``; the rows
    have the same shape (decimals as ``Decimal``) either way. ``ValueError`` for a bad period.
    """
    quarter = parse_period(period)
    snapshot = RankingSnapshot.objects.filter(period=quarter.label).first()
    if snapshot is not None:
        return snapshot_data(snapshot)
    today = today or clock.today()
    return {
        "period": quarter.label,
        "published": False,
        "published_at": None,
        "published_by": None,
        "as_of": quarter.evaluation_date(today),
        "rows": department_scorecards(period=quarter.label, today=today),
    }


def snapshot_data(snapshot: RankingSnapshot) -> dict:
    return {
        "period": snapshot.period,
        "published": True,
        "published_at": snapshot.published_at,
        "published_by": snapshot.published_by_id,
        "as_of": snapshot.as_of,
        "rows": _decode(snapshot.rows),
    }


def publish_ranking(*, period: str, actor: User) -> RankingSnapshot:
    """晾晒: freeze a finished quarter's ranking. Supervisors only; once per quarter.

    ``NotPermitted`` (403) for anyone else; Django ``ValidationError`` on ``period`` (400)
    for a malformed period or a quarter not yet over (publishing it early would freeze
    half a quarter for good); ``DomainError`` (409) when the quarter is already published.
    """
    if not (actor.is_active and actor.is_supervisor):
        raise NotPermitted("只有督查办可以发布排名。")
    try:
        quarter = parse_period(period)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc
    now = clock.now()
    today = clock.localdate(now)
    if today <= quarter.end:
        raise ValidationError(
            {"period": f"{quarter.label} 尚未结束（季度末为 {quarter.end:%Y-%m-%d}），不能发布。"}
        )
    already = f"{quarter.label} 排名已发布，不能重复发布。"
    if RankingSnapshot.objects.filter(period=quarter.label).exists():
        raise DomainError(already)
    rows = department_scorecards(period=quarter.label, today=today)
    try:
        with transaction.atomic():
            return RankingSnapshot.objects.create(
                period=quarter.label,
                as_of=quarter.evaluation_date(today),
                rows=_encode(rows),
                published_at=now,
                published_by=actor,
            )
    except IntegrityError as exc:  # a concurrent publication of the same quarter won
        raise DomainError(already) from exc
