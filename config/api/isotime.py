"""Datetimes written by PostgreSQL as DRF writes them, in the statement that reads them.

A page of 100 tasks reads 600 datetimes; loading each into a Python datetime (psycopg parses
the text, Django attaches the zone) only to write it back as text (``astimezone``,
``isoformat``) was a quarter of the list's CPU. ``IsoDateTime(column)`` has the database
write the text DRF's ``DateTimeField`` writes — ISO 8601 in the current time zone, the
microseconds only when there are any, ``Z`` for UTC — which ``to_representation`` (and so
``RowFormat``) passes through unchanged.

Only for a zone whose offset is the same all year (Asia/Shanghai: ``+08:00``); ``offset()``
is None for any other, whose lists keep reading datetimes.
"""

import datetime as dt

from django.db import NotSupportedError
from django.db.models import CharField, Func
from django.utils import timezone


def offset() -> str | None:
    """The current time zone's offset as DRF ends a datetime with it, if it is constant."""
    zone = timezone.get_current_timezone()
    year = timezone.now().year
    january, july = (dt.datetime(year, month, 1, tzinfo=zone) for month in (1, 7))
    if january.utcoffset() != july.utcoffset():
        return None
    text = january.isoformat()[len("2000-01-01T00:00:00") :]
    return "Z" if text == "+00:00" else text


class IsoDateTime(Func):
    """The datetime ``expression`` as DRF's ``DateTimeField`` writes it (PostgreSQL only,
    for a zone with a constant ``offset()``)."""

    arity = 1
    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        # ``RowFormat.columns`` uses it on PostgreSQL only; elsewhere datetimes are read.
        raise NotSupportedError(f"IsoDateTime needs PostgreSQL, not {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        zone, suffix = timezone.get_current_timezone_name(), offset()
        local = f"({column} AT TIME ZONE %s)"
        sql = (
            f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            f" || CASE WHEN extract(microseconds FROM {column})::bigint %% 1000000 = 0"
            f" THEN '' ELSE to_char({local}, '.US') END || %s"
        )
        return sql, (*params, zone, *params, *params, zone, suffix)
