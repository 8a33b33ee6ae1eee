"""Search and ordering have one home, the FilterSet: the API (``q`` and its contract alias
``search``, ``ordering``), the cockpit lists and the Excel exports filter through it."""

import datetime as dt

import pytest
from django.urls import reverse

from config.api.filters import FilterSet
from projects.filters import ProjectFilter
from supervision.loop.filters import TaskFilter
from tests import factories
from tests.clients import API

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(department):
    rows = [("T-3", "修建书房", 9), ("T-1", "书房 扩建", 7), ("T-2", "道路硬化", 7)]
    return [
        factories.TaskFactory(
            code=code, title=title, deadline=dt.date(2024, month, 1), lead_department=department
        )
        for code, title, month in rows
    ]


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [row["code"] for row in response.json()["results"]]


def test_q_and_search_are_the_same_filter(tasks, supervisor_api):
    by_q = codes(supervisor_api.get(API + "tasks/", {"q": "书房"}))
    by_search = codes(supervisor_api.get(API + "tasks/", {"search": "书房"}))
    assert by_q == by_search == ["T-1", "T-3"]


def test_every_word_must_match_some_field(tasks, supervisor_api):
    assert codes(supervisor_api.get(API + "tasks/", {"q": "书房 扩建"})) == ["T-1"]
    assert codes(supervisor_api.get(API + "tasks/", {"q": "t-2"})) == ["T-2"]
    assert codes(supervisor_api.get(API + "tasks/", {"q": "  "})) == ["T-1", "T-2", "T-3"]


def test_ordering_breaks_ties_with_the_default_order(tasks, supervisor_api):
    assert codes(supervisor_api.get(API + "tasks/")) == ["T-1", "T-2", "T-3"]
    assert codes(supervisor_api.get(API + "tasks/", {"ordering": "-deadline"})) == [
        "T-3",
        "T-1",
        "T-2",
    ]
    assert codes(supervisor_api.get(API + "tasks/", {"ordering": "-code"})) == [
        "T-3",
        "T-2",
        "T-1",
    ]


def test_an_unknown_ordering_is_a_400_on_ordering(tasks, supervisor_api):
    response = supervisor_api.get(API + "tasks/", {"ordering": "title"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"ordering"}


def test_cockpit_and_export_use_the_same_search(tasks, client, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("web:tasks"), {"q": "书房", "ordering": "-deadline"})
    assert [t.code for t in page.context["page"]] == ["T-3", "T-1"]
    assert page.context["orderings"] == dict(TaskFilter().ordering_choices)
    assert 'name="q"' in page.content.decode()
    assert "q=%E4%B9%A6%E6%88%BF" in page.context["export_url"]


@pytest.mark.parametrize("filterset", [TaskFilter, ProjectFilter])
def test_search_and_ordering_are_declared_once(filterset):
    assert issubclass(filterset, FilterSet)
    base = filterset.base_filters
    assert base["q"].search_fields == base["search"].search_fields == filterset.search_fields
    assert base["ordering"].default == filterset.default_ordering
