"""Nodes in the cockpit: the task page's timeline with lights and the 序时 curve, node actions
for the right roles (the lead unit proposes and completes, the office sets and approves), and
the office's list filters "node overdue" and "behind 序时"."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from supervision.models import Node
from tests import factories
from tests.clients import session_client

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
        latest_value=Decimal("17"),
    )
    factories.NodeFactory(
        task=task,
        sequence=1,
        title="一季度",
        due_date=dt.date(2024, 3, 31),
        target_value=Decimal("25"),
        status="done",
        completed_on=dt.date(2024, 4, 2),
        value=Decimal("17"),
    )
    factories.NodeFactory(task=task, sequence=2, title="二季度", due_date=dt.date(2024, 6, 30))
    return task


def page(user, task):
    return session_client(user).get(reverse("web:task-detail", args=[task.pk]))


def node_buttons(response) -> list[str]:
    return [panel["action"].key for panel in response.context["node_section"]["panels"]]


def test_the_page_shows_the_timeline_the_lights_and_the_schedule(task, viewer):
    response = page(viewer, task)
    html = response.content.decode()
    assert 'data-testid="node-timeline"' in html
    assert "逾期完成" in html  # Q1 done on 04-02, after its 03-31
    assert 'data-testid="schedule-chart"' in html
    assert "落后序时 20.4 个百分点" in html
    assert node_buttons(response) == []


def test_each_role_gets_its_node_actions(task, owner, supervisor):
    assert node_buttons(page(owner, task)) == ["propose", "complete"]
    assert node_buttons(page(supervisor, task)) == ["set"]
    factories.NodeFactory(task=task, sequence=3, status="proposed", due_date=dt.date(2024, 9, 30))
    assert node_buttons(page(supervisor, task)) == ["set", "approve"]


def test_the_lead_unit_proposes_and_completes_and_the_office_approves(task, owner, supervisor):
    unit, office = session_client(owner), session_client(supervisor)
    url = reverse("web:task-node", args=[task.pk, "propose"])
    response = unit.post(
        url,
        {
            "node-propose-title": "三季度",
            "node-propose-due_date": "2024-09-30",
            "node-propose-target_value": "75",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    proposed = Node.objects.get(task=task, sequence=3)
    assert proposed.status == "proposed"

    response = office.post(reverse("web:task-node", args=[task.pk, "approve"]), {})
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == "approved"

    q2 = Node.objects.get(task=task, sequence=2)
    response = unit.post(
        reverse("web:task-node", args=[task.pk, "complete"]),
        {
            "node-complete-node": q2.pk,
            "node-complete-completed_on": "2024-05-14",
            "node-complete-value": "52",
            "node-complete-note": "提前完成",
        },
        follow=True,
    )
    assert "已登记节点“二季度”于 2024-05-14 完成" in response.content.decode()
    q2.refresh_from_db()
    assert (q2.status, q2.value) == ("done", Decimal("52"))


def node_forms(response) -> dict[int, list[str]]:
    nodes = response.context["node_section"]["nodes"]
    return {node.pk: [item["action"].key for item in node.forms] for node in nodes}


def test_the_office_edits_and_deletes_nodes_not_done_and_others_cannot(task, owner, supervisor):
    q1, q2 = task.nodes.order_by("sequence")
    assert node_forms(page(supervisor, task)) == {q1.pk: [], q2.pk: ["edit", "delete"]}
    assert node_forms(page(owner, task)) == {q1.pk: [], q2.pk: []}
    html = page(supervisor, task).content.decode()
    assert f'data-action="node-edit-{q2.pk}"' in html
    assert 'data-confirm="确认删除节点“二季度”' in html
    refused = session_client(owner).post(
        reverse("web:task-node-item", args=[task.pk, q2.pk, "delete"]), {}
    )
    assert refused.status_code == 403
    assert Node.objects.filter(pk=q2.pk).exists()
    done = session_client(supervisor).post(
        reverse("web:task-node-item", args=[task.pk, q1.pk, "delete"]), {}
    )
    assert done.status_code == 403  # a node done stays as it was
    assert Node.objects.filter(pk=q1.pk).exists()


def test_the_office_edits_a_node_logged_with_an_explicit_result(task, supervisor):
    q2 = task.nodes.get(sequence=2)
    office = session_client(supervisor)
    url = reverse("web:task-node-item", args=[task.pk, q2.pk, "edit"])
    form = page(supervisor, task).context["node_section"]["nodes"][1].forms[0]["form"]
    assert (form.initial["title"], form.initial["target_value"]) == ("二季度", "50")

    response = office.post(
        url,
        {
            f"node-edit-{q2.pk}-title": "二季度",
            f"node-edit-{q2.pk}-due_date": "2024-07-15",
            f"node-edit-{q2.pk}-target_value": "45",
            f"node-edit-{q2.pk}-reason": "按汛期调整",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert (
        "已修改节点“二季度”：计划完成日期 2024-06-30 → 2024-07-15；累计目标值 50 → 45。"
        in response.content.decode()
    )
    q2.refresh_from_db()
    assert (q2.due_date, q2.target_value) == (dt.date(2024, 7, 15), Decimal("45"))
    event = task.events.get(action="node_edit")
    assert (event.actor, event.comment) == (supervisor, "按汛期调整")

    bad = office.post(
        url,
        {
            f"node-edit-{q2.pk}-title": "二季度",
            f"node-edit-{q2.pk}-due_date": "2025-03-31",
            f"node-edit-{q2.pk}-target_value": "45",
        },
    )
    assert bad.status_code == 400
    assert "不能晚于事项办理时限" in bad.content.decode()
    q2.refresh_from_db()
    assert q2.due_date == dt.date(2024, 7, 15)


def test_the_office_edits_a_proposed_plan_then_approves_it(task, supervisor):
    proposed = factories.NodeFactory(
        task=task, sequence=3, title="三季度", status="proposed", due_date=dt.date(2024, 9, 30)
    )
    office = session_client(supervisor)
    response = office.post(
        reverse("web:task-node-item", args=[task.pk, proposed.pk, "edit"]),
        {
            f"node-edit-{proposed.pk}-title": "三季度（调整）",
            f"node-edit-{proposed.pk}-due_date": "2024-09-30",
            f"node-edit-{proposed.pk}-target_value": "80",
        },
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert (proposed.status, proposed.title, proposed.target_value) == (
        "proposed",
        "三季度（调整）",
        Decimal("80"),
    )
    office.post(reverse("web:task-node", args=[task.pk, "approve"]), {})
    proposed.refresh_from_db()
    assert proposed.status == "approved"


def test_the_office_deletes_a_node_and_the_log_says_so(task, supervisor):
    q2 = task.nodes.get(sequence=2)
    response = session_client(supervisor).post(
        reverse("web:task-node-item", args=[task.pk, q2.pk, "delete"]),
        {f"node-delete-{q2.pk}-reason": "并入三季度"},
        follow=True,
    )
    assert "已删除节点“二季度”（计划 2024-06-30）" in response.content.decode()
    assert not Node.objects.filter(pk=q2.pk).exists()
    event = task.events.get(action="node_delete")
    assert (event.actor, event.comment) == (supervisor, "并入三季度")


def test_a_bad_node_is_shown_on_the_form_and_others_are_refused(task, owner, viewer):
    response = session_client(owner).post(
        reverse("web:task-node", args=[task.pk, "propose"]),
        {"node-propose-title": "无目标", "node-propose-due_date": "2024-09-30"},
    )
    assert response.status_code == 400
    assert "请填写累计目标值" in response.content.decode()
    refused = session_client(viewer).post(
        reverse("web:task-node", args=[task.pk, "set"]),
        {"node-set-title": "x", "node-set-due_date": "2024-09-30", "node-set-target_text": "x"},
    )
    assert refused.status_code == 403
    assert Node.objects.filter(task=task).count() == 2


def test_the_office_lists_filter_node_overdue_and_behind(task, supervisor, department):
    ahead = factories.TaskFactory(
        status="in_progress",
        lead_department=department,
        target_value=Decimal("100"),
        latest_value=Decimal("90"),
    )
    late = factories.TaskFactory(status="in_progress", lead_department=department)
    factories.NodeFactory(
        task=late, due_date=dt.date(2024, 5, 6), target_value=None, target_text="x"
    )
    client = session_client(supervisor)

    def listed(query):
        response = client.get(reverse("web:tasks") + "?" + query)
        assert response.status_code == 200
        return {t.pk for t in response.context["page"]}

    assert listed("behind=true") == {task.pk}
    assert listed("node_overdue=true") == {late.pk}
    assert ahead.pk in listed("behind=false")
    # A task without a value target has no lag: it is not behind 序时 either.
    assert late.pk in listed("behind=false")
    assert task.pk not in listed("behind=false")
    html = client.get(reverse("web:tasks")).content.decode()
    assert "节点逾期" in html
    assert "落后序时" in html


def test_the_inbox_lists_nodes_to_complete_and_plans_to_approve(task, owner, supervisor):
    late = factories.NodeFactory(
        task=task, sequence=3, title="五月上旬", due_date=dt.date(2024, 5, 10)
    )
    soon = factories.NodeFactory(
        task=task, sequence=4, title="五月中旬", due_date=dt.date(2024, 5, 16)
    )
    other = factories.TaskFactory(status="in_progress")  # another unit's
    factories.NodeFactory(task=other, due_date=dt.date(2024, 5, 10))

    page = session_client(owner).get(reverse("web:inbox"))
    rows = page.context["nodes_due"]["rows"]
    assert [(n.pk, n.light) for n in rows] == [(late.pk, "red"), (soon.pk, "yellow")]
    assert 'data-testid="nodes-due"' in page.content.decode()
    assert "plans" not in page.context

    assert session_client(supervisor).get(reverse("web:inbox")).context["plans"]["rows"] == []
    factories.NodeFactory(task=task, sequence=5, status="proposed", due_date=dt.date(2024, 9, 30))
    page = session_client(supervisor).get(reverse("web:inbox"))
    assert [t.pk for t in page.context["plans"]["rows"]] == [task.pk]
    assert "待审定的分解计划" in page.content.decode()
