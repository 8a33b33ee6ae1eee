"""Global search (``search/?q=``) over tasks, problems, proposals and projects.

The words are matched by each resource's FilterSet (its ``q`` filter: every word in one of
its search fields, case-insensitively), so the global box finds what the lists find. On
PostgreSQL the matched columns carry pg_trgm GIN indexes (migration 0015), which serve these
``UPPER(col) LIKE UPPER('%word%')`` lookups; elsewhere (SQLite) the same query scans.
A fixed number of queries: one per group, each capped at ``LIMIT`` (+1 to say "more").
"""

import datetime as dt

from django.core.exceptions import ValidationError

from projects.filters import ProjectFilter
from projects.selectors import project_list
from supervision.choices import TaskSource
from supervision.loop.filters import TaskFilter
from supervision.loop.selectors import task_list

LIMIT = 10
MAX_LENGTH = 100
PROPOSAL_SOURCES = (TaskSource.NPC, TaskSource.CPPCC)
GROUPS = {
    "tasks": "督办事项",
    "problems": "问题整改",
    "proposals": "建议提案",
    "projects": "重点项目",
}


def _filtered(filterset_class, queryset, q: str):
    filterset = filterset_class({"q": q}, queryset=queryset)
    if not filterset.is_valid():
        errors = [message for messages in filterset.errors.values() for message in messages]
        raise ValidationError({"q": errors})
    return filterset.qs


def _capped(queryset) -> dict:
    rows = list(queryset[: LIMIT + 1])
    return {"rows": rows[:LIMIT], "more": len(rows) > LIMIT}


def search_all(q: str, *, today: dt.date) -> dict[str, dict]:
    """``{"tasks"|"problems"|"proposals"|"projects": {"rows", "more"}}`` for ``q``."""
    q = (q or "").strip()
    if not q:
        raise ValidationError({"q": ["请输入要搜索的内容。"]})
    if len(q) > MAX_LENGTH:
        raise ValidationError({"q": [f"搜索内容不能超过 {MAX_LENGTH} 个字。"]})
    tasks = _filtered(TaskFilter, task_list(today=today), q).order_by("deadline", "code")
    projects = _filtered(ProjectFilter, project_list(today=today), q).order_by("code")
    return {
        "tasks": _capped(tasks.exclude(source__in=(TaskSource.PROBLEM, *PROPOSAL_SOURCES))),
        "problems": _capped(tasks.filter(source=TaskSource.PROBLEM)),
        "proposals": _capped(tasks.filter(source__in=PROPOSAL_SOURCES)),
        "projects": _capped(projects),
    }
