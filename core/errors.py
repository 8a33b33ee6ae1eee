"""Domain errors shared by every app; the API maps them (``config.api.errors.exception_handler``),
the cockpit shows them (``web.views.common.attempt``)."""

import re

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection
from django.db.models import UniqueConstraint


class DomainError(Exception):
    """The request conflicts with the current state of the data (HTTP 409)."""

    code = "conflict"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotPermitted(DomainError):
    """The actor may not do this to this object (HTTP 403)."""

    code = "permission_denied"


def constraint_violation(exc: IntegrityError) -> ValidationError | None:
    """The field error a unique (or check) constraint's violation means, found by the
    constraint's name; ``None`` for an integrity error no constraint of ours explains.

    Two simultaneous creates both pass the service's checks and the database refuses the
    second: the caller answers it like the check it raced past (400 on the field), never 500.
    """
    found = _violated(exc)
    if found is None:
        return None
    model, fields, message = found
    if message is None:  # Django's own wording, as ``validate_unique`` would have said it
        message = model().unique_error_message(model, tuple(fields))
    return ValidationError({fields[-1] if fields else NON_FIELD_ERRORS: [message]})


def _violated(exc: IntegrityError):
    """(model, field names, custom message or None) of the violated constraint."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:  # PostgreSQL names the constraint and its table
        name, table = diag.constraint_name, diag.table_name
        columns = None
    else:  # SQLite: "UNIQUE constraint failed: table.col1, table.col2"
        match = re.search(r"UNIQUE constraint failed: (.+)$", str(exc))
        if match is None:
            return None
        pairs = [part.strip().split(".", 1) for part in match.group(1).split(",")]
        name, table, columns = None, pairs[0][0], [column for _, column in pairs]
    model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
    if model is None:
        return None
    for constraint in model._meta.constraints:
        if constraint.name == name or (
            columns is not None
            and isinstance(constraint, UniqueConstraint)
            and [model._meta.get_field(f).column for f in constraint.fields] == columns
        ):
            fields = list(getattr(constraint, "fields", ()))
            custom = (
                constraint.violation_error_message != constraint.default_violation_error_message
            )
            if custom or not (isinstance(constraint, UniqueConstraint) and fields):
                return model, fields, constraint.get_violation_error_message()
            return model, fields, None
    if columns is None:  # a field's own ``unique=True``: the database named its constraint
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, table).get(name)
        if not found or not found.get("unique"):
            return None
        columns = found["columns"]
    by_column = {f.column: f.name for f in model._meta.concrete_fields}
    if len(columns) != 1 or columns[0] not in by_column:
        return None
    return model, [by_column[columns[0]]], None
