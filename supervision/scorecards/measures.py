"""What the report cards measure, per (unit, card), in a fixed number of set-based queries.

Each function returns ``{(department_id, domain): figures}`` for one quarter evaluated on
E (``Quarter.evaluation_date``). "Counted" work is neither a draft (never handed over) nor
cancelled (withdrawn). A quarter is *finished* once today is past its last day; then
everything that was due in it is judged. In the running quarter, what is due on or after
today and not yet done is pending — neither on time nor late (a task due today is not a 0 %).

- ``closure``: counted tasks whose deadline falls in the quarter; judged when closed, past
  its deadline (deadline < E) or the quarter is finished; on time when closed (销号, the
  Asia/Shanghai date of ``closed_at``) on or before the deadline.
- ``nodes``: approved or done nodes of counted tasks, due in the quarter; judged as tasks
  are; on time when done on or before the due date, or when the task itself was closed by
  then (a task finished early owes none of its later nodes).
- ``indicators``: the year's indicators with a number, a direction and a responsible unit
  (``Indicator.department``), judged on the latest value of a period that has ended by E:
  a rate or level (unit %, ‰, :1 …) or an ``at_most``/``about`` target as it stands; an
  ``at_least`` amount against its target prorated to the end of the period (May → 5/12,
  Q1 → 3/12) — the indicator light's rule. An indicator without such a value is not judged.
- ``problems``: the unit's problems (八张问题清单: ``source=problem`` tasks, counted) on the
  card's list at E — found on or before E and not already 销号 before the year began;
  met (清零) when closed by E.
- ``investment``: the annual plan and year-to-date investment of the projects the unit
  leads (``rankings.figures.investment_figures``), per unit (projects carry no card).
- ``adjustments``: the office's 加分/扣分 for the quarter, summed per card.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Department, User
from projects.models import InvestmentReport, Project
from supervision.choices import OPEN_STATUSES, Comparison, TaskSource, TaskStatus
from supervision.loop.models import Indicator, Task
from supervision.loop.targets import meets
from supervision.phases.models import IndicatorValue
from supervision.scorecards.models import NodeFigure, ScoreAdjustment
from supervision.scorecards.periods import Quarter

NOT_COUNTED = (TaskStatus.DRAFT, TaskStatus.CANCELLED)
# Units of a rate or a level: judged as they stand, never prorated through the year (the
# indicator light's list, supervision.loop.lights once phasing lands it).
RATE_UNITS = ("%", "‰", ":1", "个百分点", "百分点", "基点", "BP", "")
MONTHS = Decimal(12)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MONEY_SUM = DecimalField(max_digits=16, decimal_places=2)


def q2(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part, whole) -> Decimal | None:
    """part / whole × 100, 2 decimals; None when ``whole`` is 0 or missing."""
    if not whole:
        return None
    return q2(Decimal(part) * HUNDRED / Decimal(whole))


def _day(field: str):
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def closed_day():
    """The Asia/Shanghai date a task was closed (销号), as a database expression."""
    return _day("closed_at")


def counted_tasks():
    return Task.objects.exclude(status__in=NOT_COUNTED)


def office_members():
    """Departments the supervision office works from (they score, they are not scored)."""
    return User.objects.filter(
        department=OuterRef("pk"), role=Role.SUPERVISOR, is_active=True
    ).values("pk")


def is_office(department: Department) -> bool:
    return User.objects.filter(department=department, role=Role.SUPERVISOR, is_active=True).exists()


def units(quarter: Quarter) -> list[dict]:
    """Active units with something assigned for the quarter's year — a counted task due that
    year (or still open from before), a project of the year or an indicator they answer for
    — except the supervision office. One query."""
    year_start = dt.date(quarter.year, 1, 1)
    tasks = counted_tasks().filter(
        Q(deadline__year=quarter.year) | Q(deadline__lt=year_start, status__in=OPEN_STATUSES),
        lead_department=OuterRef("pk"),
    )
    projects = Project.objects.filter(
        lead_department=OuterRef("pk"), year=quarter.year, is_archived=False
    )
    indicators = Indicator.objects.filter(department=OuterRef("pk"), year=quarter.year)
    return list(
        Department.objects.filter(is_active=True)
        .filter(Exists(tasks) | Exists(projects) | Exists(indicators))
        .exclude(Exists(office_members()))
        .order_by("code")
        .values("id", "code", "name", "short_name", "kind")
    )


def judged(due_field: str, done: Q, evaluation: dt.date, finished: bool) -> Q:
    """Of what is due in the quarter, what is judged by E: everything once the quarter is
    finished, else what is done by E or past its due date (due today and not yet done is
    pending)."""
    if finished:
        return Q()
    return Q(**{f"{due_field}__lt": evaluation}) | done


def task_closed_by(evaluation: dt.date, prefix: str = "") -> Q:
    """Closed (销号) on or before E; needs ``closed_day`` (or ``<prefix>closed_day``) aliased."""
    return Q(**{f"{prefix}status": TaskStatus.CLOSED, f"{prefix}closed_day__lte": evaluation})


def closure(quarter: Quarter, evaluation: dt.date, finished: bool) -> dict:
    """Tasks that fell due in the quarter: judged and on time, per (unit, card)."""
    closed = task_closed_by(evaluation)
    rows = (
        counted_tasks()
        .filter(deadline__gte=quarter.start, deadline__lte=quarter.end)
        .alias(closed_day=closed_day())
        .filter(judged("deadline", closed, evaluation, finished))
        .order_by()
        .values("lead_department", "domain")
        .annotate(
            judged=Count("pk"),
            met=Count("pk", filter=closed & Q(closed_day__lte=F("deadline"))),
        )
    )
    return {(row["lead_department"], row["domain"]): row for row in rows}


def nodes(quarter: Quarter, evaluation: dt.date, finished: bool) -> dict:
    """Phase nodes that fell due in the quarter: judged and on time, per (unit, card).

    From ``NodeFigure`` (kept by triggers): each counted node's due date and the first days
    it is judged (``judged_on``) and on time (``met_on``) — a range count over one index,
    the tasks not joined."""
    rows = NodeFigure.objects.filter(due_date__gte=quarter.start, due_date__lte=quarter.end)
    if not finished:
        rows = rows.filter(judged_on__lte=evaluation)
    rows = (
        rows.order_by()
        .values("lead_department", "domain")
        # Counting rows and met_on, not the key: the index holds the other columns, so the
        # count is an index-only scan (met_on <= E is never null).
        .annotate(judged=Count("*"), met=Count("met_on", filter=Q(met_on__lte=evaluation)))
    )
    return {(row["lead_department"], row["domain"]): row for row in rows}


def problems(quarter: Quarter, evaluation: dt.date) -> dict:
    """Each card's problem list at E: listed and rectified (清零), per (unit, card)."""
    rows = (
        counted_tasks()
        .filter(source=TaskSource.PROBLEM, problem__found_on__lte=evaluation)
        .alias(closed_day=closed_day())
        .exclude(status=TaskStatus.CLOSED, closed_day__lt=dt.date(quarter.year, 1, 1))
        .order_by()
        .values("lead_department", "domain")
        .annotate(judged=Count("pk"), met=Count("pk", filter=task_closed_by(evaluation)))
    )
    return {(row["lead_department"], row["domain"]): row for row in rows}


