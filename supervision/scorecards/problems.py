"""八张问题清单: the problem lists, counted per report card, origin and unit, and what a
problem spawns.

A problem is a ``source=problem`` task with its ``ProblemDetail`` (origin, found on,
description, 整改目标; the rectification measures are the task's nodes). It is counted unless
it is a draft (never handed over) or cancelled. Rectified (已整改/销号) = closed — which needs
the evidence the kind's policy asks for at 申请办结 and the office's verification (核验 →
销号); open = anything else; overdue = open past its deadline. 清零率 = rectified ÷ total
(two decimals, ``None`` when there is nothing to count). What stands between a card and
清零 is its open problems, most overdue first.

Everything here costs a fixed number of queries whatever the number of problems.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from accounts.models import Department, User
from core.errors import DomainError
from supervision.choices import Domain, TaskSource, TaskStatus
from supervision.kinds.choices import ProblemOrigin
from supervision.loop import services as loop_services
from supervision.loop.models import Task
from supervision.scorecards.measures import NOT_COUNTED, pct

COUNTS = ("total", "rectified", "open", "overdue")
# Open problems listed per card under "what stands between it and 清零".
BLOCKERS_PER_CARD = 10


def problems_in_scope(*, domain=None, origin=None, department=None):
    queryset = Task.objects.filter(source=TaskSource.PROBLEM, problem__isnull=False).exclude(
        status__in=NOT_COUNTED
    )
    if domain:
        queryset = queryset.filter(domain=domain)
    if origin:
        queryset = queryset.filter(problem__origin=origin)
    if department:
        queryset = queryset.filter(lead_department=department)
    return queryset


def _figures(counts: dict | None = None) -> dict:
    counts = {name: (counts or {}).get(name, 0) for name in COUNTS}
    return {**counts, "clearance_rate": pct(counts["rectified"], counts["total"])}


def _add(into: dict, row: dict) -> None:
    for name in COUNTS:
        into[name] = into.get(name, 0) + row[name]


def problem_stats(*, today: dt.date, domain=None, origin=None, department=None) -> dict:
    """``{"total", "rectified", "open", "overdue", "clearance_rate", "by_domain",
    "by_origin", "by_department"}``: every card and every origin listed (zeros included),
    units with at least one problem. Two queries."""
    closed = Q(status=TaskStatus.CLOSED)
    scope = problems_in_scope(domain=domain, origin=origin, department=department)
    rows = (
        scope.order_by()
        .values(
            "domain",
            "problem__origin",
            "lead_department",
            "lead_department__code",
            "lead_department__name",
            "lead_department__short_name",
        )
        .annotate(
            total=Count("pk"),
            rectified=Count("pk", filter=closed),
            open=Count("pk", filter=~closed),
            overdue=Count("pk", filter=~closed & Q(deadline__lt=today)),
        )
    )
    overall, by_domain, by_origin, by_department = {}, {}, {}, {}
    for row in rows:
        _add(overall, row)
        _add(by_domain.setdefault(row["domain"], {}), row)
        _add(by_origin.setdefault(row["problem__origin"], {}), row)
        unit = by_department.setdefault(
            row["lead_department"],
            {
                "department": row["lead_department"],
                "department_code": row["lead_department__code"],
                "department_label": row["lead_department__short_name"]
                or row["lead_department__name"],
            },
        )
        _add(unit, row)
    blockers = open_problems(scope, today)
    return {
        **_figures(overall),
        "by_domain": [
            {
                "domain": value,
                "label": label,
                **_figures(by_domain.get(value)),
                "blockers": blockers.get(value, []),
            }
            for value, label in Domain.choices
        ],
        "by_origin": [
            {"origin": value, "label": label, **_figures(by_origin.get(value))}
            for value, label in ProblemOrigin.choices
        ],
        "by_department": sorted(
            ({**unit, **_figures(unit)} for unit in by_department.values()),
            key=lambda unit: unit["department_code"],
        ),
    }


def open_problems(scope, today: dt.date, per_card: int = BLOCKERS_PER_CARD) -> dict:
    """Per card, its first ``per_card`` open problems, the earliest deadline first. One query."""
    rows = (
        scope.exclude(status=TaskStatus.CLOSED)
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("domain")],
                order_by=[F("deadline").asc(), F("pk").asc()],
            )
        )
        .filter(row__lte=per_card)
        .order_by("domain", "deadline", "pk")
        .values(
            "id",
            "code",
            "title",
            "domain",
            "status",
            "deadline",
            "lead_department",
            "lead_department__name",
            "lead_department__short_name",
            "problem__origin",
            "problem__recurring",
        )
    )
    origins = dict(ProblemOrigin.choices)
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row["domain"], []).append(
            {
                "id": row["id"],
                "code": row["code"],
                "title": row["title"],
                "status": row["status"],
                "deadline": row["deadline"],
                "overdue_days": max(0, (today - row["deadline"]).days),
                "department": row["lead_department"],
                "department_label": row["lead_department__short_name"]
                or row["lead_department__name"],
                "origin": row["problem__origin"],
                "origin_label": origins.get(row["problem__origin"], ""),
                "recurring": row["problem__recurring"],
            }
        )
    return found


@transaction.atomic
def problem_follow_up(
    *,
    actor: User,
    problem: Task,
    title: str,
    lead_department: Department,
    deadline: dt.date,
    content: str = "",
    source: str = TaskSource.OTHER,
) -> Task:
    """A follow-up task spawned by a problem (the office): a draft on the problem's card,
    its ``parent`` the problem; 403 for anyone else, 409 for a draft or cancelled problem."""
    if problem.source != TaskSource.PROBLEM:
        raise ValidationError({"problem": "只有问题整改事项可以派生跟进事项。"})
    if source == TaskSource.PROBLEM:
        raise ValidationError({"source": "跟进事项不能再是问题整改（问题请单独登记）。"})
    if problem.status in NOT_COUNTED:
        raise DomainError("草稿或已撤销的问题不能派生跟进事项。")
    return loop_services.task_create(
        actor=actor,
        title=title,
        source=source,
        domain=problem.domain,
        lead_department=lead_department,
        deadline=deadline,
        content=content,
        parent=problem,
    )
