"""A serializer's output from plain database rows, without its per-field machinery.

A list of a hundred rows through a ``ModelSerializer`` spends most of its time in DRF's
per-field work (``get_attribute``, ``to_representation``, a time-zone lookup for every
datetime) on model instances built for the purpose. ``RowFormat`` reads the serializer's
readable fields once and keeps, for each, what its ``to_representation`` does to a value
read from the database: nothing for text, choices, numbers, booleans and related ids; the
ISO format for dates and datetimes (in the current time zone, UTC written ``Z``); the
quantized string for decimals. A row given as a dict of database values by field name then
comes out as the serializer would write it (the lists prove it byte for byte in their
tests). A field of a kind it does not know is an error when the format is built, never a
silent difference; fields whose value the caller works out itself (method fields, nested
objects) are named in ``given`` and passed through; a many-to-many field of the model is
listed in ``many`` with its table, for the caller to fill with ``ids_by_owner``.

``RowListMixin`` is a viewset's ``list`` built this way: the filtered, ordered queryset's
page as ``values_list``, one query per many-to-many field, and a hook for the ``given``.
"""

import decimal
import functools
import re

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router
from django.db.models import Model
from rest_framework import relations, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings

from config.api import isotime
from config.api.prepared import prepared_cursor

ISO_8601 = "iso-8601"
# ``to_representation`` returns a database value of these unchanged.
VERBATIM = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.IntegerField,
    serializers.BooleanField,
)


def _verbatim(field) -> bool:
    if isinstance(field, serializers.MultipleChoiceField):  # a set out of a list
        return False
    if isinstance(field, VERBATIM):
        return True
    if isinstance(field, relations.PrimaryKeyRelatedField):  # the row holds the id
        return field.pk_field is None
    if isinstance(field, serializers.ListField):
        return _verbatim(field.child)
    if isinstance(field, serializers.JSONField):  # the row holds the decoded value
        return not field.binary
    return False


def _date(field):
    if getattr(field, "format", api_settings.DATE_FORMAT) != ISO_8601:
        return None
    return lambda value: value.isoformat()


def _datetime(field):
    if getattr(field, "format", api_settings.DATETIME_FORMAT) != ISO_8601:
        return None

    def bind():
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        if zone is None:
            return field.to_representation

        def convert(value):
            if value.__class__ is str:  # written by the database (``isotime``)
                return value
            if getattr(value, "tzinfo", None) is None:  # naive or not a datetime: DRF's way
                return field.to_representation(value)
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return convert

    return bind


def _decimal(field):
    coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    if not coerce or field.localize or field.normalize_output or field.decimal_places is None:
        return None
    exponent = decimal.Decimal(".1") ** field.decimal_places

    def bind():
        context = decimal.getcontext().copy()  # as ``DecimalField.quantize`` takes it
        if field.max_digits is not None:
            context.prec = field.max_digits
        rounding = field.rounding

        def convert(value):
            if not isinstance(value, decimal.Decimal):
                return field.to_representation(value)
            return f"{value.quantize(exponent, rounding=rounding, context=context):f}"

        return convert

    return bind


