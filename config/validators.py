"""The one year-range rule (API.md: dates outside 2000–2100 are refused).

Model date fields carry ``validate_year_range`` as a validator, so ``full_clean`` in the
services, the API's model serializers, the cockpit's forms and the filters all refuse the
same dates with the same message, on the field. The database's own check constraints on
the key dates use ``YEAR_MIN``/``YEAR_MAX`` too.
"""

import datetime as dt

from django.core.exceptions import ValidationError

YEAR_MIN, YEAR_MAX = 2000, 2100
MESSAGE = f"日期须在 {YEAR_MIN}–{YEAR_MAX} 年之间。"


def year_in_range(year: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX


def validate_year_range(value: dt.date | int | None) -> None:
    """A date, datetime or year (an int) within 2000–2100; ``None`` passes (blank is
    another field option's business)."""
    if value is None:
        return
    year = value if isinstance(value, int) else value.year
    if not year_in_range(year):
        raise ValidationError(MESSAGE, code="out_of_range")
