"""``config.api.filters.FilterBackend``: a list without any filter's parameter skips building
its FilterSet and gets the default ordering; with some, a FilterSet of only those filters
(and the ordering) filters and validates them."""

import datetime as dt

from supervision.loop.filters import TaskFilter
from tests import factories
from tests.clients import API


def test_a_list_builds_its_filterset_only_when_a_filter_is_named(supervisor_api, monkeypatch):
    later = factories.TaskFactory(code="T-2", deadline=dt.date(2024, 5, 1))
    first = factories.TaskFactory(code="T-3", deadline=dt.date(2024, 4, 1))
    tie = factories.TaskFactory(code="T-1", deadline=dt.date(2024, 5, 1), status="assigned")
    built = []
    init = TaskFilter.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(TaskFilter, "__init__", counting_init)

    rows = supervisor_api.get(API + "tasks/?page_size=10&page=1").json()["results"]
    assert [row["id"] for row in rows] == [first.pk, tie.pk, later.pk]  # deadline, code
    assert not built

    rows = supervisor_api.get(API + "tasks/?status=assigned").json()["results"]
    assert [row["id"] for row in rows] == [tie.pk]
    assert len(built) == 1

    assert supervisor_api.get(API + "tasks/?status=nonsense").status_code == 400
    assert supervisor_api.get(API + "tasks/?ordering=-code").json()["results"][0]["id"] == first.pk


def test_the_filterset_holds_only_the_named_filters(supervisor_api, monkeypatch):
    first = factories.TaskFactory(code="T-1", title="招商引资", status="assigned")
    factories.TaskFactory(code="T-2", title="招商引资", status="in_progress")
    factories.TaskFactory(code="T-3", title="道路", status="assigned")
    built = []
    init = TaskFilter.__init__

    def counting_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        built.append(sorted(self.filters))

    monkeypatch.setattr(TaskFilter, "__init__", counting_init)
    rows = supervisor_api.get(API + "tasks/?status=assigned&search=招商").json()["results"]
    assert [row["id"] for row in rows] == [first.pk]
    assert built == [["ordering", "search", "status"]]
    assert len(TaskFilter.base_filters) > 10  # the class itself keeps every filter

    # Each named filter is still validated; a bad value among good ones is a 400.
    bad = supervisor_api.get(API + "tasks/?status=assigned&overdue=maybe")
    assert bad.status_code == 400
    assert "overdue" in bad.json()["errors"]
    ordered = supervisor_api.get(API + "tasks/?status=assigned&ordering=-code").json()
    assert [row["code"] for row in ordered["results"]] == ["T-3", "T-1"]
