"""领导批示件: the 办理情况 goes back to the 批示领导 (notification + webhook); a leader's
follow-up 批示 notifies the units and is logged."""

import datetime as dt

import pytest

from accounts.choices import Role
from projects.models import Project
from supervision.loop import services as loop_services
from supervision.loop import transitions
from supervision.models import Instruction, Notification, TaskEvent
from supervision.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.clients import API, bearer_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(db):
    return WebhookEndpoint.objects.create(
        name="区政务平台", url="https://hooks.example.gov.cn/in", secret="whsec_" + "A" * 32
    )


def deliveries(event_type):
    return [d.payload for d in WebhookDelivery.objects.filter(event_type=event_type).order_by("pk")]


def test_each_progress_report_goes_back_to_the_instructing_leader(
    make_instruction, owner, leader, endpoint
):
    task = make_instruction("in_progress")

    report = loop_services.progress_report_create(
        task=task, actor=owner, content="已完成航道测量，正在编制方案。", percent=40
    )

    note = Notification.objects.get(recipient=leader)
    assert task.code in note.title
    assert "已完成航道测量" in note.body
    assert (note.event.task, note.event.action) == (task, "progress")
    (payload,) = deliveries("task.reported_back")
    assert payload["data"] == {
        "id": task.pk,
        "code": task.code,
        "leader": leader.pk,
        "kind": "progress",
        "text": "已完成航道测量，正在编制方案。",
        "report": report.pk,
    }


def test_the_closure_goes_back_to_the_instructing_leader(
    make_instruction, owner, supervisor, leader, endpoint
):
    task = make_instruction("in_progress")
    transitions.task_submit(task=task, actor=owner, summary="整治方案已报批，施工队伍已进场。")
    assert not Notification.objects.filter(recipient=leader).exists()  # not yet: 核验 first

    transitions.task_verify(task=task, actor=supervisor, approved=True)

    note = Notification.objects.get(recipient=leader)
    assert "已办结" in note.title
    assert "施工队伍已进场" in note.body
    assert [p["data"]["kind"] for p in deliveries("task.reported_back")] == ["closure"]


def test_other_tasks_report_to_no_leader(make_task_plain, owner, leader, endpoint):
    task = make_task_plain()

    loop_services.progress_report_create(task=task, actor=owner, content="按计划推进")

    assert not Notification.objects.filter(recipient=leader).exists()
    assert deliveries("task.reported_back") == []


@pytest.fixture
def make_task_plain(supervisor, owner, department):
    def make():
        task = loop_services.task_create(
            actor=supervisor, title="一般事项", source="work_report", domain="economy",
            lead_department=department, deadline=dt.date(2024, 12, 31),
        )  # fmt: skip
        transitions.task_assign(task=task, actor=supervisor)
        return transitions.task_accept(task=task, actor=owner)

    return make


def test_a_leader_adds_a_follow_up_instruction_the_units_hear_of_it(
    make_instruction, leader_api, leader, owner, department, endpoint
):
    co = factories.DepartmentFactory()
    co_owner = factories.UserFactory(role=Role.OWNER, department=co)
    task = make_instruction("in_progress")
    task.co_departments.set([co])

    response = leader_api.post(
        f"{API}tasks/{task.pk}/instructions/", {"text": "请加快进度，月底前见成效。"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["leader"] == leader.pk
    assert {n.recipient for n in Notification.objects.filter(title__contains="领导批示")} == {
        owner,
        co_owner,
    }
    event = TaskEvent.objects.get(task=task, action="instruct")
    assert event.actor == leader
    assert "请加快进度" in event.comment
    assert deliveries("task.instructed")[0]["data"]["leader"] == leader.pk
    listed = leader_api.get(f"{API}tasks/{task.pk}/instructions/").json()
    assert [row["text"] for row in listed] == ["请加快进度，月底前见成效。"]


def test_a_leader_may_instruct_on_any_task(make_task_plain, leader_api):
    task = make_task_plain()

    response = leader_api.post(
        f"{API}tasks/{task.pk}/instructions/", {"text": "要高度重视。"}, format="json"
    )

    assert response.status_code == 201


def test_the_office_records_an_instruction_for_the_original_leader(
    make_instruction, supervisor_api, leader
):
    task = make_instruction("assigned")

    response = supervisor_api.post(
        f"{API}tasks/{task.pk}/instructions/", {"text": "阅，请督办。"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["leader"] == leader.pk


def test_the_office_must_name_a_leader_when_the_task_has_none(make_task_plain, supervisor_api):
    task = make_task_plain()

    response = supervisor_api.post(
        f"{API}tasks/{task.pk}/instructions/", {"text": "阅"}, format="json"
    )

    assert response.status_code == 400
    assert "leader" in response.json()["errors"]
    assert not Instruction.objects.exists()


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_units_and_readers_cannot_instruct(make_instruction, role, request):
    task = make_instruction("in_progress")
    client = bearer_client(request.getfixturevalue(role))

    response = client.post(f"{API}tasks/{task.pk}/instructions/", {"text": "阅"}, format="json")

    assert response.status_code == 403
    assert not Instruction.objects.exists()


def test_a_leader_instructs_on_a_project_and_its_unit_hears_of_it(leader, owner, department):
    from supervision.kinds.instructions import project_instruct

    project = factories.ProjectFactory(lead_department=department)

    instruction = project_instruct(project=project, actor=leader, text="要确保年内建成投用。")

    assert instruction.project == Project.objects.get(pk=project.pk)
    assert Notification.objects.get(recipient=owner).link == f"/projects/{project.pk}/"
