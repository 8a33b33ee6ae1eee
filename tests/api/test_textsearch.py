"""The indexed text search (``config.api.textsearch``, supervision/0020) finds exactly what the
plain ``icontains`` finds — on PostgreSQL through the search rows the triggers keep, for
one- and two-character Chinese words, ASCII in any case, LIKE wildcards and backslashes taken
literally, and a problem's description or a proposal's number — and refuses hostile input with
a clear 400."""

import datetime as dt

import pytest
from django.db import connection

from config.api import textsearch
from projects.filters import ProjectFilter
from projects.models import Project
from supervision.kinds.models import ProblemDetail, ProposalDetail
from supervision.loop.filters import TaskFilter
from supervision.loop.models import Task
from tests import factories
from tests.clients import API

pytestmark = pytest.mark.django_db

TEXTS = [
    ("招商引资专项督办", "推进招商工作", None, None),
    ("武隆区银盘电站", "", None, "建议第12号"),
    ("乡村振兴 Rural Revival", "abc%def_ghi\\jkl", "发现招商引资台账不全", None),
    ("城市更新", "100% 完成；a_b 与 a\\b", None, "提案第105号"),
    ("Ångström straße", "MIXED case Text", "银盘片区 问题", None),
    ("招", "单字", None, None),
]
WORDS = [
    "招商",
    "招",
    "银盘",
    "武隆",
    "引资专",
    "招商引资",
    "rural",
    "RURAL",
    "rev",
    "%",
    "_",
    "\\",
    "a_b",
    "a\\b",
    "100%",
    "c%d",
    "第12号",
    "105",
    "12",
    "台账",
    "ß",
    "STRASSE",
    "ångström",
    "text",
    "无此词",
    "T-",
    "单字",
]


@pytest.fixture
def texts(department):
    for n, (title, content, problem, proposal) in enumerate(TEXTS):
        task = factories.TaskFactory(
            code=f"TS-{n:03d}", title=title, content=content, lead_department=department
        )
        if problem is not None:
            ProblemDetail.objects.create(
                task=task,
                origin="inspection",
                found_on=dt.date(2024, 3, 1),
                description=problem,
                rectification_goal="整改到位",
            )
        if proposal is not None:
            ProposalDetail.objects.create(task=task, number=proposal, proposer="代表")
        factories.ProjectFactory(
            code=f"PS-{n:03d}", name=title, target_text=content, lead_department=department
        )


def _plain(model, fields, q):
    queryset = model.objects.all()
    for term in textsearch.terms(q):
        queryset = queryset.filter(textsearch.icontains(fields, term))
    return sorted(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize(("filterset", "model"), [(TaskFilter, Task), (ProjectFilter, Project)])
def test_the_indexed_search_finds_exactly_what_icontains_finds(texts, filterset, model):
    for q in [*WORDS, "招商 引资", "银盘 问题", "招商,rural"]:
        found = sorted(
            filterset({"q": q}, queryset=model.objects.all()).qs.values_list("pk", flat=True)
        )
        assert found == _plain(model, filterset.search_fields, q), q


def test_problems_and_proposals_are_found_by_description_and_number(texts):
    def codes(q):
        return sorted(
            TaskFilter({"q": q}, queryset=Task.objects.all()).qs.values_list("code", flat=True)
        )

    assert codes("台账") == ["TS-002"]  # only in the problem's description
    assert codes("第12号") == ["TS-001"]  # only in the proposal's number
    assert codes("105") == ["TS-003"]


def test_the_search_rows_follow_every_write(texts):
    def codes(q):
        return sorted(
            TaskFilter({"q": q}, queryset=Task.objects.all()).qs.values_list("code", flat=True)
        )

    task = Task.objects.get(code="TS-000")
    Task.objects.filter(pk=task.pk).update(title="全新标题")
    assert codes("招商引资") == ["TS-002"]
    assert codes("全新") == ["TS-000"]
    ProblemDetail.objects.filter(task__code="TS-002").update(description="别的描述")
    assert codes("台账") == []
    assert codes("别的") == ["TS-002"]
    ProposalDetail.objects.filter(task__code="TS-001").delete()
    assert codes("第12号") == []
    ProposalDetail.objects.create(task=task, number="建议第77号", proposer="代表")
    assert codes("77") == ["TS-000"]
    Task.objects.filter(code="TS-005").delete()
    assert codes("单字") == []
    Project.objects.filter(code="PS-000").update(location="白马山")
    found = ProjectFilter({"q": "白马"}, queryset=Project.objects.all()).qs
    assert [p.code for p in found] == ["PS-000"]


def _plan(q: str) -> str:
    queryset = TaskFilter({"q": q}, queryset=Task.objects.all()).qs.order_by().values("pk")
    sql, params = queryset.query.sql_with_params()
    if connection.vendor != "postgresql":
        return sql
    with connection.cursor() as cursor:
        # A handful of rows: leave the planner only the bitmap scans to choose from.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_on_postgresql_the_search_uses_the_gin_indexes(texts):
    if connection.vendor != "postgresql":
        assert "_search" not in _plan("招商")  # SQLite (make run): the plain LIKE scan
        return
    assert "supervision_task_search_grams" in _plan("招商")  # two characters: the pairs
    assert "supervision_task_search_doc_trgm" in _plan("TS-001")  # three in a row: pg_trgm


def test_a_word_of_one_or_two_characters_is_decided_by_its_gram_alone(texts):
    if connection.vendor != "postgresql":
        return
    # No LIKE recheck, whose guess of its selectivity would hide how many rows match.
    assert "~~" not in _plan("招商")
    assert "~~" not in _plan("%")
    assert "~~" in _plan("招商引资")  # its pairs need not be adjacent: the LIKE decides
    assert "~~" in _plan("ß")  # upper-cased it is two characters


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("招商\x01", "控制字符"),
        ("a\tb", "控制字符"),
        ("\x00", "控制字符"),
        ("招" * 101, "不能超过 100 个字"),
    ],
)
def test_hostile_search_on_the_lists_is_a_clear_400(supervisor_api, q, message):
    for path in ("tasks/", "projects/"):
        response = supervisor_api.get(API + path, {"search": q})
        assert response.status_code == 400, (path, response.content[:200])
        assert message in str(response.json()["errors"]["search"])


