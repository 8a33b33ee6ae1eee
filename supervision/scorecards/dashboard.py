"""The cockpit's figures (督查驾驶舱): counts by status and light, what is overdue, what is
due this week, unacknowledged escalations, the key works and investment against 序时进度.

``dashboard_summary(today=…)`` runs a fixed number of queries (seven) whatever the number of
tasks, projects or reminders: counts are database aggregates, lists are capped at
``LIST_LIMIT`` rows with their related names joined in.

"Open" is ``OPEN_STATUSES`` (draft, assigned, in progress, submitted) as everywhere else;
a task is overdue when it is at least one working day past its deadline or an open node's
(``is_overdue``); its light also turns red when it lags its 序时 target (``loop.progress``).

Not cached: the figures depend on tasks, projects, milestones, investment reports and
reminders (the deadline scan writes reminders with raw SQL), so correct invalidation is not
a one-liner; the queries are aggregates over indexed columns.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, IntegerField, Q, Sum, When, Window

from core import clock
from projects.choices import Category, Light
from projects.models import Project
from projects.querysets import year_time_progress
from supervision.cache import cached
from supervision.choices import OPEN_STATUSES, TaskStatus
from supervision.loop.models import EscalationPolicy, Task
from supervision.loop.selectors import (
    escalation_cutoff,
    overdue_days,
    unacknowledged_escalations,
)

LIST_LIMIT = 20
CENT = Decimal("0.01")
LIGHTS = tuple(Light.values)  # green, yellow, red


def _q2(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _task_counts(today: dt.date, policy: EscalationPolicy) -> tuple[dict, dict, dict]:
    is_open = Q(status__in=OPEN_STATUSES)
    counts = Task.objects.with_light(today, policy).aggregate(
        **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in TaskStatus},
        **{f"light_{light}": Count("pk", filter=is_open & Q(light=light)) for light in LIGHTS},
        overdue=Count("pk", filter=Q(is_overdue=True)),
        behind=Count("pk", filter=is_open & Q(lag__gt=0)),
    )
    by_status = {status.value: counts[f"status_{status}"] for status in TaskStatus}
    by_light = {light: counts[f"light_{light}"] for light in LIGHTS}
    return (
        by_status,
        by_light,
        {"tasks_overdue": counts["overdue"], "tasks_behind": counts["behind"]},
    )


def _project_figures(today: dt.date) -> tuple[dict, dict]:
    planned = Q(annual_plan_investment__gt=0)
    figures = (
        Project.objects.filter(year=today.year, is_archived=False)
        .with_figures(today)
        .aggregate(
            **{f"light_{light}": Count("pk", filter=Q(light=light)) for light in LIGHTS},
            annual_plan=Sum("annual_plan_investment"),
            # The rate is over planned projects only: investment on a project with no annual
            # plan would raise it without any plan behind it (issue 17); shown apart.
            completed=Sum("completed_investment", filter=planned),
            unplanned_completed=Sum("completed_investment", filter=~planned),
            unplanned_projects=Count("pk", filter=~planned & Q(completed_investment__gt=0)),
        )
    )
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
    return {light: figures[f"light_{light}"] for light in LIGHTS}, investment


def _overdue_tasks(today: dt.date, policy: EscalationPolicy) -> list[dict]:
    tasks = (
        Task.objects.with_light(today, policy)
        .filter(is_overdue=True)
        .select_related("lead_department")
        .order_by("first_due", "code")[:LIST_LIMIT]
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


def _escalations(today: dt.date) -> tuple[list[dict], dict]:
    """The 督办/通报 waiting more than a working day (oldest first, capped) and the counts of
    all sent and unacknowledged ones and of those late, in one query: the late ones are the
    oldest, so they lead the list; window counts see every row before the cap."""
    cutoff = escalation_cutoff(clock.start_of(today))
    late = Case(When(sent_at__lt=cutoff, then=1), default=0, output_field=IntegerField())
    rows = list(
        unacknowledged_escalations()
        .filter(sent_at__isnull=False)
        .select_related("task", "milestone__project", "department")
        .annotate(pending_total=Window(Count("pk")), late_total=Window(Sum(late)))
        .order_by("sent_at", "id")[:LIST_LIMIT]
    )
    counts = {
        "pending": rows[0].pending_total if rows else 0,
        "late": rows[0].late_total if rows else 0,
    }
    reminders = [reminder for reminder in rows if reminder.sent_at < cutoff]
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
        for reminder in reminders
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


def _key_works(today: dt.date) -> list[dict]:
    projects = (
        Project.objects.filter(year=today.year, category=Category.KEY_WORK, is_archived=False)
        .with_figures(today)
        .order_by("code")
    )
    return [
        {
            "id": project.pk,
            "code": project.code,
            "name": project.name,
            "annual_plan_investment": _q2(project.annual_plan_investment),
            "completed_investment": _q2(project.completed_investment),
            "completion_rate": _q2(project.completion_rate),
            "time_progress": _q2(project.time_progress),
            "light": project.light,
        }
        for project in projects
    ]


def dashboard_summary(*, today: dt.date) -> dict:
    """Everything the cockpit's front page shows, as of ``today`` (cached until data changes)."""
    return cached("dashboard", today, compute=lambda: compute_dashboard(today=today))


def compute_dashboard(*, today: dt.date) -> dict:
    """The dashboard computed afresh (seven queries)."""
    policy = EscalationPolicy.current()
    tasks_by_status, tasks_by_light, lateness = _task_counts(today, policy)
    projects_by_light, investment = _project_figures(today)
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
        "key_works": _key_works(today),
        "investment": investment,
    }
