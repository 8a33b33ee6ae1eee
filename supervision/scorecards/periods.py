"""Quarters (``"2024Q2"``): parsing, bounds, the evaluation date and reporting periods."""

import datetime as dt
import re
from dataclasses import dataclass

from core.validators import YEAR_MAX, YEAR_MIN, year_in_range
from supervision.loop.reporting import period_bounds

PERIOD_RE = re.compile(r"([0-9]{4})Q([1-4])", re.ASCII)
PERIOD_MESSAGE = f"季度格式应为“2024Q1”：四位年份（{YEAR_MIN}–{YEAR_MAX}）加 Q1–Q4。"


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return period_bounds("quarterly", self.start)[1]

    def evaluation_date(self, today: dt.date) -> dt.date:
        """E = min(today, quarter end): a finished quarter as it stood on its last day, the
        running one as it stands today."""
        return min(today, self.end)

    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)


def parse_period(period) -> Quarter:
    """``"2024Q2"`` → ``Quarter(2024, 2)``; anything else is a ``ValueError`` (Chinese message)."""
    match = PERIOD_RE.fullmatch(period) if isinstance(period, str) else None
    if match is None or not year_in_range(int(match[1])):
        raise ValueError(PERIOD_MESSAGE)
    return Quarter(int(match[1]), int(match[2]))


def period_of(day: dt.date) -> str:
    """The quarter containing ``day``, e.g. ``"2024Q2"``."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarters_of_year(year: int, today: dt.date) -> list[str]:
    """The year's quarters that have begun by ``today`` (all four for a past year)."""
    if year < today.year:
        return [f"{year}Q{n}" for n in range(1, 5)]
    if year > today.year:
        return []
    return [f"{year}Q{n}" for n in range(1, (today.month - 1) // 3 + 2)]


def report_periods(quarter: Quarter, frequency: str) -> list[tuple[dt.date, dt.date]]:
    """The reporting periods of ``frequency`` that belong to ``quarter`` (by their last day)."""
    if frequency == "quarterly":
        return [(quarter.start, quarter.end)]
    if frequency == "monthly":
        starts = [quarter.start.replace(month=quarter.start.month + i) for i in range(3)]
        return [period_bounds("monthly", start) for start in starts]
    first_sunday = quarter.start + dt.timedelta(days=(6 - quarter.start.weekday()))
    periods = []
    sunday = first_sunday
    while sunday <= quarter.end:
        periods.append((sunday - dt.timedelta(days=6), sunday))
        sunday += dt.timedelta(days=7)
    return periods
