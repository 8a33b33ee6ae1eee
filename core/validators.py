"""Field validators shared by the apps: the one year-range rule (API.md: dates outside
2000–2100 are refused), ``FieldNames`` (a list of names from a fixed set) and
``TextValidator`` (no control characters in text).

Model date fields carry ``validate_year_range`` as a validator, so ``full_clean`` in the
services, the API's model serializers, the cockpit's forms and the filters all refuse the
same dates with the same message, on the field. The database's own check constraints on
the key dates use ``YEAR_MIN``/``YEAR_MAX`` too.
"""

import datetime as dt
import re

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


def assumed_labels(instance) -> list[str]:
    """The names (verbose, Chinese) of ``instance``'s fields that hold an inferred value."""
    meta = instance._meta
    return [str(meta.get_field(name).verbose_name) for name in instance.assumed_fields or ()]


# C0 control characters (U+0000–U+001F) and DEL: never part of text people type; XML, and so
# the Excel ledgers, cannot even hold most of them. Multi-line text keeps tab, LF and CR
# (browsers send a textarea's line breaks as CRLF).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@deconstructible
class TextValidator:
    """Refuses control characters in text input; ``multiline`` keeps tab and line breaks.

    The API's serializer base and the cockpit's form base put it on every text field.
    """

    message = "不能包含控制字符（如 \\x01）。"
    code = "control_characters"

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        pattern = _CONTROL_MULTILINE if self.multiline else _CONTROL
        if isinstance(value, str) and pattern.search(value):
            message = self.message if self.multiline else "不能包含控制字符、换行或制表符。"
            raise ValidationError(message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, TextValidator) and other.multiline == self.multiline