class RowFormat:
    """The readable fields of ``serializer_class`` as (name, source, conversion).

    ``source`` is the field's path as ``values()`` names it (``meeting.name`` →
    ``meeting__name``); ``given``: fields whose representation the caller supplies;
    ``many``: the model's many-to-many fields not ``given``, by name, as ``ids_by_owner``'s
    (through, owner, target) — their ids the caller supplies too. A field whose class sets
    ``row_value = True`` (its ``to_representation`` depends on the column's value alone) is
    converted by that method.
    """

    def __init__(self, serializer_class, *, given=()):
        self.serializer_class = serializer_class
        self.fields = []  # (name, source, bind or None); bind() gives the conversion
        self.iso_datetimes: set[str] = set()  # ISO 8601 in the current zone (``columns``)
        self.many: dict[str, tuple] = {}
        fields = serializer_class().fields
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        for name, field in fields.items():
            if name in given or not isinstance(field, relations.ManyRelatedField):
                continue
            if not _verbatim(field.child_relation):  # not ids: no row form (below)
                continue
            try:
                relation = model._meta.get_field(field.source)
            except (AttributeError, FieldDoesNotExist):  # not a model's own field
                continue
            if relation.many_to_many and not relation.auto_created:
                self.many[name] = (
                    relation.remote_field.through,
                    relation.m2m_field_name(),
                    relation.m2m_reverse_field_name(),
                )
        self.given = (*given, *self.many)
        given = self.given
        unknown = set(given) - set(fields)
        if unknown:
            raise ValueError(f"{serializer_class.__name__} has no field {sorted(unknown)}")
        for name, field in fields.items():
            if field.write_only:
                continue
            source = field.source.replace(".", "__")
            if name in given or _verbatim(field):
                self.fields.append((name, source, None))
                continue
            if isinstance(field, serializers.DateTimeField):
                bind = _datetime(field)
                if bind is not None and not hasattr(field, "timezone"):
                    self.iso_datetimes.add(name)
            elif isinstance(field, serializers.DateField):
                convert = _date(field)
                bind = None if convert is None else (lambda convert=convert: convert)
            elif isinstance(field, serializers.DecimalField):
                bind = _decimal(field)
            elif getattr(field, "row_value", False):
                bind = lambda convert=field.to_representation: convert  # noqa: E731
            else:
                bind = None
            if bind is None:
                raise TypeError(
                    f"{serializer_class.__name__}.{name}: no row form for "
                    f"{type(field).__name__}; name it in `given` and supply its value"
                )
            self.fields.append((name, source, bind))

    @property
    def names(self) -> list[str]:
        return [name for name, _, _ in self.fields]

    @property
    def read(self) -> dict[str, str]:
        """The fields read from columns (not ``given``): name → ``values()`` path."""
        return {name: source for name, source, _ in self.fields if name not in self.given}

    def columns(self, read: dict[str, str], using: str) -> list:
        """``values_list``'s arguments for the fields ``read`` (name → source) on the
        database ``using``: the ISO datetimes written as text by PostgreSQL where it can
        (``isotime``; ``formatter`` passes text through)."""
        if connections[using].vendor != "postgresql" or isotime.offset() is None:
            return list(read.values())
        return [
            isotime.IsoDateTime(source) if name in self.iso_datetimes else source
            for name, source in read.items()
        ]

    def formatter(self):
        """A function from a row (a dict of database values by field *name*) to the
        serializer's dict, for the current request (its time zone)."""
        plan = [(name, bind and bind()) for name, _, bind in self.fields]

        def format_row(row: dict) -> dict:
            return {
                name: value if convert is None or value is None else convert(value)
                for name, convert in plan
                for value in (row[name],)
            }

        return format_row


@functools.cache
def row_format(serializer_class, given: tuple[str, ...] = ()) -> RowFormat:
    """The ``RowFormat`` of ``serializer_class``, built once (on first use: the fields need
    the models loaded)."""
    return RowFormat(serializer_class, given=given)


class RowListMixin:
    """A viewset's ``list`` written from plain rows, byte for byte what its serializer writes.

    The filtered, ordered queryset's page is read with ``values_list`` (its prefetches
    dropped), the ids of each many-to-many field with one query over the page
    (``ids_by_owner``), and the fields named in ``row_given`` by ``complete_rows`` — the
    viewset's hook, with at most a query per page. Filters, ordering, scoping, pagination
    and its cached count are the viewset's own, unchanged.
    """

    row_given: tuple[str, ...] = ()

    def complete_rows(self, rows: list[dict]) -> None:
        """Set the ``row_given`` fields of each row (a dict of its values by field name)."""

    def row_queryset(self, fmt: RowFormat):
        """The filtered, ordered ``values_list`` of the columns ``fmt`` reads."""
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        return queryset.values_list(*fmt.columns(fmt.read, queryset.db))

    def list(self, request, *args, **kwargs):
        # No docstring: it would become every list's description in the schema.
        fmt = row_format(self.get_serializer_class(), self.row_given)
        names = list(fmt.read)
        queryset = self.row_queryset(fmt)
        page = self.paginate_queryset(queryset)
        rows = [
            dict(zip(names, values, strict=True))
            for values in (queryset if page is None else page)  # None: no pagination
        ]
        if rows:
            ids = [row["id"] for row in rows]
            for name, (through, owner, target) in fmt.many.items():
                by_owner = ids_by_owner(through, owner, target, ids)
                for row in rows:
                    row[name] = by_owner.get(row["id"], [])
            self.complete_rows(rows)
        format_row = fmt.formatter()
        data = [format_row(row) for row in rows]
        return Response(data) if page is None else self.get_paginated_response(data)


