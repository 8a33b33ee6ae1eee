"""Working-day arithmetic on the official 2024 calendar.

2024 Spring Festival: 02-10 (Sat) .. 02-17 (Sat) off; make-up working days 02-04 (Sun) and
02-18 (Sun). 2024 National Day: 10-01 (Tue) .. 10-07 (Mon) off; make-up working days
09-29 (Sun) and 10-12 (Sat).
"""

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from supervision.loop import workdays
from supervision.loop.workdays import (
    add_workdays,
    is_workday,
    next_workday,
    next_workday_at,
    overdue_workdays,
    remaining_workdays,
    workdays_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 2, 4), True),  # Sunday, Spring Festival make-up day
        (date(2024, 2, 18), True),  # Sunday, Spring Festival make-up day
        (date(2024, 9, 29), True),  # Sunday, National Day make-up day
        (date(2024, 10, 12), True),  # Saturday, National Day make-up day
        (date(2024, 6, 26), True),  # ordinary Wednesday
        (date(2024, 6, 29), False),  # ordinary Saturday
        (date(2024, 6, 30), False),  # ordinary Sunday
        (date(2024, 10, 8), True),  # Tuesday right after National Day
        (date(2024, 2, 9), True),  # Friday, New Year's Eve, officially still a working day
    ]
    + [(date(2024, 10, d), False) for d in range(1, 8)]  # National Day, incl. weekdays
    + [(date(2024, 2, d), False) for d in range(10, 18)],  # Spring Festival
)
def test_is_workday_follows_the_official_calendar(day, expected):
    assert is_workday(day) is expected


@pytest.mark.parametrize(
    ("deadline", "today", "expected"),
    [
        # 10-01..07 holiday, 10-08 (Tue) working -> 1
        (date(2024, 9, 30), date(2024, 10, 8), 1),
        # 10-08, 09, 10, 11 (Tue-Fri) + 10-12 (Sat make-up) -> 5
        (date(2024, 9, 30), date(2024, 10, 12), 5),
        # as above; 10-13 is an ordinary Sunday -> still 5
        (date(2024, 9, 30), date(2024, 10, 13), 5),
        # only holiday days since the deadline -> 0
        (date(2024, 9, 30), date(2024, 10, 7), 0),
        # the deadline day itself is not overdue -> 0
        (date(2024, 9, 30), date(2024, 9, 30), 0),
        # before the deadline -> 0
        (date(2024, 9, 30), date(2024, 9, 25), 0),
        # 02-10..17 holiday, 02-18 (Sun make-up) working -> 1
        (date(2024, 2, 9), date(2024, 2, 18), 1),
    ],
)
def test_overdue_workdays_skip_holidays_and_count_make_up_days(deadline, today, expected):
    assert overdue_workdays(deadline, today) == expected
    assert workdays_between(deadline, today) == expected


