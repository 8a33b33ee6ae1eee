"""ETag from the row's version (``updated_at``), compared under the row lock (issue 11 item 5,
issue 12 item 2)."""

import datetime as dt

import pytest
from django.db import transaction

from accounts.models import Department
from projects.models import Milestone
from supervision.models import Indicator, Task
from supervision.webhooks.models import WebhookEndpoint
from tests import factories
from tests.clients import API, bearer_client
from tests.races import require_postgres, run_racers


@pytest.mark.django_db
def test_a_tag_read_yesterday_still_matches_when_only_derived_fields_changed(
    settings, supervisor_api, department
):
    # Due today: overdue_days and the light change at midnight, the row does not.
    task = factories.TaskFactory(
        lead_department=department, status="in_progress", deadline=dt.date(2024, 6, 28)
    )
    url = f"{API}tasks/{task.pk}/"
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    yesterday = supervisor_api.get(url)
    settings.SUPERVISION_TODAY = dt.date(2024, 7, 1)
    today = supervisor_api.get(url)
    assert yesterday.json()["overdue_days"] != today.json()["overdue_days"]  # derived: moved
    assert today["ETag"] == yesterday["ETag"]

    response = supervisor_api.patch(
        url, {"title": "按昨天的版本修改"}, format="json", HTTP_IF_MATCH=yesterday["ETag"]
    )
    assert response.status_code == 200, response.content[:300]
    assert Task.objects.get(pk=task.pk).title == "按昨天的版本修改"


@pytest.mark.parametrize("model", [Task, Department, Milestone, Indicator, WebhookEndpoint])
def test_every_model_with_an_etag_has_a_version(model):
    field = model._meta.get_field("updated_at")
    assert field.auto_now


@pytest.mark.django_db(transaction=True)
def test_two_patches_with_the_same_tag_at_once_one_wins_one_gets_412(supervisor, department):
    require_postgres()
    settings_today = dt.date(2024, 6, 28)
    task = factories.TaskFactory(lead_department=department, deadline=settings_today)
    url = f"{API}tasks/{task.pk}/"
    clients = [bearer_client(supervisor), bearer_client(supervisor)]
    etag = clients[0].get(url)["ETag"]
    assert clients[1].get(url)["ETag"] == etag

    def patch(client, title):
        return lambda: client.patch(url, {"title": title}, format="json", HTTP_IF_MATCH=etag)

    # Hold the row so both PATCHes are in flight at once, then let them go together.
    with transaction.atomic():
        Task.objects.select_for_update().get(pk=task.pk)
        join = run_racers(patch(clients[0], "甲的修改"), patch(clients[1], "乙的修改"))
    first, second = join()

    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 412], (first.content[:200], second.content[:200])
    winner = first if first.status_code == 200 else second
    loser = second if winner is first else first
    assert loser.json()["code"] == "precondition_failed"
    task.refresh_from_db()
    assert task.title == winner.json()["title"]  # the first writer's value is kept
    assert task.events.filter(action="edit").count() == 1
