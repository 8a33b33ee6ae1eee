"""The cockpit's figures (督查驾驶舱): counts by status and light, what is overdue, what is
due this week, unacknowledged escalations, the key works and investment against 序时进度.

``dashboard_summary(today=…)`` runs a fixed number of queries (seven) whatever the number of
tasks, projects or reminders: counts are database aggregates, lists are capped at
``LIST_LIMIT`` rows with their related names joined in (the key works too: a city-wide year
has thousands; ``key_works_total`` and ``key_works_by_light`` count them all).

"Open" is ``OPEN_STATUSES`` (draft, assigned, in progress, submitted) as everywhere else;
a task is overdue when it is at least one working day past its deadline or an open node's
(``is_overdue``); its light also turns red when it lags its 序时 target (``loop.progress``).

Not cached: the figures depend on tasks, projects, milestones, investment reports and
reminders (the deadline scan writes reminders with raw SQL), so correct invalidation is not
a one-liner; the queries are aggregates over indexed columns.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, Q, Subquery, Sum, Value, When

from core import clock
from projects.choices import Category, Light
from projects.models import Project
from projects.querysets import year_time_progress
from supervision.cache import cached
from supervision.choices import OPEN_STATUSES, TaskStatus
from supervision.loop.models import EscalationPolicy, Task
from supervision.loop.querysets import light_thresholds
from supervision.loop.selectors import (
    escalation_cutoff,
    overdue_days,
    unacknowledged_escalations,
)
from supervision.scorecards.models import TaskTally

LIST_LIMIT = 20
CENT = Decimal("0.01")
LIGHTS = tuple(Light.values)  # green, yellow, red


def _q2(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def unit_task_figures(today: dt.date, policy: EscalationPolicy) -> dict[int, dict]:
    """Per lead unit: tasks by status (``status_<status>``) and the open ones by light, with
    the overdue and behind counts — ``{department_id: {"status_draft", …, "green", "yellow",
    "red", "overdue", "behind"}}`` — in two queries at most whatever the number of tasks.

    A light is the task's ``with_light`` one. From ``TaskTally`` (task figures counted per
    unit, status, ``first_due`` and ``measurable``, kept by triggers) it is a range sum over
    ``first_due``; the few tasks whose light may also follow their 序时 lag (``measurable``)
    are evaluated in full.
    """
    last_workday, warn_before = light_thresholds(today, policy.warning_days)
    plain = Q(first_due__isnull=False, measurable=False)
    late = Q(first_due__lt=last_workday)
    soon = Q(first_due__gte=last_workday, first_due__lt=warn_before)

    def total(condition: Q):
        return Sum("n", filter=condition, default=0)

    rows = (
        TaskTally.objects.values("lead_department")
        .annotate(
            **{f"status_{status}": total(Q(status=status)) for status in TaskStatus},
            red=total(plain & late),
            yellow=total(plain & soon),
            green=total(plain & Q(first_due__gte=warn_before)),
            overdue=total(late),
            measured=total(Q(measurable=True)),
        )
        .order_by()
    )
    units = {row.pop("lead_department"): {**row, "behind": 0} for row in rows}
    if not sum(unit.pop("measured") for unit in units.values()):
        return units  # nothing to evaluate in full: one query
    measured = (
        Task.objects.filter(figure__measurable=True)
        .with_light(today, policy)
        .values("lead_department")
        .annotate(
            **{light: Count("pk", filter=Q(light=light)) for light in LIGHTS},
            behind=Count("pk", filter=Q(lag__gt=0)),
        )
        .order_by()
    )
    for row in measured:
        unit = units[row.pop("lead_department")]
        for key, count in row.items():
            unit[key] += count
    return units


def overdue_units(today: dt.date) -> list[dict]:
    """Units with urgeable overdue work (the cockpit's 逾期单位), most first:
    ``{"id", "name", "label", "count"}`` — ``reminders.services.overdue_by_unit``'s answer
    summed from ``TaskTally`` (one query over the groups instead of every task with its
    nodes): an urgeable task (assigned, in progress) is overdue exactly when its
    ``first_due`` is at least one working day past."""
    from supervision.reminders.services import URGEABLE_STATUSES, units_by_count

    last_workday, _ = light_thresholds(today, EscalationPolicy.current().warning_days)
    due = TaskTally.objects.filter(status__in=URGEABLE_STATUSES, first_due__lt=last_workday)
    return units_by_count(due, Sum("n"))


def _task_counts(today: dt.date, policy: EscalationPolicy) -> tuple[dict, dict, dict]:
    units = unit_task_figures(today, policy).values()

    def total(key: str) -> int:
        return sum(unit[key] for unit in units)

    return (
        {status.value: total(f"status_{status}") for status in TaskStatus},
        {light: total(light) for light in LIGHTS},
        {"tasks_overdue": total("overdue"), "tasks_behind": total("behind")},
    )


def _project_figures(today: dt.date) -> tuple[dict, dict, dict]:
    """The year's projects by light, its key works by light and its investment figures, in
    one aggregate grouped by light (the light's expression compiled and computed once per
    row, not once in each light's count)."""
    planned = Q(annual_plan_investment__gt=0)
    groups = (
        Project.objects.filter(year=today.year, is_archived=False)
        .with_figures(today, stored=True)
        .values("light")
        .annotate(
            projects=Count("pk"),
            key_works=Count("pk", filter=Q(category=Category.KEY_WORK)),
            annual_plan=Sum("annual_plan_investment"),
            # The rate is over planned projects only: investment on a project with no annual
            # plan would raise it without any plan behind it (issue 17); shown apart.
            completed=Sum("completed_investment", filter=planned),
            unplanned_completed=Sum("completed_investment", filter=~planned),
            unplanned_projects=Count("pk", filter=~planned & Q(completed_investment__gt=0)),
        )
        .order_by()
    )
    by_light = {group["light"]: group for group in groups}
    figures = {
        name: sum((group[name] or 0 for group in by_light.values()), 0)
        for name in ("annual_plan", "completed", "unplanned_completed", "unplanned_projects")
    }
    for light in LIGHTS:
        group = by_light.get(light) or {"projects": 0, "key_works": 0}
        figures[f"light_{light}"], figures[f"key_{light}"] = group["projects"], group["key_works"]
    plan = _q2(figures["annual_plan"] or 0)
    completed = _q2(figures["completed"] or 0)
    investment = {
        "annual_plan": plan,
        "completed": completed,
        "completion_rate": _q2(completed * 100 / plan) if plan else None,
        "time_progress": year_time_progress(today.year, today),
        "unplanned_completed": _q2(figures["unplanned_completed"] or 0),
        "unplanned_projects": figures["unplanned_projects"],
    }
    return (
        {light: figures[f"light_{light}"] for light in LIGHTS},
        {light: figures[f"key_{light}"] for light in LIGHTS},
        investment,
    )


def _overdue_tasks(today: dt.date, policy: EscalationPolicy) -> list[dict]:
    last_workday, _ = light_thresholds(today, policy.warning_days)
    tasks = (
        Task.objects.filter(figure__first_due__lt=last_workday)
        .annotate(first_due=F("figure__first_due"))
        .select_related("lead_department")
        .order_by("figure__first_due", "code")[:LIST_LIMIT]
    )
    return [
        {
            "id": task.pk,
            "code": task.code,
            "title": task.title,
            "lead_department": task.lead_department.name,
            "lead_department_label": str(task.lead_department),
            "deadline": task.deadline,
            "overdue_days": overdue_days(task, today),
            "status": task.status,
        }
        for task in tasks
    ]


def _count(queryset) -> Subquery:
    """``queryset``'s row count as a scalar subquery (PostgreSQL runs it once, as an
    InitPlan)."""
    return Subquery(
        queryset.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n")
    )


def _escalations(today: dt.date) -> tuple[list[dict], dict]:
    """The 督办/通报 waiting more than a working day (oldest first, capped) and the counts of
    all sent and unacknowledged ones and of those late, in one query: the late ones are the
    oldest, so they lead the list. The counts are scalar subqueries over the reminders alone
    (a window count over the joined rows read every task)."""
    cutoff = escalation_cutoff(clock.start_of(today))
    sent = unacknowledged_escalations().filter(sent_at__isnull=False)
    # The capped rows are chosen first, then joined to their names (joined before the cap,
    # every task was read).
    first = sent.order_by("sent_at", "id").values("pk")[:LIST_LIMIT]
    rows = list(
        sent.model.objects.filter(pk__in=first)
        .annotate(pending_total=_count(sent), late_total=_count(sent.filter(sent_at__lt=cutoff)))
        .select_related("task", "milestone__project", "department")
        .order_by("sent_at", "id")
    )
    counts = {
        "pending": rows[0].pending_total if rows else 0,
        "late": (rows[0].late_total or 0) if rows else 0,
    }
    rows = [reminder for reminder in rows if reminder.sent_at < cutoff]
    return [
        {
            "id": reminder.pk,
            "level": reminder.level,
            "task": reminder.task_id,
            "milestone": reminder.milestone_id,
            "title": (
                reminder.task.title
                if reminder.task_id
                else f"{reminder.milestone.project.name} · {reminder.milestone.name}"
            ),
            "department": reminder.department.name,
            "department_label": str(reminder.department),
            "deadline": reminder.deadline,
            "sent_at": reminder.sent_at,
        }
        for reminder in rows
    ], counts


def _upcoming(today: dt.date) -> list[dict]:
    sunday = today + dt.timedelta(days=6 - today.weekday())
    tasks = (
        Task.objects.filter(status__in=OPEN_STATUSES, deadline__gte=today, deadline__lte=sunday)
        .select_related("lead_department")
        .order_by("deadline", "code")[:LIST_LIMIT]
    )
    return [
        {
            "id": task.pk,
            "code": task.code,
            "title": task.title,
            "lead_department": task.lead_department.name,
            "lead_department_label": str(task.lead_department),
            "deadline": task.deadline,
        }
        for task in tasks
    ]


KEY_WORK_FIGURES = ("annual_plan_investment", "completed_investment", "completion_rate")
SEVERITY = Case(When(light=Light.RED, then=0), When(light=Light.YELLOW, then=1), default=2)


def _key_works(today: dt.date, *, total: int) -> list[dict]:
    """The year's key works, at most ``LIST_LIMIT`` of them. When all ``total`` fit they keep
    their code order (the report's order, each card in its place whatever its light); past
    the limit, the ones needing attention: red, then yellow, then green, each by code."""
    order = ("severity", "code") if total > LIST_LIMIT else ("code",)
    rows = (
        Project.objects.filter(year=today.year, category=Category.KEY_WORK, is_archived=False)
        .with_figures(today, stored=True)
        .alias(severity=SEVERITY)
        .order_by(*order)
        .values("id", "code", "name", *KEY_WORK_FIGURES, "time_progress", "light")[:LIST_LIMIT]
    )
    for row in rows:
        for key in (*KEY_WORK_FIGURES, "time_progress"):
            row[key] = _q2(row[key])
    return list(rows)


def dashboard_summary(*, today: dt.date) -> dict:
    """Everything the cockpit's front page shows, as of ``today`` (cached until data changes)."""
    return cached("dashboard", today, compute=lambda: compute_dashboard(today=today))


def compute_dashboard(*, today: dt.date) -> dict:
    """The dashboard computed afresh (seven queries)."""
    policy = EscalationPolicy.current()
    tasks_by_status, tasks_by_light, lateness = _task_counts(today, policy)
    projects_by_light, key_works_by_light, investment = _project_figures(today)
    key_works_total = sum(key_works_by_light.values())
    escalations, escalation_counts = _escalations(today)
    return {
        "today": today,
        "tasks_by_status": tasks_by_status,
        "tasks_by_light": tasks_by_light,
        **lateness,
        "projects_by_light": projects_by_light,
        "overdue_tasks": _overdue_tasks(today, policy),
        "unacknowledged_escalations": escalations,
        "unacknowledged_counts": escalation_counts,
        "upcoming": _upcoming(today),
        "key_works": _key_works(today, total=key_works_total),
        "key_works_total": key_works_total,
        "key_works_by_light": key_works_by_light,
        "investment": investment,
    }
