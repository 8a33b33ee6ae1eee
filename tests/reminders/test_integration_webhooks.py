"""Webhooks delivered by a REAL Celery worker process over the real Redis broker, to a real
HTTP receiver, from PostgreSQL (API.md, "Webhooks").

The worker runs with WEBHOOK_RETRY_BASE_SECONDS=0.3, so the n-th retry waits
0.3 · 2^(n-1) seconds jittered to [½, 1]×: the first gap is in [0.15, 0.3] s, the second in
[0.3, 0.6] s.
"""

import json

import pytest
from standardwebhooks.webhooks import Webhook

from supervision.loop import transitions
from supervision.models import Reminder
from supervision.webhooks import services as webhooks
from supervision.webhooks.models import WebhookAttempt, WebhookDelivery
from tests.clients import bearer_client
from tests.factories import TaskFactory
from tests.reminders.support import day, scan, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TOLERANCE = 0.02  # seconds of clock and scheduling slack


@pytest.fixture(autouse=True)
def _private_targets_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the receiver listens on 127.0.0.1


def finished(delivery_id):
    def check():
        status = WebhookDelivery.objects.values_list("status", flat=True).get(pk=delivery_id)
        return status != "pending" and status

    return check


def accept_a_task(owner, department):
    """签收 through the transition: the outbox row is written in its transaction and the worker
    is told after commit."""
    task = TaskFactory(status="assigned", lead_department=department)
    transitions.task_accept(task=task.pk, actor=owner)
    return task


def test_retries_until_2xx_with_the_same_id_growing_gaps_and_valid_signatures(
    module_worker, receiver, owner, department, supervisor
):
    server = receiver([500, 500, 200])
    endpoint, secret = webhooks.endpoint_create(
        name="大数据局", url=server.url, event_types=["task.accepted"]
    )

    task = accept_a_task(owner, department)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    status = wait_for(finished(delivery.pk), timeout=30, what="the delivery to finish")
    assert status == "succeeded", module_worker.log()
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert delivery.finished_at is not None

    assert server.count() == 3
    ids = {request["headers"]["webhook-id"] for request in server.requests}
    assert ids == {delivery.message_id}
    for request in server.requests:
        payload = Webhook(secret).verify(request["body"], request["headers"])
        assert payload["type"] == "task.accepted"
        assert payload["data"]["id"] == task.pk
        assert payload["data"]["status"] == "in_progress"
        assert request["headers"]["content-type"] == "application/json"
        assert request["path"] == "/hook"
    first_gap = server.requests[1]["at"] - server.requests[0]["at"]
    second_gap = server.requests[2]["at"] - server.requests[1]["at"]
    assert first_gap >= 0.15 - TOLERANCE
    assert second_gap >= 0.3 - TOLERANCE
    assert second_gap > first_gap

    attempts = list(
        WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "status_code")
    )
    assert attempts == [(1, 500), (2, 500), (3, 200)]
    log = bearer_client(supervisor).get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    (listed,) = log["results"]
    assert listed["message_id"] == delivery.message_id
    assert [a["status_code"] for a in listed["attempt_log"]] == [500, 500, 200]
    assert all(a["duration_ms"] >= 0 for a in listed["attempt_log"])


def test_a_410_disables_the_endpoint(module_worker, receiver, owner, department):
    server = receiver([410])
    endpoint, _ = webhooks.endpoint_create(name="已下线", url=server.url)

    accept_a_task(owner, department)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert wait_for(finished(delivery.pk), what="the delivery to fail") == "failed"
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "410" in endpoint.disabled_reason
    assert list(WebhookAttempt.objects.filter(delivery=delivery).values_list("status_code")) == [
        (410,)
    ]
    # A disabled endpoint gets no new deliveries.
    accept_a_task(owner, department)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1
    assert server.count() == 1


def test_a_400_is_not_retried(module_worker, receiver, owner, department):
    server = receiver([400, 200])
    endpoint, _ = webhooks.endpoint_create(name="拒收", url=server.url)

    accept_a_task(owner, department)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert wait_for(finished(delivery.pk), what="the delivery to fail") == "failed"
    # Had it been retried, the first retry would have come within 0.3 s; wait well past that.
    with pytest.raises(AssertionError):
        wait_for(lambda: server.count() > 1, timeout=1.5, what="a retry")
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert list(WebhookAttempt.objects.filter(delivery=delivery).values_list("status_code")) == [
        (400,)
    ]
    endpoint.refresh_from_db()
    assert endpoint.is_active


def test_many_deliveries_to_one_endpoint_all_go_out_promptly(
    module_worker, receiver, department, owner
):
    """The scan tells the worker to deliver six reminders; delivering them makes a burst of
    ``reminder.created`` messages to one endpoint, which the two pool processes send side by
    side. None may be left waiting for the sweeper (a beat job, not running here)."""
    server = receiver([200], delay=0.4)  # a slow receiver keeps two attempts in flight at once
    endpoint, secret = webhooks.endpoint_create(
        name="慢接收端", url=server.url, event_types=["reminder.created"]
    )
    for deadline in [day(10, 8), day(9, 30), day(9, 29), day(9, 26), day(9, 20), day(10, 9)]:
        TaskFactory(status="in_progress", deadline=deadline, lead_department=department)

    assert scan(day(9, 30)).total == 6  # after commit: deliver_reminders goes to the worker

    wait_for(
        lambda: not Reminder.objects.filter(sent_at__isnull=True).exists(),
        what="the worker to deliver the reminders",
    )
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 6
    wait_for(
        lambda: not WebhookDelivery.objects.filter(endpoint=endpoint, status="pending").exists(),
        timeout=20,
        what="all six deliveries",
    )
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
    assert server.count() == 6
    levels = sorted(
        Webhook(secret).verify(r["body"], r["headers"])["data"]["level"] for r in server.requests
    )
    assert levels == sorted(["warning", "due", "overdue", "escalated", "notice", "warning"])
    assert len({r["headers"]["webhook-id"] for r in server.requests}) == 6
    assert all(json.loads(r["body"])["type"] == "reminder.created" for r in server.requests)
