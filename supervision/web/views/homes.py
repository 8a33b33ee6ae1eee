"""Role homes: ``/`` opens the office's district cockpit, a unit's 本单位 page or a leader's
包保 page; each is also reachable by its own address, so anyone may open the others.

本单位 (``unit/<id>/``): the unit's tasks by light and status, what it must 签收, what is due
this week, its projects and the user's latest messages. 我的包保 (``leader/<id>/``): the
tasks and projects the leader 包保s and the 批示 he gave. Each page is a fixed number of
queries whatever the data (asserted in the tests).
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from accounts.choices import Role
from accounts.models import Department, User
from core import clock
from projects.choices import Light
from projects.selectors import project_list
from supervision.choices import OPEN_STATUSES, TaskStatus
from supervision.loop.selectors import overdue_days, task_list, unacknowledged_escalations
from supervision.reminders.models import Notification

ROWS = 10


def _rows(queryset, today: dt.date, link: str = "") -> dict:
    rows = list(queryset[: ROWS + 1])
    for task in rows:
        task.overdue = overdue_days(task, today)
    return {"rows": rows[:ROWS], "more": len(rows) > ROWS, "link": link}


def _tasks_link(**params) -> str:
    return f"{reverse('web:tasks')}?{urlencode(params, doseq=True)}"


def _counts(tasks) -> dict:
    """Open tasks by light, all tasks by status: one query."""
    is_open = Q(status__in=OPEN_STATUSES)
    figures = tasks.aggregate(
        **{f"light_{light}": Count("pk", filter=is_open & Q(light=light)) for light in Light},
        **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in TaskStatus},
    )
    return {
        "lights": [
            {"light": light, "label": label, "count": figures[f"light_{light}"]}
            for light, label in Light.choices
        ],
        "statuses": [
            {"status": status, "label": label, "count": figures[f"status_{status}"]}
            for status, label in TaskStatus.choices
            if figures[f"status_{status}"]
        ],
    }


def _week_end(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=6 - today.weekday())


@login_required
def home(request):
    """Where each role starts: the unit's 本单位, the leader's 包保, else the district."""
    user = request.user
    if user.is_owner:
        return unit_home(request, user.department_id)
    if user.role == Role.LEADER and not user.is_supervisor:
        return leader_home(request, user.pk)
    from supervision.web.views.dashboard import dashboard

    return dashboard(request)


@login_required
def unit_home(request, pk: int):
    department = get_object_or_404(Department, pk=pk)
    today = clock.today()
    lead = Q(lead_department=department)
    tasks = task_list(today=today).filter(lead | Q(co_departments=department)).distinct()
    led = task_list(today=today).filter(lead)
    week_end = _week_end(today)
    context = {
        "department": department,
        "tasks_link": _tasks_link(department=department.pk),
        "own": request.user.is_owner and request.user.department_id == department.pk,
        "today": today,
        "week_end": week_end,
        **_counts(task_list(today=today).filter(pk__in=tasks.values("pk"))),
        "to_accept": _rows(
            led.filter(status=TaskStatus.ASSIGNED).order_by("deadline", "code"),
            today,
            _tasks_link(status=TaskStatus.ASSIGNED, department=department.pk),
        ),
        "due_this_week": _rows(
            tasks.filter(status__in=OPEN_STATUSES, deadline__lte=week_end).order_by(
                "deadline", "code"
            ),
            today,
            _tasks_link(department=department.pk, deadline_before=week_end.isoformat()),
        ),
        "reminders_pending": unacknowledged_escalations().filter(department=department).count(),
        "projects": list(project_list(today=today).filter(lead_department=department)[:ROWS]),
        "messages_latest": list(
            Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")[:5]
        ),
        "departments": Department.objects.filter(is_active=True).order_by("code"),
    }
    return render(request, "web/home_unit.html", context)


@login_required
def leader_home(request, pk: int):
    leader = get_object_or_404(User, pk=pk)
    today = clock.today()
    tasks = task_list(today=today).filter(responsible_leader=leader)
    from supervision.kinds.models import Instruction

    context = {
        "leader": leader,
        "tasks_link": _tasks_link(responsible_leader=leader.pk),
        "own": request.user.pk == leader.pk,
        "today": today,
        **_counts(tasks),
        "open_tasks": _rows(
            tasks.filter(status__in=OPEN_STATUSES).order_by("deadline", "code"),
            today,
            _tasks_link(responsible_leader=leader.pk),
        ),
        "projects": list(project_list(today=today).filter(responsible_leader=leader)[:ROWS]),
        "instructions": list(
            Instruction.objects.filter(leader=leader)
            .select_related("task", "project")
            .order_by("-created_at", "-pk")[:ROWS]
        ),
        "leaders": User.objects.filter(role=Role.LEADER, is_active=True).order_by("username"),
    }
    return render(request, "web/home_leader.html", context)


@login_required
def my_unit(request):
    """本单位: the unit picked on the page (``?pk=``), else the user's own, else the first."""
    picked = request.GET.get("pk", "")
    if picked.isdigit():
        return redirect("web:unit-home", pk=int(picked))
    if request.user.department_id:
        return redirect("web:unit-home", pk=request.user.department_id)
    first = Department.objects.order_by("code").values_list("pk", flat=True).first()
    return redirect("web:unit-home", pk=first) if first else redirect("web:dashboard")
