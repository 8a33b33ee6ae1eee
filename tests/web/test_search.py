"""Global search (issue 17): ``search/?q=`` in the cockpit (the header's box) and the API,
grouped into tasks, problems (also by description), proposals (also by number) and projects,
with exact counts; hostile input is a 400, never a 500; a fixed number of queries; the search
rows and their indexes on PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from supervision.kinds.models import ProblemDetail, ProposalDetail
from tests import factories

pytestmark = pytest.mark.django_db

# The session and the user; per resource one query ranks and counts, one reads the rows; the
# tasks' lights two more (the escalation policy, the lights); the page's header adds its two.
API_QUERIES = 2 + 4 + 2
PAGE_QUERIES = API_QUERIES + 2


@pytest.fixture
def found(make_task, department):
    make_task("in_progress", title="幼儿园扩容工程督办")
    problem = factories.TaskFactory(title="幼儿园食品安全问题整改", source="problem")
    ProblemDetail.objects.create(
        task=problem,
        origin="inspection",
        found_on=dt.date(2024, 3, 1),
        description="食堂台账缺失，留样不规范",
        rectification_goal="建立台账",
    )
    proposal = factories.TaskFactory(title="关于增加幼儿园学位的建议", source="npc")
    ProposalDetail.objects.create(task=proposal, number="建议第0815号", proposer="代表")
    make_task("draft", title="别的事项")
    factories.ProjectFactory(lead_department=department, code="P-KID", name="城区幼儿园建设")


def test_the_page_groups_what_it_finds(supervisor_client, found):
    page = supervisor_client.get(reverse("web:search"), {"q": "幼儿园"})
    assert page.status_code == 200
    groups = {
        g["key"]: [getattr(r, "title", None) or r.name for r in g["rows"]]
        for g in page.context["groups"]
    }
    assert groups == {
        "tasks": ["幼儿园扩容工程督办"],
        "problems": ["幼儿园食品安全问题整改"],
        "proposals": ["关于增加幼儿园学位的建议"],
        "projects": ["城区幼儿园建设"],
    }
    html = page.content.decode()
    assert 'data-testid="global-search"' in html  # the header's box, on every page
    assert "共找到 4 项" in html


def test_every_word_must_match(supervisor_client, found):
    page = supervisor_client.get(reverse("web:search"), {"q": "幼儿园 工程"})
    assert [r.title for r in page.context["groups"][0]["rows"]] == ["幼儿园扩容工程督办"]
    assert not page.context["groups"][3]["rows"]


def test_the_api_answers_the_same(supervisor_client, found):
    body = supervisor_client.get("/api/v1/search/", {"q": "幼儿园"}).json()
    assert [row["title"] for row in body["problems"]["rows"]] == ["幼儿园食品安全问题整改"]
    assert body["projects"]["rows"][0]["code"] == "P-KID"
    assert body["tasks"]["more"] is False


@pytest.mark.parametrize("q", ["\x00", "a\x01", "a" * 101, "   "])
def test_hostile_or_empty_input_is_a_clear_400(supervisor_client, q):
    page = supervisor_client.get(reverse("web:search"), {"q": q})
    assert page.status_code in (200, 400)  # blank: the empty form
    if q.strip():
        assert page.status_code == 400
        assert page.context["error"]
    api = supervisor_client.get("/api/v1/search/", {"q": q})
    assert api.status_code == 400


def test_problems_and_proposals_by_description_and_number(supervisor_client, found):
    page = supervisor_client.get(reverse("web:search"), {"q": "台账"})
    groups = {g["key"]: [r.title for r in g["rows"]] for g in page.context["groups"]}
    assert groups["problems"] == ["幼儿园食品安全问题整改"]
    assert 'data-testid="problem-description"' in page.content.decode()
    body = supervisor_client.get("/api/v1/search/", {"q": "0815"}).json()
    assert [row["proposal_number"] for row in body["proposals"]["rows"]] == ["建议第0815号"]
    assert body["proposals"]["count"] == 1
    assert body["tasks"]["count"] == body["problems"]["count"] == 0


@pytest.mark.parametrize("extra", [0, 15])
def test_search_is_a_fixed_number_of_queries_with_exact_counts(
    supervisor_client, found, make_task, django_assert_num_queries, extra
):
    for n in range(extra):
        make_task("draft", title=f"幼儿园事项{n}")
    supervisor_client.get(reverse("web:search"), {"q": "幼儿园"})  # warm the session up
    with django_assert_num_queries(PAGE_QUERIES):
        page = supervisor_client.get(reverse("web:search"), {"q": "幼儿园"})
    tasks = page.context["groups"][0]
    assert tasks["count"] == 1 + extra
    assert len(tasks["rows"]) == min(10, 1 + extra)
    assert tasks["more"] is (extra >= 10)
    assert f"共找到 {4 + extra} 项" in page.content.decode()
    with django_assert_num_queries(API_QUERIES):
        body = supervisor_client.get("/api/v1/search/", {"q": "幼儿园"}).json()
    assert body["tasks"]["count"] == 1 + extra


def test_the_search_tables_exist_on_postgresql_only():
    tables = connection.introspection.table_names()
    expected = connection.vendor == "postgresql"
    assert ("supervision_task_search" in tables) is expected
    assert ("projects_project_search" in tables) is expected
