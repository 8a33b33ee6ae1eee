"""Working-day arithmetic on China's official calendar.

Reminders count WORKING days: statutory holidays are off and 调休 make-up weekends are
on. The data comes from the ``chinesecalendar`` package; for a year it does not know
(before its first or after its last year) we fall back to Monday–Friday and log a warning
once per such year, so an outdated package degrades the counting instead of crashing it.

All functions are pure: they take explicit dates and never read the clock.
"""

import functools
import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.utils import timezone

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_DAY = timedelta(days=1)

# Years for which the Monday–Friday fallback has already been reported.
_warned_years: set[int] = set()


@functools.lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    """Whether ``day`` is an official working day in mainland China.

    Holidays are off, 调休 make-up weekend days are on. For a year the package has no
    data for, Monday–Friday are working days (with one warning logged per year).
    """
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "chinesecalendar has no holiday data for %s; counting Monday-Friday as "
                "working days. Upgrade the chinesecalendar package.",
                day.year,
            )
        return day.weekday() < 5


@functools.lru_cache(maxsize=16384)
def workdays_between(start: date, end: date) -> int:
    """Number of working days ``d`` with ``start < d <= end``; 0 when ``end <= start``."""
    count = 0
    day = start + ONE_DAY
    while day <= end:
        count += is_workday(day)
        day += ONE_DAY
    return count


def remaining_workdays(today: date, deadline: date) -> int:
    """Working days left until ``deadline``, counting the deadline itself but not today."""
    return workdays_between(today, deadline)


def overdue_workdays(deadline: date, today: date) -> int:
    """Working days past ``deadline``, counting today but not the deadline itself."""
    return workdays_between(deadline, today)


def add_workdays(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (``n > 0``) or before it (``n < 0``).

    ``n == 0`` returns ``day`` itself, working day or not. For ``n > 0`` the result is a
    working day and ``workdays_between(day, result) == n``. For ``n < 0`` the result is a
    working day with exactly ``-n - 1`` working days strictly between it and ``day``.
    """
    step = ONE_DAY if n > 0 else -ONE_DAY
    left = abs(n)
    while left:
        day += step
        if is_workday(day):
            left -= 1
    return day


def next_workday(day: date) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += ONE_DAY
    return day


def next_workday_at(moment: datetime, at: time = time(9, 0)) -> datetime:
    """Hold a moment that falls on a non-working day until the next working day.

    ``moment`` must be aware. If its Asia/Shanghai date is a working day it is returned
    unchanged; otherwise the result is ``at`` o'clock Asia/Shanghai on the next working day.
    """
    local_day = timezone.localtime(moment, SHANGHAI).date()
    if is_workday(local_day):
        return moment
    return datetime.combine(next_workday(local_day), at, tzinfo=SHANGHAI)
