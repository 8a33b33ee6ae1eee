"""Global search (``search/?q=``) over tasks, problems, proposals and projects.

The words are matched by each resource's FilterSet (its ``q`` filter: every word in one of
its search fields, case-insensitively — a task's code, title and content, a problem's
description, a proposal's number), so the global box finds what the lists find, through the
same search indexes on PostgreSQL (``config.api.textsearch``).

Per resource one query ranks the matches: how many of each task source (one group for
projects) and the first ``LIMIT`` + 1 of each source by the list's order. On PostgreSQL it
reads the search rows alone (their ranking keys, supervision/0022): a count over the
matching rows, then per source a walk of the ranking index ``LIMIT`` + 1 rows deep — never
a join or a sort of all the matches (招商: 14,272 tasks at L). Elsewhere (SQLite) window
functions over the FilterSet's rows. The rows shown are then read with their lights: tasks
in three queries (rows, escalation policy, lights: ``attach_lights``), projects in one.
"""

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, F, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from config.api import textsearch
from config.api.filters import SearchField
from config.api.pagination import cached_count
from projects.filters import ProjectFilter
from projects.models import Project
from projects.selectors import project_list
from supervision.choices import TaskSource
from supervision.loop.filters import TaskFilter
from supervision.loop.models import Task
from supervision.loop.selectors import attach_lights

LIMIT = 10
PROPOSAL_SOURCES = (TaskSource.NPC, TaskSource.CPPCC)
GROUPS = {
    "tasks": "督办事项",
    "problems": "问题整改",
    "proposals": "建议提案",
    "projects": "重点项目",
}


def task_group(source: str) -> str:
    """The group of the global search a task of ``source`` is shown in."""
    if source == TaskSource.PROBLEM:
        return "problems"
    if source in PROPOSAL_SOURCES:
        return "proposals"
    return "tasks"


def clean_query(q) -> str:
    """``q`` without surrounding spaces; a Chinese ``ValidationError`` on ``q`` when it is
    empty, too long or holds control characters."""
    field = SearchField(error_messages={"required": "请输入要搜索的内容。"})
    try:
        return field.clean((q or "").strip())
    except ValidationError as exc:
        raise ValidationError({"q": exc.messages}) from exc


def _matching(filterset_class, model, q: str):
    """The matches of ``q``: on PostgreSQL the search rows of the FilterSet's search index
    (they hold the ranking keys), elsewhere the FilterSet's rows."""
    if connection.vendor == "postgresql":
        search_model = model._meta.get_field(filterset_class.search_index).related_model
        return textsearch.search_rows(search_model, q)
    filterset = filterset_class({"q": q}, queryset=model.objects.all())
    if not filterset.is_valid():
        errors = [message for messages in filterset.errors.values() for message in messages]
        raise ValidationError({"q": errors})
    return filterset.qs.order_by()


def _ranked(matching, partition: str | None, order: tuple[str, ...]):
    """``({partition value: its count}, [(partition value, pk)])``: the count of each
    partition with a match, and the first ``LIMIT`` + 1 matches of each, all in ``order``."""
    if connection.vendor != "postgresql":
        part = [F(partition)] if partition else None
        ranked = list(
            matching.annotate(
                part=F(partition) if partition else Value(""),
                rank=Window(RowNumber(), partition_by=part, order_by=[F(f) for f in order]),
                total=Window(Count("pk"), partition_by=part),
            )
            .filter(rank__lte=LIMIT + 1)
            .order_by(*order)
            .values_list("part", "total", "pk")
        )
        return {p: n for p, n, _ in ranked}, [(p, pk) for p, _, pk in ranked]
    counts = (
        matching.annotate(part=F(partition) if partition else Value(""))
        .values("part")
        .annotate(n=Count("pk"))
        .order_by()
    )
    top = matching.order_by(*order).values_list("pk", *order)
    if partition:
        top = top.filter(**{partition: RawSQL('"counts"."part"', ())})  # noqa: S611
    top_sql, top_params = top[: LIMIT + 1].query.sql_with_params()
    order_by = ", ".join(f'"top"."{f}"' for f in order)

    def first(source: str, params: tuple) -> list[tuple]:
        # Both parts are compiled querysets or constants; the statement only joins them.
        sql = (
            f'SELECT "counts"."part", "counts"."n", "top"."pk" FROM {source} '  # noqa: S608
            f'CROSS JOIN LATERAL ({top_sql}) "top" ORDER BY {order_by}'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, (*params, *top_params))
            return cursor.fetchall()

    ranked = []

    def count() -> dict[str, int]:
        # Uncached: one statement counts and ranks (every counted partition has a first row).
        counts_sql, counts_params = counts.query.sql_with_params()
        ranked.extend(first(f'({counts_sql}) "counts"', counts_params))
        return {part: n for part, n, _ in ranked}

    # The counts are kept like a list's (``cached_count``); the first rows are always read.
    found = cached_count(counts, count)
    if not ranked and found:
        parts, ns = list(found), list(found.values())
        ranked = first('unnest(%s::text[], %s::bigint[]) "counts"("part", "n")', (parts, ns))
    return found, [(part, pk) for part, _, pk in ranked]


def _grouped(counts: dict, ranked: list[tuple], read: Callable, group_of: Callable, keys: list):
    groups = {key: {"rows": [], "more": False, "count": 0} for key in keys}
    for part, total in counts.items():
        groups[group_of(part)]["count"] += total
    shown = []
    for part, pk in ranked:
        group = groups[group_of(part)]
        if len(group["rows"]) < LIMIT:
            group["rows"].append(pk)
            shown.append(pk)
    by_pk = read(shown) if shown else {}  # nothing to read: not even the figures' queryset
    for group in groups.values():
        group["rows"] = [by_pk[pk] for pk in group["rows"]]
        group["more"] = group["count"] > LIMIT
    return groups


def _tasks(pks: list[int], today: dt.date) -> dict:
    rows = Task.objects.select_related("lead_department", "problem", "proposal").in_bulk(pks)
    attach_lights(rows.values(), today=today)
    return rows


def search_all(q: str, *, today: dt.date) -> dict[str, dict]:
    """``{"tasks"|"problems"|"proposals"|"projects": {"rows", "more", "count"}}`` for ``q``:
    the first ``LIMIT`` rows of each group, whether there are more, and how many in all."""
    q = clean_query(q)
    tasks = _ranked(_matching(TaskFilter, Task, q), "source", ("deadline", "code"))
    projects = _ranked(_matching(ProjectFilter, Project, q), None, ("code",))
    return {
        **_grouped(
            *tasks,
            lambda pks: _tasks(pks, today),
            task_group,
            ["tasks", "problems", "proposals"],
        ),
        **_grouped(
            *projects,
            lambda pks: project_list(today=today).in_bulk(pks),
            lambda part: "projects",
            ["projects"],
        ),
    }