def period_end(period: str) -> dt.date:
    """The last day of ``"2024-05"``, ``"2024Q1"`` or ``"2024"``."""
    year = int(period[:4])
    if len(period) == 4:
        month = 12
    elif period[4] == "Q":
        month = int(period[5]) * 3
    else:
        month = int(period[5:7])
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def indicator_meets(indicator: dict, value: Decimal, period: str) -> bool | None:
    """Whether a period value reaches the indicator's 序时 target (module docstring).

    ``indicator``: ``target_value``, ``comparison``, ``tolerance``, ``unit`` (a mapping)."""
    target, comparison = indicator["target_value"], indicator["comparison"]
    tolerance = indicator["tolerance"] or Decimal(0)
    if comparison == Comparison.AT_LEAST and (indicator["unit"] or "") not in RATE_UNITS:
        months = Decimal(period_end(period).month)
        return meets(comparison, (target - tolerance) * months / MONTHS, value)
    return meets(comparison, target, value, tolerance)


def latest_values(quarter: Quarter, evaluation: dt.date, **filters) -> dict[int, dict]:
    """Each judgeable indicator's latest value of a period ended by E (one query)."""
    rows = (
        IndicatorValue.objects.filter(
            indicator__year=quarter.year,
            indicator__target_value__isnull=False,
            indicator__department__isnull=False,
            period__startswith=str(quarter.year),
            **filters,
        )
        .exclude(indicator__comparison="")
        .order_by()
        .values(
            "indicator_id",
            "period",
            "value",
            department=F("indicator__department"),
            domain=F("indicator__domain"),
            target_value=F("indicator__target_value"),
            comparison=F("indicator__comparison"),
            tolerance=F("indicator__tolerance"),
            unit=F("indicator__unit"),
        )
    )
    latest: dict[int, dict] = {}
    for row in rows:
        end = period_end(row["period"])
        if end > evaluation:
            continue
        row["period_end"] = end
        best = latest.get(row["indicator_id"])
        # The later period wins; of two ending together (2024-03, 2024Q1) the quarter's.
        if best is None or (end, row["period"]) > (best["period_end"], best["period"]):
            latest[row["indicator_id"]] = row
    for row in latest.values():
        row["met"] = indicator_meets(row, row["value"], row["period"])
    return latest


