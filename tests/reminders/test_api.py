"""The reminders/, notifications/ and webhooks/ API (API.md)."""

import base64

import pytest

from accounts.choices import Role
from core import clock
from supervision.models import Notification, Reminder
from supervision.reminders.delivery import deliver_pending
from supervision.webhooks import services as webhooks
from supervision.webhooks.models import WebhookEndpoint
from tests.clients import API
from tests.factories import DepartmentFactory, ReminderFactory, TaskFactory, UserFactory
from tests.reminders.support import at, day, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_reminder(department):
    TaskFactory(status="in_progress", deadline=day(9, 26), lead_department=department)
    scan(day(9, 30))  # overdue = 09-27, 09-29, 09-30 = 3: 督办
    return Reminder.objects.get()


# --- 签收催办 --------------------------------------------------------------------------------


def test_an_owner_of_the_reminded_department_acknowledges(api, owner, overdue_reminder):
    moment = at(day(9, 30), 11)
    with clock.override(moment):
        response = api(owner).post(f"{API}reminders/{overdue_reminder.pk}/acknowledge/")

    assert response.status_code == 200, response.content
    assert response.json()["acknowledged_at"] == "2024-09-30T11:00:00+08:00"
    assert response.json()["acknowledged_by"] == owner.pk
    overdue_reminder.refresh_from_db()
    assert overdue_reminder.acknowledged_at == moment
    assert overdue_reminder.acknowledged_by == owner


def test_another_departments_owner_may_not_acknowledge(api, other_owner, overdue_reminder):
    response = api(other_owner).post(f"{API}reminders/{overdue_reminder.pk}/acknowledge/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    overdue_reminder.refresh_from_db()
    assert overdue_reminder.acknowledged_at is None


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LEADER, Role.VIEWER])
def test_only_owners_acknowledge(api, role, department, overdue_reminder):
    user = UserFactory(role=role, department=department)
    response = api(user).post(f"{API}reminders/{overdue_reminder.pk}/acknowledge/")
    assert response.status_code == 403


def test_acknowledging_twice_is_a_conflict(api, owner, second_owner, overdue_reminder):
    assert api(owner).post(f"{API}reminders/{overdue_reminder.pk}/acknowledge/").status_code == 200
    first = Reminder.objects.get().acknowledged_at

    response = api(second_owner).post(f"{API}reminders/{overdue_reminder.pk}/acknowledge/")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Reminder.objects.get().acknowledged_at == first
    assert Reminder.objects.get().acknowledged_by == owner


def test_acknowledging_an_unknown_reminder_is_404(api, owner):
    assert api(owner).post(f"{API}reminders/999999/acknowledge/").status_code == 404


# --- listing and filtering ------------------------------------------------------------------


