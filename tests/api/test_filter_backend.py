"""``config.api.filters.FilterBackend``: a list without any filter's parameter skips building
its FilterSet and gets the default ordering; with one, the FilterSet filters and validates."""

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
