"""SQLite (``make run``'s embedded database) computes the same 序时 step as PostgreSQL."""

import datetime as dt

from supervision.loop.progress import sqlite_interpolate


def test_the_linear_step_between_two_targets():
    # 1 January → 31 March (90 days), 0 → 90: on 1 March, 60 days in, 60 is due.
    value = sqlite_interpolate("2024-03-01", "2024-01-01", 0, "2024-03-31", "90")
    assert value == 60


def test_before_the_start_nothing_is_due_and_past_the_end_all_of_it():
    assert sqlite_interpolate(dt.date(2023, 12, 1), "2024-01-01", 10, "2024-12-31", 110) == 10
    assert sqlite_interpolate("2025-02-01", "2024-01-01", 10, "2024-12-31", 110) == 110


def test_a_missing_end_or_an_empty_span_is_null():
    assert sqlite_interpolate("2024-03-01", "2024-01-01", 0, None, 90) is None
    assert sqlite_interpolate("2024-03-01", "2024-03-01", 0, "2024-03-01 00:00:00", 90) is None