def test_reminders_filter_by_kind_level_and_department(api, viewer):
    mine, theirs = DepartmentFactory(), DepartmentFactory()
    for department in (mine, theirs):
        for deadline in [day(10, 8), day(9, 29), day(9, 26), day(9, 25), day(9, 20)]:
            TaskFactory(status="in_progress", deadline=deadline, lead_department=department)
        TaskFactory(  # an overdue sign-off
            status="assigned",
            deadline=day(12, 31),
            lead_department=department,
            assigned_at=at(day(9, 25)),
        )
    scan(day(9, 30))
    # 预警 10-08; 催办 09-29; 督办 09-26 and 09-25; 通报 09-20; an acceptance 催办: per department.
    assert Reminder.objects.count() == 12
    client = api(viewer)

    response = client.get(
        f"{API}reminders/", {"kind": "deadline", "level": "escalated", "department": mine.pk}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {r["deadline"] for r in body["results"]} == {"2024-09-26", "2024-09-25"}
    for row in body["results"]:
        assert (row["kind"], row["level"], row["department"]) == ("deadline", "escalated", mine.pk)
        assert set(row) >= {
            "id",
            "kind",
            "level",
            "task",
            "milestone",
            "department",
            "recipients",
            "deadline",
            "created_at",
            "sent_at",
            "acknowledged_at",
        }
        assert row["created_at"] == "2024-09-30T10:00:00+08:00"
        assert row["sent_at"] is None

    overdue = client.get(f"{API}reminders/", {"level": "overdue", "department": theirs.pk}).json()
    assert sorted(r["kind"] for r in overdue["results"]) == ["acceptance", "deadline"]
    acceptance = client.get(f"{API}reminders/", {"kind": "acceptance"}).json()
    assert acceptance["count"] == 2
    task = Reminder.objects.filter(level="notice", department=mine).get().task
    by_task = client.get(f"{API}reminders/", {"task": task.pk}).json()
    assert [r["level"] for r in by_task["results"]] == ["notice"]
    assert client.get(f"{API}reminders/", {"level": "urgent"}).status_code == 400


def test_reminders_filter_by_created_after(api, viewer):
    early = ReminderFactory(created_at=at(day(9, 27)))
    late = ReminderFactory(created_at=at(day(10, 8)))

    body = api(viewer).get(f"{API}reminders/", {"created_after": "2024-10-01T00:00:00+08:00"})

    assert [r["id"] for r in body.json()["results"]] == [late.pk]
    assert early.pk not in [r["id"] for r in body.json()["results"]]


# --- notifications ----------------------------------------------------------------------------


@pytest.fixture
def delivered(department, owner, second_owner, supervisor):
    TaskFactory(status="in_progress", deadline=day(9, 29), lead_department=department)
    scan(day(9, 30))
    deliver_pending(now=at(day(9, 30)))  # 催办: both owners and the supervisor
    assert Notification.objects.count() == 3


def test_a_user_sees_only_their_own_notifications(api, owner, second_owner, delivered):
    mine = Notification.objects.get(recipient=owner)
    theirs = Notification.objects.get(recipient=second_owner)
    client = api(owner)

    body = client.get(f"{API}notifications/").json()

    assert [n["id"] for n in body["results"]] == [mine.pk]
    assert body["results"][0]["title"].startswith("【催办】")
    assert client.get(f"{API}notifications/{mine.pk}/").status_code == 200
    assert client.get(f"{API}notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"{API}notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_a_notification_read(api, owner, delivered):
    mine = Notification.objects.get(recipient=owner)
    client = api(owner)
    moment = at(day(9, 30), 11)

    with clock.override(moment):
        response = client.post(f"{API}notifications/{mine.pk}/read/")
    again = client.post(f"{API}notifications/{mine.pk}/read/")

    assert response.status_code == 200
    assert response.json()["read_at"] == "2024-09-30T11:00:00+08:00"
    assert again.status_code == 200
    assert again.json()["read_at"] == "2024-09-30T11:00:00+08:00"  # the first reading stays
    unread = client.get(f"{API}notifications/", {"read": "false"}).json()
    read = client.get(f"{API}notifications/", {"read": "true"}).json()
    assert (unread["count"], read["count"]) == (0, 1)


# --- webhook endpoints: the secret is shown once ----------------------------------------------


def test_the_webhook_secret_is_returned_only_by_the_create_call(api, supervisor, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    client = api(supervisor)

    created = client.post(
        f"{API}webhooks/",
        {"name": "大数据局", "url": "https://93.184.216.34/hook", "event_types": ["task.closed"]},
        format="json",
    )

    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) >= 24
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret
    one = client.get(f"{API}webhooks/{endpoint.pk}/")
    assert one.status_code == 200
    assert "secret" not in one.json()
    assert secret not in one.content.decode()
    listing = client.get(f"{API}webhooks/")
    assert all("secret" not in row for row in listing.json()["results"])
    assert secret not in listing.content.decode()
    patched = client.patch(f"{API}webhooks/{endpoint.pk}/", {"name": "改名"}, format="json")
    assert patched.status_code == 200
    assert "secret" not in patched.json()


def test_webhook_endpoints_refuse_private_targets_and_other_roles(api, supervisor, owner, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    refused = api(supervisor).post(
        f"{API}webhooks/", {"name": "内网", "url": "http://10.0.0.5/hook"}, format="json"
    )
    assert refused.status_code == 400
    assert "url" in refused.json()["errors"]
    assert not WebhookEndpoint.objects.exists()

    assert api(owner).get(f"{API}webhooks/").status_code == 403
    not_mine = api(owner).post(
        f"{API}webhooks/", {"name": "x", "url": "https://93.184.216.34/"}, format="json"
    )
    assert not_mine.status_code == 403


def test_two_secrets_are_never_the_same(api, supervisor, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    client = api(supervisor)
    secrets = {
        client.post(
            f"{API}webhooks/", {"name": f"n{i}", "url": "https://93.184.216.34/"}, format="json"
        ).json()["secret"]
        for i in range(3)
    }
    assert len(secrets) == 3


@pytest.mark.parametrize("allow", [False, True])
def test_a_webhook_url_with_a_port_out_of_range_is_a_400_not_a_500(
    api, supervisor, settings, allow
):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = allow
    response = api(supervisor).post(
        f"{API}webhooks/", {"name": "坏端口", "url": "https://93.184.216.34:99999/"}, format="json"
    )
    assert response.status_code == 400
    assert "url" in response.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


def test_a_webhook_endpoint_can_be_created_inactive(api, supervisor, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    response = api(supervisor).post(
        f"{API}webhooks/",
        {"name": "暂不启用", "url": "https://93.184.216.34/", "is_active": False},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["is_active"] is False
    assert response.json()["secret"].startswith("whsec_")
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.is_active
    with clock.override(at(day(9, 30))):
        assert webhooks.enqueue_event("task.closed", {"id": 1}) == []