def ids_by_owner(through: type[Model], owner: str, target: str, owners: list[int]) -> dict:
    """{owner: [target ids]} from a many-to-many ``through`` model for the ``owners`` (the
    values of the ``owner`` path), the targets in their model's default ordering — the
    order a prefetch of the relation gives them."""
    model = through._meta.get_field(target).related_model
    order = [
        f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
        for name in model._meta.ordering or ["pk"]
    ]

    def build(ids):
        rows = through.objects.filter(**{f"{owner}__in": ids}).order_by(*order)
        return rows.values_list(owner, target)

    by_owner: dict = {}
    key = ("m2m", through._meta.label, owner, target)
    for key_value, value in rows_by_ids(key, build, owners, using=router.db_for_read(through)):
        by_owner.setdefault(key_value, []).append(value)
    return by_owner


# Stand-ins for the ids while a statement is compiled, found again in its SQL text.
_MARKS = [-7_318_512_001, -7_318_512_002]
_STATEMENTS: dict = {}


def rows_by_ids(key, build, ids: list[int], *, using: str) -> list:
    """The rows of ``build(ids)`` (a ``values_list`` queryset filtered by ``…__in=ids``),
    from a statement Django builds and compiles once per ``key`` and connection.

    Per request only the ids change: the kept SQL text takes them as one array parameter, so
    neither Django's query building nor the driver's parsing of a long statement's
    parameters runs again, and the statement is prepared (``prepared.prepared_cursor``):
    PostgreSQL plans it for the first executions only (the page's lights took 2–5 ms to
    plan, 0.2–1 ms to run). Outside PostgreSQL the queryset is simply evaluated.
    """
    if not ids:
        return []
    connection = connections[using]
    if connection.vendor != "postgresql":
        return list(build(ids))
    statement = _STATEMENTS.get((using, key))
    if statement is None:
        statement = _compile(connection, build(_MARKS))
        if len(_STATEMENTS) >= 256:  # keys with a date in them: drop the old days'
            _STATEMENTS.clear()
        _STATEMENTS[using, key] = statement
    sql, compiler, converters = statement
    array = "{" + ",".join(str(int(pk)) for pk in ids) + "}"
    with prepared_cursor(connection) or connection.cursor() as cursor:
        cursor.execute(sql, [array])
        rows = cursor.fetchall()
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    return rows


def _compile(connection, queryset) -> tuple:
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    # The other parameters, quoted once; a literal "%" doubled for the driver's placeholders.
    text = connection.ops.compose_sql(sql, params).replace("%", "%%")
    marks = re.compile(r"\bIN \(\s*%d\s*,\s*%d\s*\)" % tuple(_MARKS))  # noqa: UP031
    found = list(marks.finditer(text))
    if len(found) != 1 or text.count(str(_MARKS[0])) != 1:  # pragma: no cover — Django's SQL
        raise AssertionError(f"cannot find the ids in {text[:200]}…")
    columns = [s[0] for s in compiler.select[: compiler.col_count]]
    return (
        text[: found[0].start()] + "= ANY(%s::bigint[])" + text[found[0].end() :],
        compiler,
        compiler.get_converters(columns),
    )
