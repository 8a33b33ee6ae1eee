"""When a task owes a progress report (one definition for the deadline scan, the inbox and
the report cards).

A task with a weekly, monthly or quarterly report frequency owes one progress report per
reporting period (Monday–Sunday, calendar month, calendar quarter), due on the period's
last working day. It owes it when it was signed for (``accepted_at``) before the period's
last day began; any progress report on the task created within the period (first day 00:00
to last day 24:00, Asia/Shanghai) meets it.
"""

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q

from core import clock
from supervision.loop.models import ProgressReport
from supervision.loop.workdays import add_workdays, is_workday

REPORT_FREQUENCIES = ("weekly", "monthly", "quarterly")
ONE_DAY = dt.timedelta(days=1)


def period_bounds(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting period (first and last calendar day) containing ``day``."""
    if frequency == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if frequency == "monthly":
        start = day.replace(day=1)
    else:  # quarterly
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    months = 1 if frequency == "monthly" else 3
    year, month = divmod(start.month - 1 + months, 12)
    return start, dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)


def report_deadline(period_end: dt.date) -> dt.date:
    """Reports are due on the last working day of their period."""
    return period_end if is_workday(period_end) else add_workdays(period_end, -1)


def signed_for_by(end: dt.date) -> dt.datetime:
    """A task signed for (``accepted_at``) before this instant, the start of the period's
    last day, owes the report of the period ending ``end``."""
    return clock.start_of(end)


def report_window(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[since, until): a progress report created within it meets the period [start, end]."""
    return clock.start_of(start), clock.start_of(end + ONE_DAY)


def bound_to_report(frequency: str, end: dt.date) -> Q:
    """Tasks (of ``frequency``) that owe a report for the period ending ``end``: signed for
    before its last day began. Callers add what "in hand" means for them (in progress now,
    or not handed in by then)."""
    return Q(report_frequency=frequency, accepted_at__lt=signed_for_by(end))


def reported_within(start: dt.date, end: dt.date) -> Exists:
    """The task (``OuterRef("pk")``) has a progress report made within [start, end]."""
    since, until = report_window(start, end)
    return Exists(
        ProgressReport.objects.filter(
            task=OuterRef("pk"), created_at__gte=since, created_at__lt=until
        )
    )


def report_owed(frequency: str, start: dt.date, end: dt.date) -> Q:
    """Bound to report for the period [start, end] and no report made within it."""
    return bound_to_report(frequency, end) & ~reported_within(start, end)


def report_owed_now(today: dt.date) -> tuple[Q, dict[str, dt.date]]:
    """Tasks owing a report for the period containing ``today`` (by their frequency), and
    each frequency's due date."""
    conditions, due = [], {}
    for frequency in REPORT_FREQUENCIES:
        start, end = period_bounds(frequency, today)
        due[frequency] = report_deadline(end)
        conditions.append(report_owed(frequency, start, end))
    return reduce(or_, conditions), due
