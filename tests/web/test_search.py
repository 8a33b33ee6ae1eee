"""Global search (issue 17): ``search/?q=`` in the cockpit (the header's box) and the API,
grouped into tasks, problems, proposals and projects; hostile input is a 400, never a 500;
a fixed number of queries; trigram indexes on PostgreSQL."""

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

MAX_QUERIES = 30


@pytest.fixture
def found(make_task, department):
    make_task("in_progress", title="幼儿园扩容工程督办")
    factories.TaskFactory(title="幼儿园食品安全问题整改", source="problem")
    factories.TaskFactory(title="关于增加幼儿园学位的建议", source="npc")
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


@pytest.mark.parametrize("q", ["\x00", "a" * 101, "   "])
def test_hostile_or_empty_input_is_a_clear_400(supervisor_client, q):
    page = supervisor_client.get(reverse("web:search"), {"q": q})
    assert page.status_code in (200, 400)  # blank: the empty form
    if q.strip():
        assert page.status_code == 400
        assert page.context["error"]
    api = supervisor_client.get("/api/v1/search/", {"q": q})
    assert api.status_code == 400


def test_search_is_a_fixed_number_of_queries(
    supervisor_client, found, make_task, django_assert_max_num_queries
):
    for n in range(15):
        make_task("draft", title=f"幼儿园事项{n}")
    supervisor_client.get(reverse("web:search"), {"q": "幼儿园"})  # warm the session up
    with django_assert_max_num_queries(MAX_QUERIES):
        page = supervisor_client.get(reverse("web:search"), {"q": "幼儿园"})
    assert page.context["groups"][0]["more"] is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_trigram_indexes_exist_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        names = {row[0] for row in cursor.fetchall()}
    assert {"supervision_task_title_trgm", "projects_project_name_trgm"} <= names
