"""Domain errors shared by every app; the API maps them (``config.api.errors.exception_handler``)."""

import datetime as dt

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """The request conflicts with the current state of the data (HTTP 409)."""

    code = "conflict"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotPermitted(DomainError):
    """The actor may not do this to this object (HTTP 403)."""

    code = "permission_denied"


def check_date_range(field: str, value: dt.date | None) -> None:
    """API.md: dates outside 2000–2100 are refused (past deadlines are fine: back-filing)."""
    if value is not None and not (2000 <= value.year <= 2100):
        raise ValidationError({field: "日期须在 2000–2100 年之间。"})
