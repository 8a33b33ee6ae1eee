"""The lead unit edits or withdraws (撤回) a node of its 分解计划 before the office approves
it, on the task page (``supervision.phases.nodes``: the same services as the office's edit
and delete, logged and audited); an approved node, another unit's node, or the API stay
the office's; query count of the task page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditRecord
from supervision.models import Node
from tests import factories
from tests.clients import bearer_client, session_client

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 5, 15)


@pytest.fixture(autouse=True)
def _today(settings):
    settings.SUPERVISION_TODAY = TODAY


@pytest.fixture
def task(department):
    task = factories.TaskFactory(
        status="in_progress",
        lead_department=department,
        target_value=Decimal("100"),
        target_unit="公里",
    )
    factories.NodeFactory(task=task, sequence=1, title="二季度", due_date=dt.date(2024, 6, 30))
    return task


@pytest.fixture
def proposed(task):
    return factories.NodeFactory(
        task=task, sequence=2, title="三季度", status="proposed", due_date=dt.date(2024, 9, 30)
    )


def _forms(user, task) -> dict[int, list[str]]:
    response = session_client(user).get(reverse("web:task-detail", args=[task.pk]))
    return {
        n.pk: [i["action"].key for i in n.forms] for n in response.context["node_section"]["nodes"]
    }


def test_the_lead_unit_gets_edit_and_withdraw_on_its_proposed_nodes_only(
    task, proposed, owner, other_owner, viewer
):
    approved = task.nodes.get(sequence=1)
    assert _forms(owner, task) == {approved.pk: [], proposed.pk: ["edit", "delete"]}
    assert _forms(other_owner, task) == {approved.pk: [], proposed.pk: []}
    assert _forms(viewer, task) == {approved.pk: [], proposed.pk: []}
    html = session_client(owner).get(reverse("web:task-detail", args=[task.pk])).content.decode()
    assert "确认撤回待审定节点“三季度”" in html
    assert "撤回理由" in html


def test_the_lead_unit_withdraws_a_proposed_node(task, proposed, owner):
    response = session_client(owner).post(
        reverse("web:task-node-item", args=[task.pk, proposed.pk, "delete"]),
        {f"node-delete-{proposed.pk}-reason": "计划合并到四季度"},
        follow=True,
    )
    assert "已撤回节点“三季度”（计划 2024-09-30）。已记入办理记录。" in response.content.decode()
    assert not Node.objects.filter(pk=proposed.pk).exists()
    event = task.events.get(action="node_delete")
    assert (event.actor, event.comment) == (owner, "计划合并到四季度")
    record = AuditRecord.objects.get(model="supervision.Node", action="delete")
    assert record.actor == owner


def test_the_lead_unit_edits_a_proposed_node(task, proposed, owner):
    response = session_client(owner).post(
        reverse("web:task-node-item", args=[task.pk, proposed.pk, "edit"]),
        {
            f"node-edit-{proposed.pk}-title": "三季度",
            f"node-edit-{proposed.pk}-due_date": "2024-09-15",
            f"node-edit-{proposed.pk}-target_value": "70",
        },
        follow=True,
    )
    assert "已修改待审定节点“三季度”" in response.content.decode()
    proposed.refresh_from_db()
    assert (proposed.due_date, proposed.status) == (dt.date(2024, 9, 15), "proposed")
    assert AuditRecord.objects.get(model="supervision.Node", action="update").actor == owner


def test_a_bad_edit_is_refused_in_chinese_and_nothing_changes(task, proposed, owner):
    response = session_client(owner).post(
        reverse("web:task-node-item", args=[task.pk, proposed.pk, "edit"]),
        {
            f"node-edit-{proposed.pk}-title": "三季\x01度",
            f"node-edit-{proposed.pk}-due_date": "2024-09-15",
            f"node-edit-{proposed.pk}-target_value": "70",
        },
    )
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.due_date == dt.date(2024, 9, 30)
    assert not AuditRecord.objects.exists()


def test_an_approved_or_foreign_node_stays_the_offices(task, proposed, owner, other_owner):
    approved = task.nodes.get(sequence=1)
    refused = session_client(owner).post(
        reverse("web:task-node-item", args=[task.pk, approved.pk, "delete"]), {}
    )
    assert refused.status_code == 403
    refused = session_client(other_owner).post(
        reverse("web:task-node-item", args=[task.pk, proposed.pk, "delete"]), {}
    )
    assert refused.status_code == 403
    assert Node.objects.filter(pk__in=[approved.pk, proposed.pk]).count() == 2


def test_a_node_approved_meanwhile_is_refused_by_the_service(task, proposed, owner, supervisor):
    from supervision.phases import nodes as services

    services.nodes_approve(actor=supervisor, task=task)
    with pytest.raises(services.ActorNotAllowed, match="已经督查办审定"):
        services.node_delete(actor=owner, node=proposed)
    assert Node.objects.filter(pk=proposed.pk).exists()


def test_the_api_stays_the_offices(task, proposed, owner):
    response = bearer_client(owner).delete(f"/api/v1/nodes/{proposed.pk}/")
    assert response.status_code == 403
    assert Node.objects.filter(pk=proposed.pk).exists()


def test_the_task_page_query_count_for_the_lead_unit(task, owner, django_assert_num_queries):
    for n in range(3):
        factories.NodeFactory(
            task=task, sequence=3 + n, status="proposed", due_date=dt.date(2024, 10, 1 + n)
        )
    client = session_client(owner)
    url = reverse("web:task-detail", args=[task.pk])
    client.get(url)
    with django_assert_num_queries(30, exact=False):
        assert client.get(url).status_code == 200


def test_the_office_hears_of_a_withdrawal_and_the_unit_of_the_offices_edit(
    task, proposed, owner, supervisor
):
    from supervision.models import Notification
    from supervision.phases.nodes import node_delete, node_update

    node_update(actor=owner, node=proposed, due_date=dt.date(2024, 9, 20))
    event = task.events.get(action="node_edit")
    assert set(Notification.objects.filter(event=event).values_list("recipient", flat=True)) == {
        supervisor.pk
    }
    node_update(actor=supervisor, node=proposed, title="三季度（调整）")
    event = task.events.filter(action="node_edit").latest("pk")
    assert set(Notification.objects.filter(event=event).values_list("recipient", flat=True)) == {
        owner.pk
    }
    node_delete(actor=owner, node=proposed, reason="并入四季度")
    event = task.events.get(action="node_delete")
    assert set(Notification.objects.filter(event=event).values_list("recipient", flat=True)) == {
        supervisor.pk
    }