@pytest.mark.parametrize(
    ("today", "deadline", "expected"),
    [
        # 09-28 (Sat) off, 09-29 (Sun make-up) + 09-30 (Mon) -> 2
        (date(2024, 9, 27), date(2024, 9, 30), 2),
        # 10-01..07 holiday, 10-08 (Tue) -> 1
        (date(2024, 9, 30), date(2024, 10, 8), 1),
        # 09-29, 09-30, 10-08..12 (incl. Sat make-up), 10-14 (Mon); 10-13 Sun off -> 8
        (date(2024, 9, 27), date(2024, 10, 14), 8),
        # 02-04 (Sun make-up), 02-05..09 (Mon-Fri), 02-18 (Sun make-up), 02-19 (Mon) -> 8
        (date(2024, 2, 2), date(2024, 2, 19), 8),
        # deadline passed or is today -> 0
        (date(2024, 9, 30), date(2024, 9, 30), 0),
        (date(2024, 10, 8), date(2024, 9, 30), 0),
    ],
)
def test_remaining_workdays_exclude_today_and_include_the_deadline(today, deadline, expected):
    assert remaining_workdays(today, deadline) == expected


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2024, 9, 30), 1, date(2024, 10, 8)),  # jumps over 10-01..07
        (date(2024, 10, 8), -1, date(2024, 9, 30)),  # jumps back over 10-01..07
        (date(2024, 9, 27), 1, date(2024, 9, 29)),  # 09-28 Sat off, 09-29 Sun make-up
        (date(2024, 9, 30), 6, date(2024, 10, 14)),  # 10-08..12 (5), 10-13 Sun off, 10-14
        (date(2024, 10, 1), 1, date(2024, 10, 8)),  # from inside the holiday
        (date(2024, 10, 1), -1, date(2024, 9, 30)),
        (date(2024, 2, 9), 1, date(2024, 2, 18)),  # over Spring Festival to Sun make-up
        (date(2024, 2, 18), -1, date(2024, 2, 9)),
        (date(2024, 2, 3), 1, date(2024, 2, 4)),  # Sat -> Sun make-up
        (date(2024, 9, 27), 0, date(2024, 9, 27)),
        (date(2024, 10, 1), 0, date(2024, 10, 1)),  # n == 0 returns the day even if off
    ],
)
def test_add_workdays_crosses_holidays(day, n, expected):
    assert add_workdays(day, n) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 10, 1), date(2024, 10, 8)),
        (date(2024, 10, 8), date(2024, 10, 8)),  # already a working day
        (date(2024, 6, 29), date(2024, 7, 1)),  # ordinary Saturday -> Monday
        (date(2024, 9, 28), date(2024, 9, 29)),  # Saturday -> Sunday make-up day
        (date(2024, 2, 10), date(2024, 2, 18)),  # Spring Festival -> Sunday make-up day
    ],
)
def test_next_workday_is_the_day_itself_or_the_first_working_day_after(day, expected):
    assert next_workday(day) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # National Day holiday -> 09:00 on 10-08 (Tue)
        (
            datetime(2024, 10, 3, 15, 0, tzinfo=SHANGHAI),
            datetime(2024, 10, 8, 9, 0, tzinfo=SHANGHAI),
        ),
        # ordinary Saturday night -> 09:00 on Monday
        (
            datetime(2024, 6, 29, 23, 30, tzinfo=SHANGHAI),
            datetime(2024, 7, 1, 9, 0, tzinfo=SHANGHAI),
        ),
        # 09-30 17:00 UTC is 10-01 01:00 in Shanghai, a holiday -> held to 10-08
        (
            datetime(2024, 9, 30, 17, 0, tzinfo=UTC),
            datetime(2024, 10, 8, 9, 0, tzinfo=SHANGHAI),
        ),
    ],
)
def test_next_workday_at_holds_a_non_working_moment_until_9am(moment, expected):
    held = next_workday_at(moment)
    assert held == expected
    assert held.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2024, 10, 8, 0, 5, tzinfo=SHANGHAI),  # Tuesday after National Day
        datetime(2024, 10, 12, 22, 0, tzinfo=SHANGHAI),  # Saturday make-up day
        # 10-07 20:00 UTC is 10-08 04:00 in Shanghai, a working day
        datetime(2024, 10, 7, 20, 0, tzinfo=UTC),
    ],
)
def test_next_workday_at_returns_a_working_moment_unchanged(moment):
    assert next_workday_at(moment) is moment


def test_next_workday_at_uses_the_given_time_of_day():
    moment = datetime(2024, 10, 3, 15, 0, tzinfo=SHANGHAI)
    assert next_workday_at(moment, time(8, 30)) == datetime(2024, 10, 8, 8, 30, tzinfo=SHANGHAI)


@pytest.fixture
def fresh_fallback_state():
    """Forget cached answers and already-warned years so warnings are observable."""
    workdays.is_workday.cache_clear()
    workdays._warned_years.clear()
    yield
    workdays.is_workday.cache_clear()
    workdays._warned_years.clear()


@pytest.mark.usefixtures("fresh_fallback_state")
@pytest.mark.parametrize("year", [1999, 2099])
def test_unknown_year_falls_back_to_monday_to_friday_and_warns_once(year, caplog):
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(60)]
    with caplog.at_level(logging.WARNING, logger="supervision.loop.workdays"):
        for _ in range(3):
            assert [is_workday(d) for d in days] == [d.weekday() < 5 for d in days]
        assert workdays_between(days[0], days[-1]) == sum(d.weekday() < 5 for d in days[1:])

    warnings = [r for r in caplog.records if r.name == "supervision.loop.workdays"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert str(year) in warnings[0].getMessage()


@pytest.mark.parametrize("n", [1, 2, 5, 10, 22])
def test_add_workdays_agrees_with_workdays_between_over_2024(n):
    day = date(2024, 1, 1)
    while day.year == 2024:
        later = add_workdays(day, n)
        assert is_workday(later)
        assert workdays_between(day, later) == n
        earlier = add_workdays(day, -n)
        assert is_workday(earlier)
        # n - 1 working days strictly between, plus the start day if it is one
        assert workdays_between(earlier, day) == n - 1 + is_workday(day)
        if is_workday(day):
            assert add_workdays(later, -n) == day
        day += timedelta(days=1)
