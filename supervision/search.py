"""Global search (``search/?q=``) over tasks, problems, proposals and projects.

The words are matched by each resource's FilterSet (its ``q`` filter: every word in one of
its search fields, case-insensitively — a task's code, title and content, a problem's
description, a proposal's number), so the global box finds what the lists find, through the
same search indexes on PostgreSQL (``config.api.textsearch``).

Four queries whatever is found: per resource, one ranks the matches (the first ``LIMIT`` + 1
of each group by the list's order, and each group's exact count, by window functions over
the matching keys only), one reads those rows with their figures.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, F, Value, When, Window
from django.db.models.functions import RowNumber

from config.api.filters import SearchField
from projects.filters import ProjectFilter
from projects.models import Project
from projects.selectors import project_list
from supervision.choices import TaskSource
from supervision.loop.filters import TaskFilter
from supervision.loop.models import Task
from supervision.loop.selectors import task_list

LIMIT = 10
PROPOSAL_SOURCES = (TaskSource.NPC, TaskSource.CPPCC)
GROUPS = {
    "tasks": "督办事项",
    "problems": "问题整改",
    "proposals": "建议提案",
    "projects": "重点项目",
}
TASK_GROUP = Case(
    When(source=TaskSource.PROBLEM, then=Value("problems")),
    When(source__in=PROPOSAL_SOURCES, then=Value("proposals")),
    default=Value("tasks"),
    output_field=CharField(),
)


def clean_query(q) -> str:
    """``q`` without surrounding spaces; a Chinese ``ValidationError`` on ``q`` when it is
    empty, too long or holds control characters."""
    field = SearchField(error_messages={"required": "请输入要搜索的内容。"})
    try:
        return field.clean((q or "").strip())
    except ValidationError as exc:
        raise ValidationError({"q": exc.messages}) from exc


def _matching(filterset_class, model, q: str):
    filterset = filterset_class({"q": q}, queryset=model.objects.all())
    if not filterset.is_valid():
        errors = [message for messages in filterset.errors.values() for message in messages]
        raise ValidationError({"q": errors})
    return filterset.qs.order_by()


def _ranked(matching, group, order: tuple[str, ...]) -> list[dict]:
    """``[{"pk", "group", "total"}]``: the first ``LIMIT`` + 1 keys of each group, in order."""
    ranked = (
        matching.annotate(
            group=group,
            rank=Window(RowNumber(), partition_by=[F("group")], order_by=[F(f) for f in order]),
            total=Window(Count("pk"), partition_by=[F("group")]),
        )
        .filter(rank__lte=LIMIT + 1)
        .values("pk", "group", "total", "rank")
    )
    return list(ranked)


def _grouped(ranked: list[dict], rows_queryset, keys: list[str]) -> dict[str, dict]:
    by_pk = rows_queryset.in_bulk([r["pk"] for r in ranked])
    groups = {key: {"rows": [], "more": False, "count": 0} for key in keys}
    for r in sorted(ranked, key=lambda r: r["rank"]):
        group = groups[r["group"]]
        group["count"] = r["total"]
        if r["rank"] > LIMIT:
            group["more"] = True
        else:
            group["rows"].append(by_pk[r["pk"]])
    return groups


def search_all(q: str, *, today: dt.date) -> dict[str, dict]:
    """``{"tasks"|"problems"|"proposals"|"projects": {"rows", "more", "count"}}`` for ``q``:
    the first ``LIMIT`` rows of each group, whether there are more, and how many in all."""
    q = clean_query(q)
    tasks = _ranked(_matching(TaskFilter, Task, q), TASK_GROUP, ("deadline", "code"))
    projects = _ranked(_matching(ProjectFilter, Project, q), Value("projects"), ("code",))
    return {
        **_grouped(
            tasks,
            task_list(today=today).select_related("problem", "proposal"),
            ["tasks", "problems", "proposals"],
        ),
        **_grouped(projects, project_list(today=today), ["projects"]),
    }