def indicators(quarter: Quarter, evaluation: dt.date) -> dict:
    """Indicators judged and reaching their 序时 target, per (unit, card)."""
    figures: dict[tuple, dict] = {}
    for row in latest_values(quarter, evaluation).values():
        if row["met"] is None:
            continue
        entry = figures.setdefault((row["department"], row["domain"]), {"judged": 0, "met": 0})
        entry["judged"] += 1
        entry["met"] += int(row["met"])
    return figures


def adjustments(quarter: Quarter) -> dict:
    """Σ 加分/扣分 per (unit, card) for the quarter (one query)."""
    rows = (
        ScoreAdjustment.objects.filter(period=quarter.label)
        .order_by()
        .values("department", "domain")
        .annotate(points=Sum("points"))
    )
    return {(row["department"], row["domain"]): row["points"] for row in rows}


def investment(quarter: Quarter, evaluation: dt.date) -> dict[int, dict]:
    """Annual plan and year-to-date completed investment per unit (one query): the
    non-archived projects of the quarter's year it leads, the months up to E — each
    project's investment of its year as ``ProjectFigure`` keeps it, less the months after E
    (none in the running quarter), taken once per unit rather than once per project."""
    year = quarter.year
    after = (
        InvestmentReport.objects.filter(
            project__lead_department=OuterRef("lead_department"),
            project__year=year,
            project__is_archived=False,
            period__year=year,
            period__gt=evaluation,
        )
        .order_by()
        .values("project__lead_department")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    zero = Value(Decimal(0), output_field=MONEY_SUM)
    rows = (
        Project.objects.filter(year=year, is_archived=False)
        .order_by()
        .values("lead_department")
        .annotate(
            plan=Sum("annual_plan_investment"),
            kept=Sum(Coalesce(F("figure__completed"), zero), output_field=MONEY_SUM),
        )
        # Annotated apart: with the sums, Django would GROUP BY the subquery itself (run for
        # every project); alone, by the unit it is correlated with, once per unit.
        .annotate(after=Subquery(after, output_field=MONEY_SUM))
    )
    return {
        row["lead_department"]: {
            "plan": row["plan"],
            "completed": (row["kept"] if row["after"] is None else row["kept"] - row["after"])
            or Decimal(0),
        }
        for row in rows
    }
