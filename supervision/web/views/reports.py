"""The weekly 通报 list (printable) and the eight report cards' indicators."""

import datetime as dt
import re
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core import clock
from core.validators import year_in_range
from supervision.choices import Domain, ReminderLevel
from supervision.loop.models import Indicator
from supervision.phases.indicators import can_enter_values, indicator_lights
from supervision.reminders.models import Reminder

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def _week_bounds(label: str | None, today: dt.date) -> tuple[str, dt.date, dt.date] | None:
    if not label:
        year, week, _ = today.isocalendar()
    else:
        match = WEEK.match(label)
        if not match:
            return None
        year, week = int(match[1]), int(match[2])
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        return None
    if not year_in_range(year):
        return None
    return f"{year}-W{week:02d}", monday, monday + dt.timedelta(days=6)


def week_label(monday: dt.date) -> str:
    """How people write a week: ``2024年第26周`` (ISO weeks; the URL keeps ``2024-W26``)."""
    year, week, _ = monday.isocalendar()
    return f"{year}年第{week}周"


@login_required
def notices(request):
    """通报: subjects that reached the notice rung in one ISO week (``?week=2024-W26``)."""
    bounds = _week_bounds(request.GET.get("week"), clock.today())
    if bounds is None:
        context = {"error": "周次格式应为 2024-W26。", "groups": []}
        return render(request, "web/notices.html", context, status=400)
    label, monday, sunday = bounds
    rows = (
        Reminder.objects.filter(
            level=ReminderLevel.NOTICE,
            created_at__gte=clock.start_of(monday),
            created_at__lt=clock.start_of(sunday + dt.timedelta(days=1)),
        )
        .select_related("department", "task", "milestone__project")
        .order_by("department__code", "deadline", "id")
    )
    groups = defaultdict(list)
    for reminder in rows:
        groups[reminder.department].append(reminder)
    previous = monday - dt.timedelta(days=7)
    following = monday + dt.timedelta(days=7)
    context = {
        "week": label,
        "week_label": week_label(monday),
        "monday": monday,
        "sunday": sunday,
        "groups": dict(groups),
        "total": sum(len(v) for v in groups.values()),
        "previous": "{}-W{:02d}".format(*previous.isocalendar()[:2]),
        "following": "{}-W{:02d}".format(*following.isocalendar()[:2]),
    }
    return render(request, "web/notices.html", context)


@login_required
def indicators(request):
    """The year's expected indicators by report card: target, responsible unit, latest value,
    light against 序时 and the periods entered (``IndicatorValue``, two queries)."""
    rows = list(
        Indicator.objects.select_related("department").prefetch_related("values").order_by("code")
    )  # the trend shows ``period_values``, which ``indicator_value_enter`` keeps in step
    lights = indicator_lights(rows)
    cards = {domain: [] for domain in Domain}
    for indicator in rows:
        values = sorted((indicator.period_values or {}).items())
        cards[Domain(indicator.domain)].append(
            {
                "indicator": indicator,
                "trend": values,
                "light": lights[indicator.pk],
                "mine": can_enter_values(request.user, indicator),
            }
        )
    context = {"cards": [(domain.label, rows) for domain, rows in cards.items() if rows]}
    return render(request, "web/indicators.html", context)
