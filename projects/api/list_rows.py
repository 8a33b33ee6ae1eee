"""``GET projects/``: a page of projects read as its ids, then as plain rows by one prepared
statement, and written as ``ProjectSerializer`` would.

Building and compiling ``with_figures``' annotated query for every page (filters, ordering
and all) was the largest part of a page's CPU after the rows themselves. The page is now the
filtered, ordered ids of the plain table; the figures, the co-operating units (an array in
the same statement, in their model's order, as a prefetch gives them) and the row's own
columns are read over those ids by a statement Django compiles once per day and light
settings (``config.api.rows.rows_by_ids``). A filter or an ordering on the figures (``light``,
``completion_rate``) needs them for the whole table: its ids page is read from the
annotated queryset, as before. The decimals are written by PostgreSQL as text (``_text``),
which is what DRF's ``DecimalField`` writes for them; ``tests/projects/test_list_rows.py``
holds the two equal byte for byte.
"""

import json

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, router
from django.db.models import F, Func, OuterRef, TextField
from django.db.models.functions import Cast

from config.api.rows import row_format, rows_by_ids
from core import clock
from projects.api.serializers import ProjectSerializer
from projects.models import Project
from projects.selectors import LIGHT_SETTINGS, project_list

# Money and percentages, all of two decimals in the database: numeric(14, 2) columns,
# ``ProjectFigure.completed`` numeric(16, 2), ``ROUND(…, 2)`` and 序时进度's quantized
# literals. ``ROUND(x, 2)::text`` of such a value is its digits with exactly two decimals —
# DRF's ``f"{value.quantize(Decimal('0.01')):f}"`` — without a ``Decimal`` on either side.
TEXT_DECIMALS = (
    "total_investment",
    "annual_plan_investment",
    "completed_investment",
    "completion_rate",
    "time_progress",
)
# Read as its JSON text and decoded once per distinct value on the page (mostly ``[]``):
# Django's ``JSONField`` converter decoded every row's.
JSON_TEXT = ("assumed_fields",)
GIVEN = ("co_departments", *TEXT_DECIMALS, *JSON_TEXT)
# Request parameters whose filter or ordering reads ``with_figures``' annotations.
FIGURE_FILTERS = ("light",)
FIGURE_ORDERINGS = ("completion_rate",)


def _text(expression) -> Func:
    return Func(expression, template="ROUND(%(expressions)s, 2)::text", output_field=TextField())


def supported() -> bool:
    """Whether the database the list reads is PostgreSQL (the statement's SQL is)."""
    return connections[router.db_for_read(Project)].vendor == "postgresql"


def needs_figures(query_params) -> bool:
    """Whether the list's filters or ordering read the figures (the ids page then comes from
    the annotated queryset). Only ever errs towards the annotated queryset."""
    if any(name in query_params for name in FIGURE_FILTERS):
        return True
    return any(
        name in value for value in query_params.getlist("ordering") for name in FIGURE_ORDERINGS
    )


def ids_queryset(query_params):
    """The queryset the list's filters and ordering apply to, for its page of ids."""
    if needs_figures(query_params):
        return project_list()
    return Project.objects.all()


def _columns() -> dict[str, object]:
    """The statement's columns by field name: the row's own, then the given ones."""
    fmt = row_format(ProjectSerializer, GIVEN)
    through = Project.co_departments.through
    order = [
        f"department__{name}" for name in through.department.field.related_model._meta.ordering
    ]
    columns: dict[str, object] = dict(fmt.read)
    for name in TEXT_DECIMALS:
        columns[name] = _text(F(name))
    for name in JSON_TEXT:
        columns[name] = Cast(name, TextField())
    columns["co_departments"] = ArraySubquery(
        through.objects.filter(project=OuterRef("pk")).order_by(*order).values("department_id")
    )
    return columns


def _build(ids):
    columns = _columns()
    aliases = {}
    for name, column in columns.items():
        if not isinstance(column, str):
            aliases[f"row_{name}"] = column
    queryset = project_list().filter(pk__in=ids).annotate(**aliases)
    return queryset.values_list(
        *(column if isinstance(column, str) else f"row_{name}" for name, column in columns.items())
    )


def page_data(ids: list[int]) -> list[dict]:
    """``ProjectSerializer(page, many=True).data`` for the projects ``ids``, in that order."""
    if not ids:
        return []
    key = ("projects.list", clock.today(), *(getattr(settings, name) for name in LIGHT_SETTINGS))
    fmt = row_format(ProjectSerializer, GIVEN)
    names = [*fmt.read, *TEXT_DECIMALS, *JSON_TEXT, "co_departments"]  # ``_columns``' order
    found = rows_by_ids(key, _build, ids, using=router.db_for_read(Project))
    by_id = {}
    decoded = {}  # JSON text → value, for this page
    for values in found:
        row = dict(zip(names, values, strict=True))
        for name in JSON_TEXT:
            text = row[name]
            if text not in decoded:
                decoded[text] = None if text is None else json.loads(text)
            row[name] = decoded[text]
        by_id[row["id"]] = row
    format_row = fmt.formatter()
    # A project deleted by another request since the page's ids were read is left out.
    return [format_row(by_id[pk]) for pk in ids if pk in by_id]
