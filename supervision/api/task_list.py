"""``GET tasks/``: a page of tasks read as plain rows and written as ``TaskSerializer`` would.

DRF's per-field serialization of 47 fields and the model instances (with a related manager
per row for every prefetch) were most of a page's CPU. The list reads its page with
``values_list`` and completes it with one query each: the lights, ``first_due`` and the kind
details over the page's ids (``page_rows``, a statement compiled once), the co-operating
departments, a proposal's assisting units and the proposals merged into it, and the node
figures. ``RowFormat`` turns the values into the serializer's output;
``tests/api/test_list_rows.py`` holds the two equal byte for byte.
"""

from django.db import router
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
    """Which columns the page and the statement over its ids read, worked out once from the
    serializers (their fields need the models loaded, so not at import)."""

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
    def kind_columns(self) -> tuple[str, ...]:
        columns = []
        for _, kind_format, relation in self.kinds:
            columns.append(f"{relation}__id")  # null: not of that kind
            columns += [f"{relation}__{source}" for source in kind_format.read.values()]
        return tuple(columns)

    def own(self, lit: bool) -> dict[str, str]:
        """The page's columns by field name (the light's too when the filters annotated it
        for the whole table, ``lit``)."""
        light = set(LIGHT_NAMES.values())
        return {name: source for name, source in self.task.read.items() if lit or name not in light}


layout = Layout()


def _merged(heads):
    """(main proposal's task, a task merged into it) for the tasks ``heads``."""
    return ProposalDetail.objects.filter(merged_into__in=heads).values_list("merged_into", "task")


def page_queryset(queryset):
    """The filtered, ordered ``queryset`` of tasks as the ``values_list`` of its page."""
    lit = "light" in queryset.query.annotations
    columns = layout.task.columns(layout.own(lit), queryset.db)
    if lit:
        columns.append("first_due")
    return queryset.values_list(*columns)


def page_data(page: list[tuple], *, lit: bool) -> list[dict]:
    """``TaskSerializer(page, many=True).data`` for the rows ``page_queryset`` read."""
    if not page:
        return []
    today = clock.today()
    names = list(layout.own(lit))
    ids = [values[0] for values in page]
    extra = page_rows(ids, layout.kind_columns, lights=not lit, today=today)

    # The statement's columns: the light's (unless ``lit``), then per kind its id and fields.
    lights, kinds = {}, {}
    for pk, more in extra.items():
        at = 0
        if not lit:
            lights[pk] = dict(zip(LIGHT_FIELDS, more[: len(LIGHT_FIELDS)], strict=True))
            at = len(LIGHT_FIELDS)
        details = kinds[pk] = {}
        for kind, kind_format, _ in layout.kinds:
            read = list(kind_format.read)
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
    for values in page:
        row = dict(zip(names, values, strict=False))  # ``lit``: first_due follows
        pk = row["id"]
        if lit:
            first_due = values[-1]
        else:
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
