"""The one clock (DESIGN.md, "One clock").

Every place that needs "now" or "today" calls these. ``SUPERVISION_TODAY`` pins the date
(the time of day stays real, so a demo still ticks); ``override`` pins both for one run
(``scan_deadlines --now``) and for tests.
"""

import contextlib
import datetime as dt
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone

_override: ContextVar[dt.datetime | None] = ContextVar("clock_override", default=None)


def now() -> dt.datetime:
    """The current aware datetime in the project's time zone."""
    pinned = _override.get()
    if pinned is not None:
        return timezone.localtime(pinned)
    real = timezone.localtime()
    if settings.SUPERVISION_TODAY:
        return real.replace(
            year=settings.SUPERVISION_TODAY.year,
            month=settings.SUPERVISION_TODAY.month,
            day=settings.SUPERVISION_TODAY.day,
        )
    return real


def today() -> dt.date:
    return now().date()


@contextlib.contextmanager
def override(moment: dt.datetime):
    """Pin the clock to ``moment`` (aware; a naive one is read as Asia/Shanghai)."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    token = _override.set(moment)
    try:
        yield moment
    finally:
        _override.reset(token)


def localdate(moment: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar day of an aware moment."""
    return timezone.localtime(moment).date()


def start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the project's time zone (aware)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
