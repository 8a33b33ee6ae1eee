"""The cockpit side of "every step notified": 消息 after each step with its link, 催办 by hand
(one task, all overdue of a unit), 消息设置, and results that say which way it went."""

import datetime as dt

import pytest
from django.urls import reverse

from supervision.models import Notification, NotificationPreference, Reminder
from supervision.reminders.delivery import deliver_pending
from tests.clients import session_client

pytestmark = pytest.mark.django_db


def act(task, action):
    return reverse("web:task-action", args=[task.pk, action])


def test_assign_shows_in_the_units_messages_with_a_link_to_the_task(
    make_task, supervisor_client, owner_client
):
    task = make_task("draft", title="新增市场主体5000家")
    supervisor_client.post(act(task, "assign"), {"assign-comment": "请按期办理"})
    page = owner_client.get(reverse("web:messages"))
    assert page.context["unread_count"] == 1
    text = page.content.decode()
    assert "【交办】" in text
    assert "新增市场主体5000家" in text
    assert "请及时签收" in text
    assert reverse("web:task-detail", args=[task.pk]) in text
    # The office's own step is not in the office's messages.
    assert not supervisor_client.get(reverse("web:messages")).context["page"].object_list


def test_results_say_which_way_it_went(make_task, supervisor_client, owner, owner_client):
    task = make_task("submitted")
    response = supervisor_client.post(
        act(task, "verify"), {"verify-decision": "return", "verify-comment": "佐证材料不全"}
    )
    assert "已退回，理由：佐证材料不全" in supervisor_client.get(response.url).content.decode()
    # The unit reads why, in its messages.
    assert (
        "已退回，理由：佐证材料不全" in owner_client.get(reverse("web:messages")).content.decode()
    )

    from supervision.loop.services import extension_request_create

    extension = extension_request_create(
        task=task, actor=owner, requested_deadline=dt.date(2025, 1, 31), reason="汛期停工"
    )
    detail = supervisor_client.get(reverse("web:task-detail", args=[task.pk])).content.decode()
    # An extension asked for is not shown as a moved deadline.
    assert "申请延至 2025-01-31（原时限 2024-12-31，待审批前时限不变）" in detail
    assert "时限 2024-12-31 → 2025-01-31" not in detail
    response = supervisor_client.post(
        act(task, "decide"),
        {"decide-extension": extension.pk, "decide-decision": "approve", "decide-comment": ""},
    )
    assert "已批准延期至 2025-01-31。" in supervisor_client.get(response.url).content.decode()
    detail = supervisor_client.get(reverse("web:task-detail", args=[task.pk])).content.decode()
    assert "时限 2024-12-31 → 2025-01-31" in detail

    response = supervisor_client.post(act(task, "cancel"), {"cancel-reason": "任务调整"})
    assert "已撤销，理由：任务调整" in supervisor_client.get(response.url).content.decode()


def test_office_urges_a_task_and_the_unit_reads_it(make_task, supervisor_client, owner_client):
    task = make_task("in_progress", deadline=dt.date(2024, 6, 3))
    response = supervisor_client.post(act(task, "urge"), {"urge-message": "请今天反馈进展"})
    assert response.status_code == 302
    page = supervisor_client.get(response.url).content.decode()
    assert "已催办，已通知牵头单位。" in page
    assert "请今天反馈进展" in page  # in the timeline
    reminder = Reminder.objects.get(kind="manual")
    assert reminder.message == "请今天反馈进展"

    deliver_pending()  # the worker's job (beat runs it every minute, and after commit)
    messages = owner_client.get(reverse("web:messages")).content.decode()
    assert "【催办】" in messages
    assert "请今天反馈进展" in messages
    inbox = owner_client.get(reverse("web:inbox"))
    assert [r.pk for r in inbox.context["reminders"]["rows"]] == [reminder.pk]
    assert "确认收到催办</button>" in inbox.content.decode()

    again = supervisor_client.post(act(task, "urge"), {"urge-message": ""})
    assert again.status_code == 409
    assert "已催办，请勿重复催办" in again.content.decode()
    refused = owner_client.post(act(task, "urge"), {"urge-message": "x"})
    assert refused.status_code == 403
    assert Reminder.objects.filter(kind="manual").count() == 1


def test_urge_all_overdue_of_a_unit_from_the_dashboard(
    make_task, supervisor_client, owner_client, department
):
    late = [make_task("in_progress", deadline=dt.date(2024, 6, d)) for d in (3, 4)]
    make_task("submitted", deadline=dt.date(2024, 6, 3))  # waits on the office
    make_task("in_progress", deadline=dt.date(2024, 12, 31))
    dashboard = supervisor_client.get(reverse("web:dashboard"))
    assert dashboard.context["overdue_units"] == [
        {"id": department.pk, "name": department.name, "label": str(department), "count": 2}
    ]
    url = reverse("web:unit-urge-overdue", args=[department.pk])
    response = supervisor_client.post(url, {"message": "逾期事项请说明原因", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"
    assert f"已催办{department}的 2 件逾期事项。" in supervisor_client.get("/").content.decode()
    assert {r.task_id for r in Reminder.objects.filter(kind="manual")} == {t.pk for t in late}

    assert owner_client.post(url, {"message": ""}).status_code == 403  # the unit may not
    assert Reminder.objects.filter(kind="manual").count() == 2
    assert (
        supervisor_client.post(reverse("web:unit-urge-overdue", args=[999999])).status_code == 404
    )


def test_message_settings_mute_a_step_and_choose_email(make_task, owner, owner_client):
    page = owner_client.get(reverse("web:message-settings"))
    assert page.status_code == 200
    assert "交办" in page.content.decode()
    steps = [value for value, _ in page.context["form"].fields["receive"].choices]
    receive = [step for step in steps if step != "assign"]
    response = owner_client.post(
        reverse("web:message-settings"), {"email_mode": "digest", "receive": receive}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=owner)
    assert (preference.email_mode, preference.muted) == ("digest", ["assign"])

    make_task("assigned")  # 交办: muted
    assert not Notification.objects.filter(recipient=owner).exists()

    bad = owner_client.post(reverse("web:message-settings"), {"email_mode": "weekly"})
    assert bad.status_code == 400
    assert NotificationPreference.objects.get(user=owner).email_mode == "digest"


def test_anyone_signed_in_has_their_own_settings(viewer, leader):
    for user in (viewer, leader):
        client = session_client(user)
        assert client.get(reverse("web:message-settings")).status_code == 200
        client.post(reverse("web:message-settings"), {"email_mode": "none", "receive": []})
        assert NotificationPreference.objects.get(user=user).email_mode == "none"
