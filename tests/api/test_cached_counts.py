"""The exact ``count`` of a list is cached under the data version and never stale.

``config.api.pagination`` keeps a list's count under the data version (``supervision.cache``)
when its statement reads only tables whose every write bumps that version, keyed by the
statement itself. A write — create, delete, a co-operating unit added — shows in the next
list's count; two lists share a count only when they select the same rows.
"""

import datetime as dt

import pytest

from accounts.models import User
from config.api.pagination import CountCachedPaginator
from supervision.models import ExtensionRequest, Task
from tests import factories
from tests.clients import API


def _count(client, query: str = "") -> int:
    response = client.get(f"{API}tasks/?page_size=1{query}")
    assert response.status_code == 200, response.content[:300]
    return response.json()["count"]


@pytest.fixture
def tasks(db, settings, department):
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    return [factories.TaskFactory(lead_department=department) for _ in range(3)]


def test_create_and_delete_show_in_the_next_count(tasks, department, supervisor_api):
    assert _count(supervisor_api) == 3
    assert _count(supervisor_api) == 3  # now from the cache
    created = supervisor_api.post(
        f"{API}tasks/",
        {
            "title": "新增事项",
            "source": "work_report",
            "domain": "economy",
            "lead_department": department.pk,
            "deadline": "2024-12-31",
        },
        format="json",
    )
    assert created.status_code == 201, created.content[:300]
    assert _count(supervisor_api) == 4
    deleted = supervisor_api.delete(f"{API}tasks/{created.json()['id']}/")
    assert deleted.status_code == 204, deleted.content[:300]
    assert _count(supervisor_api) == 3


def test_a_co_operating_unit_added_shows_in_the_unit_filter(
    tasks, other_department, supervisor_api
):
    query = f"&department={other_department.pk}"
    assert _count(supervisor_api, query) == 0
    patched = supervisor_api.patch(
        f"{API}tasks/{tasks[0].pk}/", {"co_departments": [other_department.pk]}, format="json"
    )
    assert patched.status_code == 200, patched.content[:300]
    assert _count(supervisor_api, query) == 1
    tasks[1].co_departments.add(other_department)  # straight through the relation
    assert _count(supervisor_api, query) == 2


def test_lists_selecting_other_rows_never_share_a_count(tasks, department, other_department):
    factories.TaskFactory(lead_department=other_department)
    first, second = User.objects.create(username="c1"), User.objects.create(username="c2")
    Task.objects.filter(pk=tasks[0].pk).update(created_by=first)
    Task.objects.filter(pk__in=[tasks[1].pk, tasks[2].pk]).update(created_by=second)

    def count(rows):
        return CountCachedPaginator(rows.order_by("pk"), 1).count

    assert count(Task.objects.all()) == 4
    assert count(Task.objects.filter(lead_department=department)) == 3
    assert count(Task.objects.filter(lead_department=other_department)) == 1
    assert count(Task.objects.filter(created_by=first)) == 1
    assert count(Task.objects.filter(created_by=second)) == 2
    assert count(Task.objects.filter(created_by=first)) == 1  # cached, still its own


def test_a_list_over_other_tables_counts_afresh(tasks, owner, supervisor_api):
    def count():
        response = supervisor_api.get(f"{API}extensions/?page_size=1")
        assert response.status_code == 200, response.content[:300]
        return response.json()["count"]

    assert count() == 0
    # A bulk insert fires no signal and bumps no version: extensions are counted every time.
    ExtensionRequest.objects.bulk_create(
        ExtensionRequest(
            task=task,
            requested_by=owner,
            original_deadline=task.deadline,
            requested_deadline=task.deadline + dt.timedelta(days=30),
            reason="汛期",
            created_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
        )
        for task in tasks
    )
    assert count() == 3
