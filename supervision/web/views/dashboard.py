"""驾驶舱 (the dashboard) and 赛马比拼 (the quarterly department ranking)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from core import clock
from projects.choices import Category, Light
from supervision.choices import TaskStatus

RANKING_ROWS = 10


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _lights(counts: dict) -> list[dict]:
    total = sum(counts.get(light, 0) for light in Light.values) or 1
    return [
        {
            "light": light,
            "label": label,
            "count": counts.get(light, 0),
            "share": counts.get(light, 0) * 100 / total,
        }
        for light, label in Light.choices
    ]


@login_required
def dashboard(request):
    # Written alongside this view by another module owner; imported here so the cockpit
    # never depends on it at import time.
    from supervision.scorecards.dashboard import LIST_LIMIT, dashboard_summary, overdue_units
    from supervision.scorecards.rankings import department_scorecards

    today = clock.today()
    summary = dashboard_summary(today=today)
    period = quarter_of(today)
    ranking = department_scorecards(period=period, today=today)
    by_status = summary["tasks_by_status"]
    context = {
        "summary": summary,
        "today": today,
        "period": period,
        "ranking": ranking[:RANKING_ROWS],
        "ranking_total": len(ranking),
        "task_lights": _lights(summary["tasks_by_light"]),
        "project_lights": _lights(summary["projects_by_light"]),
        # Past LIST_LIMIT only the key works needing attention are listed: say how many there
        # are and link to the list of all of them (the year's, not archived, as counted).
        "key_works_capped": summary["key_works_total"] > len(summary["key_works"]),
        "key_work_lights": _lights(summary["key_works_by_light"]),
        "key_works_url": reverse("web:projects")
        + "?"
        + urlencode({"category": Category.KEY_WORK, "year": today.year, "is_archived": "false"}),
        "statuses": [
            {"status": status, "label": label, "count": by_status.get(status, 0)}
            for status, label in TaskStatus.choices
        ],
        "task_total": sum(by_status.values()),
        # Overdue: a deadline or an approved node a working day past (red also counts lag).
        "overdue_total": summary["tasks_overdue"],
        "escalations_pending": summary["unacknowledged_counts"]["pending"],
        "escalations_late": summary["unacknowledged_counts"]["late"],
        "escalations_more": len(summary["unacknowledged_escalations"]) >= LIST_LIMIT,
        "overdue_units": overdue_units(today) if request.user.is_supervisor else None,
    }
    return render(request, "web/dashboard.html", context)


@login_required
def rankings(request):
    """All departments' scorecards for one quarter (``?period=2024Q1``; default: this one)."""
    from supervision.scorecards.rankings import department_scorecards

    today = clock.today()
    period = request.GET.get("period") or quarter_of(today)
    error, rows = None, []
    try:
        rows = department_scorecards(period=period, today=today)
    except ValueError as exc:
        error = str(exc)
    periods = [f"{today.year}Q{q}" for q in range(1, (today.month - 1) // 3 + 2)]
    context = {"period": period, "periods": periods, "rows": rows, "error": error}
    return render(request, "web/rankings.html", context, status=400 if error else 200)