@pytest.mark.parametrize(
    ("q", "codes"),
    [("%", ["TS-002", "TS-003"]), ("_", ["TS-002", "TS-003"]), ("a\\b", ["TS-003"])],
)
def test_wildcards_and_backslashes_are_literal(texts, supervisor_api, q, codes):
    response = supervisor_api.get(API + "tasks/", {"search": q})
    assert response.status_code == 200
    assert sorted(row["code"] for row in response.json()["results"]) == codes


def _codes(queryset) -> list[str]:
    return list(queryset.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("ordering", "first"),
    [(None, "TS-002"), ("-deadline", "TS-000"), ("code", "TS-000"), ("-code", "TS-005")],
)
def test_a_searched_list_keeps_the_lists_order(texts, ordering, first):
    # Deadlines moved after the search rows were written: the rows' copies follow them.
    Task.objects.filter(code="TS-000").update(deadline=dt.date(2030, 1, 1))
    Task.objects.filter(code__in=["TS-002", "TS-005"]).update(deadline=dt.date(2020, 1, 1))
    order = {} if ordering is None else {"ordering": ordering}
    searched = TaskFilter({"q": "招", **order}, queryset=Task.objects.all()).qs
    found = [task.pk for task in searched]
    plain = TaskFilter(order, queryset=Task.objects.all()).qs.filter(pk__in=found)
    assert _codes(searched) == _codes(plain)
    assert _codes(searched)[0] == first
    assert len(found) == 3
    projects = ProjectFilter({"q": "招", **order}, queryset=Project.objects.all()).qs
    expected = ["PS-000", "PS-005"]
    assert _codes(projects) == (expected[::-1] if ordering == "-code" else expected)


def test_on_postgresql_a_searched_list_can_walk_its_search_rows_in_order(texts):
    queryset = TaskFilter({"q": "招商"}, queryset=Task.objects.all()).qs[:100]
    sql, params = queryset.query.sql_with_params()
    if connection.vendor != "postgresql":
        assert "_search" not in sql
        return
    with connection.cursor() as cursor:
        # The plan that a common word gets on a large table: no sort, no bitmap.
        for setting in ("enable_sort", "enable_bitmapscan", "enable_seqscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "supervision_task_search_order" in plan, plan
    assert "Sort" not in plan, plan


def test_with_another_condition_a_searched_list_keeps_the_tasks_own_order(texts, department):
    def ordered_by_search_row(data, queryset=None) -> bool:
        queryset = Task.objects.all() if queryset is None else queryset
        sql = str(TaskFilter(data, queryset=queryset).qs.query)
        return 'ORDER BY "supervision_task_search"."deadline"' in sql

    on_postgresql = connection.vendor == "postgresql"
    assert ordered_by_search_row({"q": "招商"}) is on_postgresql
    assert ordered_by_search_row({"q": "招商", "status": "", "ordering": ""}) is on_postgresql
    # A status or a unit has its own index in the list's order (tasks, 0027).
    assert not ordered_by_search_row({"q": "招商", "status": ["in_progress"]})
    assert not ordered_by_search_row({"q": "招商", "lead_department": department.pk})
    assert not ordered_by_search_row({"q": "招商"}, Task.objects.filter(lead_department=department))
    assert not ordered_by_search_row({"q": " "})
