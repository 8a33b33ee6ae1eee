"""Field validators shared by the apps: the one year-range rule (API.md: dates outside
2000–2100 are refused) and ``FieldNames`` (a list of names from a fixed set).

Model date fields carry ``validate_year_range`` as a validator, so ``full_clean`` in the
services, the API's model serializers, the cockpit's forms and the filters all refuse the
same dates with the same message, on the field. The database's own check constraints on
the key dates use ``YEAR_MIN``/``YEAR_MAX`` too.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

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


@deconstructible
class FieldNames:
    """A JSON list of distinct names taken from a fixed set, e.g. which of a record's fields
    hold an inferred value (``assumed_fields``: the report does not state them)."""

    def __init__(self, *names: str):
        self.names = names

    def __call__(self, value):
        if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
            raise ValidationError("应为字段名列表。", code="invalid")
        unknown = [name for name in value if name not in self.names]
        if unknown:
            raise ValidationError(
                f"未知字段：{'、'.join(unknown)}（可选：{'、'.join(self.names)}）。", code="invalid"
            )
        if len(set(value)) != len(value):
            raise ValidationError("字段名重复。", code="invalid")

    def __eq__(self, other):
        return isinstance(other, FieldNames) and self.names == other.names
