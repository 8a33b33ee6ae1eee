"""The global search's groups are the FilterSet's matches (issue 17): each group's count and
first rows equal the list's search in the list's order (deadline, code), over several
sources per group, ties on the deadline, and after writes to a task's source, deadline and
code, which its search row follows (supervision/0022 on PostgreSQL)."""

import datetime as dt

import pytest

from projects.filters import ProjectFilter
from projects.models import Project
from supervision import cache
from supervision.kinds.models import ProblemDetail
from supervision.loop.filters import TaskFilter
from supervision.loop.models import Task
from supervision.search import LIMIT, search_all, task_group
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 6, 28)
SOURCES = ["work_report", "decision", "instruction", "npc", "cppcc", "problem", "other"]


@pytest.fixture
def many(department):
    for n in range(40):
        factories.TaskFactory(
            code=f"R-{(n * 7) % 40:03d}",
            title=f"招商项目{n}" if n % 3 else f"其他事项{n}",
            source=SOURCES[n % len(SOURCES)],
            deadline=dt.date(2024, 7, 1) + dt.timedelta(days=n % 4),
            lead_department=department,
        )
    for n in range(15):
        factories.ProjectFactory(
            code=f"P-{(n * 4) % 15:03d}", name=f"招商园区{n}", lead_department=department
        )


def _expected(q: str) -> dict:
    tasks = TaskFilter({"q": q}, queryset=Task.objects.all()).qs.order_by("deadline", "code")
    groups = {"tasks": [], "problems": [], "proposals": []}
    for task in tasks:
        groups[task_group(task.source)].append(task.code)
    projects = ProjectFilter({"q": q}, queryset=Project.objects.all()).qs.order_by("code")
    groups["projects"] = [p.code for p in projects]
    return {
        key: {"count": len(codes), "more": len(codes) > LIMIT, "rows": codes[:LIMIT]}
        for key, codes in groups.items()
    }


def _found(q: str) -> dict:
    return {
        key: {**group, "rows": [row.code for row in group["rows"]]}
        for key, group in search_all(q, today=TODAY).items()
    }


@pytest.mark.parametrize("q", ["招商", "招商项目", "项目1", "事项", "R-00", "无此词"])
def test_each_group_is_the_lists_search_in_the_lists_order(many, q):
    assert _found(q) == _expected(q)


def test_the_ranking_follows_writes_to_source_deadline_and_code(many):
    first = Task.objects.filter(title__startswith="招商").order_by("-deadline", "-code").first()
    Task.objects.filter(pk=first.pk).update(
        source="problem", deadline=dt.date(2024, 1, 1), code="A-000"
    )
    cache.bump()  # a bulk update fires no signal: its writer bumps (the counts are cached)
    found = _found("招商")
    assert found == _expected("招商")
    assert found["problems"]["rows"][0] == "A-000"
    Task.objects.filter(pk=first.pk).update(source="work_report")
    cache.bump()
    assert _found("招商") == _expected("招商")
    Project.objects.filter(code="P-014").update(code="A-P")
    cache.bump()
    assert _found("招商")["projects"]["rows"][0] == "A-P"


def test_the_counts_are_kept_until_a_write_and_the_queries_stay_the_same(
    many, department, django_assert_num_queries
):
    # Per resource one statement, whether its counts come from the cache or not; then the
    # task rows, the escalation policy and the lights, and the project rows.
    for _ in range(2):
        with django_assert_num_queries(2 + 3 + 1):
            found = _found("招商")
    assert found == _expected("招商")
    task = factories.TaskFactory(title="招商新事项", source="problem", lead_department=department)
    assert _found("招商") == _expected("招商")
    assert _found("台账")["problems"]["count"] == 0
    ProblemDetail.objects.create(
        task=task,
        origin="inspection",
        found_on=dt.date(2024, 3, 1),
        description="招商台账",
        rectification_goal="建立台账",
    )
    assert _found("台账")["problems"]["count"] == 1  # a detail's write bumps the version too
