"""Nodes (节点): the lead unit proposes its 分解计划 after 签收, the office approves or edits (or
sets nodes itself), the lead unit completes them — logged, audited, notified, webhooked."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import AuditRecord
from supervision.models import Node, Notification, TaskEvent
from supervision.phases import nodes as services
from supervision.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.clients import API
from tests.clients import bearer_client as client

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 6, 28)


@pytest.fixture(autouse=True)
def _today(settings):
    settings.SUPERVISION_TODAY = TODAY


@pytest.fixture
def task(department, owner, supervisor):
    return factories.TaskFactory(
        status="in_progress",
        lead_department=department,
        target_value=Decimal("200"),
        target_unit="亿元",
    )


def test_lead_unit_proposes_and_office_approves_the_plan(task, owner, supervisor):
    for seq, (due, value) in enumerate([("2024-03-31", "50"), ("2024-06-30", "100")], start=1):
        response = client(owner).post(
            API + f"tasks/{task.pk}/nodes/",
            {"title": f"第{seq}季度", "due_date": due, "target_value": value},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "proposed"
        assert response.json()["sequence"] == seq
    assert (
        Notification.objects.filter(recipient=supervisor, event__action="nodes_propose").count()
        == 2
    )

    response = client(supervisor).post(
        API + f"tasks/{task.pk}/nodes/approve/", {"comment": "同意"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert [n["status"] for n in response.json()] == ["approved", "approved"]
    event = TaskEvent.objects.get(task=task, action="nodes_approve")
    assert event.comment.startswith("同意。")
    assert Notification.objects.filter(recipient=owner, event=event).exists()
    assert AuditRecord.objects.filter(model="supervision.Node", action="approve").count() == 2

    response = client(supervisor).post(API + f"tasks/{task.pk}/nodes/approve/", {}, format="json")
    assert response.status_code == 409  # nothing left to approve


def test_lead_unit_cannot_propose_before_signing(department, owner):
    task = factories.TaskFactory(status="assigned", lead_department=department)
    response = client(owner).post(
        API + f"tasks/{task.pk}/nodes/",
        {"title": "一季度", "due_date": "2024-03-31", "target_text": "完成选址"},
        format="json",
    )
    assert response.status_code == 409
    assert not Node.objects.exists()


def test_office_sets_an_approved_node_on_any_open_task(supervisor, department):
    task = factories.TaskFactory(status="draft", lead_department=department)
    response = client(supervisor).post(
        API + f"tasks/{task.pk}/nodes/",
        {"title": "完成可研", "due_date": "2024-09-30", "target_text": "可研批复"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "approved"
    assert TaskEvent.objects.filter(task=task, action="node_set").exists()
    assert AuditRecord.objects.filter(model="supervision.Node", action="create").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "无目标", "due_date": "2024-06-30"}, "target_value"),
        ({"title": "晚于时限", "due_date": "2025-03-31", "target_text": "x"}, "due_date"),
        ({"title": "负数", "due_date": "2024-06-30", "target_value": "-1"}, "target_value"),
        ({"title": "", "due_date": "2024-06-30", "target_text": "x"}, "title"),
        ({"title": "年份", "due_date": "1900-06-30", "target_text": "x"}, "due_date"),
    ],
)
def test_bad_nodes_are_refused_with_a_field_error(task, supervisor, body, field):
    response = client(supervisor).post(API + f"tasks/{task.pk}/nodes/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in str(response.json()), response.json()
    assert not Node.objects.exists()


def test_office_edits_a_node_and_the_change_is_logged(task, supervisor, owner):
    node = factories.NodeFactory(task=task, sequence=1)
    response = client(supervisor).patch(
        API + f"nodes/{node.pk}/", {"due_date": "2024-07-15", "target_value": "60"}, format="json"
    )
    assert response.status_code == 200, response.content
    event = TaskEvent.objects.get(task=task, action="node_edit")
    assert event.data["changes"]["due_date"] == ["2024-06-30", "2024-07-15"]
    assert Notification.objects.filter(recipient=owner, event=event).exists()
    assert client(owner).patch(API + f"nodes/{node.pk}/", {"title": "x"}).status_code == 403


def test_lead_unit_completes_a_node_with_evidence_and_the_webhook_fires(
    task, owner, supervisor, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(
        name="政务平台", url="https://hooks.example.gov.cn/in", secret="whsec_" + "A" * 32
    )
    node = factories.NodeFactory(task=task, sequence=1, target_value=Decimal("100"))
    response = client(owner).post(
        API + f"nodes/{node.pk}/complete/",
        {"completed_on": "2024-06-27", "value": "104.5", "note": "上半年完成"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["value"], body["is_overdue"]) == ("done", "104.5000", False)
    task.refresh_from_db()
    assert task.latest_value == Decimal("104.5")
    event = TaskEvent.objects.get(task=task, action="node_complete")
    assert event.data["late"] is False
    assert Notification.objects.filter(recipient=supervisor, event=event).exists()
    (delivery,) = WebhookDelivery.objects.filter(event_type="node.completed")
    assert delivery.payload["data"]["id"] == node.pk
    assert delivery.payload["data"]["value"] == "104.5000"
    # done is done
    again = client(owner).post(
        API + f"nodes/{node.pk}/complete/", {"completed_on": "2024-06-27", "value": "1"}
    )
    assert again.status_code == 409


def test_completion_needs_a_value_for_a_value_node_and_no_future_date(task, owner):
    node = factories.NodeFactory(task=task, sequence=1)
    c = client(owner)
    assert (
        c.post(API + f"nodes/{node.pk}/complete/", {"completed_on": "2024-06-27"}).status_code
        == 400
    )
    future = c.post(
        API + f"nodes/{node.pk}/complete/", {"completed_on": "2024-07-01", "value": "5"}
    )
    assert future.status_code == 400
    node.refresh_from_db()
    assert node.status == "approved"


def test_a_proposed_node_cannot_be_completed_and_others_cannot_complete(
    task, owner, other_owner, supervisor
):
    proposed = factories.NodeFactory(task=task, sequence=1, status="proposed")
    approved = factories.NodeFactory(task=task, sequence=2)
    body = {"completed_on": "2024-06-27", "value": "5"}
    assert client(owner).post(API + f"nodes/{proposed.pk}/complete/", body).status_code == 409
    assert client(other_owner).post(API + f"nodes/{approved.pk}/complete/", body).status_code == 403
    assert client(supervisor).post(API + f"nodes/{approved.pk}/complete/", body).status_code == 403


def test_completion_binds_staged_files_to_the_node(task, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supervision.files.services import attachment_upload
    from tests.files import samples

    staged = attachment_upload(
        actor=owner,
        upload=SimpleUploadedFile("验收.pdf", samples.pdf()),
        target_type="",
        target_id=None,
    )
    node = factories.NodeFactory(task=task, sequence=1, target_value=None, target_text="完成验收")
    response = client(owner).post(
        API + f"nodes/{node.pk}/complete/",
        {"completed_on": "2024-06-20", "note": "已验收", "attachments": [staged.pk]},
        format="json",
    )
    assert response.status_code == 200, response.content
    staged.refresh_from_db()
    assert (staged.target_type, staged.target_id, staged.task_id) == ("node", node.pk, task.pk)


def test_completion_refuses_someone_elses_file_and_stays_open(task, owner, other_owner):
    """A staged file of another unit (or one already bound) is a field error naming it, and
    the node is not completed (issue 16: bound files are visibility-checked)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supervision.files.services import attachment_upload
    from tests.files import samples

    foreign = attachment_upload(
        actor=other_owner,
        upload=SimpleUploadedFile("别人的.pdf", samples.pdf("x")),
        target_type="",
        target_id=None,
    )
    node = factories.NodeFactory(task=task, sequence=1, target_value=None, target_text="完成验收")
    response = client(owner).post(
        API + f"nodes/{node.pk}/complete/",
        {"completed_on": "2024-06-20", "attachments": [foreign.pk]},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert str(foreign.pk) in response.json()["errors"]["attachments"][0]
    node.refresh_from_db()
    assert node.status != "done"
    foreign.refresh_from_db()
    assert foreign.is_staged


def test_office_deletes_an_unchased_node_but_not_a_done_one(task, supervisor, owner):
    node = factories.NodeFactory(task=task, sequence=1)
    done = factories.NodeFactory(task=task, sequence=2)
    services.node_complete(actor=owner, node=done, completed_on=TODAY, value=Decimal("10"))
    c = client(supervisor)
    assert c.delete(API + f"nodes/{done.pk}/").status_code == 409
    assert c.delete(API + f"nodes/{node.pk}/").status_code == 204
    assert not Node.objects.filter(pk=node.pk).exists()
    assert TaskEvent.objects.filter(task=task, action="node_delete").exists()
    assert AuditRecord.objects.filter(
        model="supervision.Node", action="delete", object_id=str(node.pk)
    ).exists()


def test_node_list_and_detail(task, viewer):
    node = factories.NodeFactory(task=task, sequence=1, due_date=dt.date(2024, 6, 20))
    factories.NodeFactory(task=task, sequence=2, due_date=dt.date(2024, 9, 30))
    c = client(viewer)
    listed = c.get(API + "nodes/?overdue=true").json()
    assert [row["id"] for row in listed["results"]] == [node.pk]
    detail = c.get(API + f"nodes/{node.pk}/")
    assert detail.status_code == 200
    assert detail["ETag"]
    assert [n["sequence"] for n in c.get(API + f"tasks/{task.pk}/nodes/").json()] == [1, 2]
    assert c.get(API + "nodes/?overdue=maybe").status_code == 400
