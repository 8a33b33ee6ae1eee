"""``GET tasks/``: a page of tasks read as plain rows and written as ``TaskSerializer`` would.

DRF's per-field serialization of 47 fields and the model instances (with a related manager
per row for every prefetch) were most of a page's CPU. The list reads its page's ids (the
filtered, ordered, paginated query selects nothing else: building and compiling a select list
of 47 columns per request cost more than running it) and completes them with one query each:
the task's columns, its light, ``first_due`` and the kind details over the page's ids
(``page_rows``, a statement compiled once), the co-operating
departments, a proposal's assisting units and the proposals merged into it, and the node
figures. ``RowFormat`` turns the values into the serializer's output;
``tests/api/test_list_rows.py`` holds the two equal byte for byte.
"""

from django.db import router
from django.utils import timezone
from django.utils.functional import cached_property

from config.api.rows import RowFormat, ids_by_owner, rows_by_ids
from core import clock
from supervision.api.serializers import TaskSerializer
from supervision.kinds.models import ProposalDetail
from supervision.loop.models import Task
from supervision.loop.selectors import LIGHT_FIELDS, nodes_summaries, overdue_days_of, page_rows

KINDS = ("instruction", "meeting", "proposal", "problem")
# Worked out here, not read from a column.
GIVEN = ("co_departments", "overdue_days", "nodes_summary", *KINDS)
KIND_GIVEN = {"proposal": ("assist_departments", "merged_with")}
# ``with_light``'s annotations by the serializer's names (``latest_value`` reads
# ``current_value``); ``first_due`` feeds ``overdue_days`` only.
LIGHT_NAMES = {
    field: "latest_value" if field == "current_value" else field for field in LIGHT_FIELDS
}


class Layout:
    """Which columns the statement over a page's ids reads, worked out once from the
    serializers (their fields need the models loaded, so not at import)."""

    def __init__(self):
        self._columns: dict = {}  # by database and time zone

    @cached_property
    def task(self) -> RowFormat:
        return RowFormat(TaskSerializer, given=GIVEN)

    @cached_property
    def kinds(self) -> list[tuple[str, RowFormat, str]]:
        """(field, its format, the task's relation to it) for each kind detail."""
        fields = TaskSerializer().fields
        return [
            (
                kind,
                RowFormat(type(fields[kind]), given=KIND_GIVEN.get(kind, ())),
                fields[kind].source,
            )
            for kind in KINDS
        ]

    @cached_property
    def kind_reads(self) -> list[tuple[str, list[str]]]:
        """(field, the names its detail reads from columns) for each kind detail."""
        return [(kind, list(kind_format.read)) for kind, kind_format, _ in self.kinds]

    @cached_property
    def kind_columns(self) -> tuple[str, ...]:
        columns = []
        for _, kind_format, relation in self.kinds:
            columns.append(f"{relation}__id")  # null: not of that kind
            columns += [f"{relation}__{source}" for source in kind_format.read.values()]
        return tuple(columns)

    @cached_property
    def own(self) -> dict[str, str]:
        """The task's own columns by field name (not the light's, read with it)."""
        light = set(LIGHT_NAMES.values())
        return {name: source for name, source in self.task.read.items() if name not in light}

    def columns(self, using: str) -> tuple:
        """The statement's columns after the light's: the task's own (its datetimes as text
        where ``isotime`` can), then per kind its id and fields."""
        key = (using, timezone.get_current_timezone_name())
        if key not in self._columns:
            own = self.task.columns(self.own, using)
            self._columns[key] = (*own, *self.kind_columns)
        return self._columns[key]


layout = Layout()


def _merged(heads):
    """(main proposal's task, a task merged into it) for the tasks ``heads``."""
    return ProposalDetail.objects.filter(merged_into__in=heads).values_list("merged_into", "task")


def page_queryset(queryset):
    """The filtered, ordered ``queryset`` of tasks as its ids: the page's rows are read over
    them by one statement compiled once (``page_data``)."""
    return queryset.values_list("pk", flat=True)


def page_data(ids: list[int]) -> list[dict]:
    """``TaskSerializer(page, many=True).data`` for the tasks ``ids`` (a page, in order)."""
    if not ids:
        return []
    today = clock.today()
    names = list(layout.own)
    columns = layout.columns(router.db_for_read(Task))
    extra = page_rows(ids, columns, today=today)
    # A task deleted by another request since the page's ids were read is left out.
    ids = [pk for pk in ids if pk in extra]

    # The statement's columns: the light's, the task's own, then per kind its id and fields.
    rows, lights, kinds = {}, {}, {}
    own_at, kinds_at = len(LIGHT_FIELDS), len(LIGHT_FIELDS) + len(names)
    for pk, more in extra.items():
        lights[pk] = dict(zip(LIGHT_FIELDS, more[:own_at], strict=True))
        rows[pk] = dict(zip(names, more[own_at:kinds_at], strict=True))
        details = kinds[pk] = {}
        at = kinds_at
        for kind, read in layout.kind_reads:
            present = more[at] is not None
            details[kind] = (
                dict(zip(read, more[at + 1 : at + 1 + len(read)], strict=True)) if present else None
            )
            at += 1 + len(read)

    co = ids_by_owner(Task.co_departments.through, "task", "department", ids)
    proposals = [pk for pk in ids if kinds[pk]["proposal"] is not None]
    assist, merged = {}, {}
    if proposals:
        assist = ids_by_owner(
            ProposalDetail.assist_departments.through,
            "proposaldetail__task",
            "department",
            proposals,
        )
        heads = [pk for pk in proposals if kinds[pk]["proposal"]["merged_into"] is None]
        if heads:
            for head, member in rows_by_ids(
                "merged", _merged, heads, using=router.db_for_read(ProposalDetail)
            ):
                merged.setdefault(head, []).append(member)
    summaries = nodes_summaries(ids, today=today)

    format_task = layout.task.formatter()
    format_kind = {kind: kind_format.formatter() for kind, kind_format, _ in layout.kinds}
    out = []
    for pk in ids:
        row = rows[pk]
        light = lights[pk]
        first_due = light.pop("first_due")
        for field, value in light.items():
            row[LIGHT_NAMES[field]] = value
        row["co_departments"] = co.get(pk, [])
        row["overdue_days"] = overdue_days_of(row["status"], first_due, row["deadline"], today)
        row["nodes_summary"] = summaries[pk]
        for kind, detail in kinds[pk].items():
            if detail is None:
                row[kind] = None
                continue
            if kind == "proposal":
                detail["assist_departments"] = assist.get(pk, [])
                detail["merged_with"] = None
            row[kind] = formatted = format_kind[kind](detail)
            if kind == "proposal":
                # ``ProposalDetailSerializer`` finds no ``merged_with`` attribute (the field
                # is skipped) and then adds the key, so it comes last.
                into = detail["merged_into"]
                del formatted["merged_with"]
                formatted["merged_with"] = [into] if into else sorted(merged.get(pk, []))
        out.append(format_task(row))
    return out
