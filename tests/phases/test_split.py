"""末端落实: children are full tasks in the loop; the parent rolls them up and cannot be
submitted while one is open, unless the office lets it through with a reason."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import DepartmentKind, Role
from supervision.choices import TaskAction
from supervision.loop import transitions
from supervision.loop.models import Task, TaskEvent
from supervision.loop.transitions import TransitionNotAllowed
from supervision.phases import split
from supervision.reminders.models import Notification
from tests import factories
from tests.clients import API, session_client
from tests.phases.conftest import api_for


@pytest.fixture
def towns(db):
    return factories.DepartmentFactory.create_batch(2, kind=DepartmentKind.TOWN)


@pytest.fixture
def parent(owner, supervisor):
    task = factories.TaskFactory(
        lead_department=owner.department,
        target_value=Decimal("1000"),
        target_unit="户",
        code="GZ2024-0100",
    )
    transitions.task_assign(task=task, actor=supervisor)
    transitions.task_accept(task=task, actor=owner)
    return task


def _split(parent, supervisor, towns, **extra):
    return split.task_split(
        task=parent,
        actor=supervisor,
        children=[
            {"lead_department": town, "target_value": Decimal("500"), **extra} for town in towns
        ],
    )


def test_children_are_assigned_tasks_of_their_own(parent, supervisor, owner, towns):
    town_owner = factories.UserFactory(role=Role.OWNER, department=towns[0])
    children = _split(parent, supervisor, towns)
    assert [c.code for c in children] == ["GZ2024-0100-01", "GZ2024-0100-02"]
    for child, town in zip(children, towns, strict=True):
        child.refresh_from_db()
        assert child.status == "assigned"
        assert child.parent_id == parent.pk
        assert child.lead_department == town
        assert child.deadline == parent.deadline
        assert child.target_unit == "户"
    event = TaskEvent.objects.get(task=parent, action=TaskAction.SPLIT)
    assert event.data["children"] == [c.pk for c in children]
    # the town is asked to 签收 its child; the parent's lead unit hears of the split
    assert Notification.objects.filter(recipient=town_owner, event__task=children[0]).exists()
    assert Notification.objects.filter(recipient=owner, event=event).exists()


def test_the_parent_cannot_be_submitted_while_a_child_is_open(parent, owner, supervisor, towns):
    children = _split(parent, supervisor, towns)
    with pytest.raises(TransitionNotAllowed, match="未办结"):
        transitions.task_submit(task=parent, actor=owner, summary="全部完成")
    parent.refresh_from_db()
    assert parent.status == "in_progress"
    for child in children:  # close one, cancel the other: nothing open any more
        town_owner = factories.UserFactory(role=Role.OWNER, department=child.lead_department)
        if child == children[0]:
            transitions.task_accept(task=child, actor=town_owner)
            transitions.task_submit(task=child, actor=town_owner, summary="已完成")
            transitions.task_verify(task=child, actor=supervisor, approved=True)
        else:
            transitions.task_cancel(task=child, actor=supervisor, reason="并入其他镇")
    transitions.task_submit(task=parent, actor=owner, summary="全部完成")
    parent.refresh_from_db()
    assert parent.status == "submitted"


def test_the_office_overrides_with_a_reason_and_a_later_child_blocks_again(
    parent, owner, supervisor, towns
):
    _split(parent, supervisor, towns[:1])
    with pytest.raises(Exception, match="理由"):
        split.task_split_override(task=parent, actor=supervisor, reason=" ")
    with pytest.raises(transitions.ActorNotAllowed):
        split.task_split_override(task=parent, actor=owner, reason="自行放行")
    split.task_split_override(task=parent, actor=supervisor, reason="镇级扫尾不影响主体验收")
    assert split.open_children_blocking(Task.objects.get(pk=parent.pk)) == []
    _split(parent, supervisor, towns[1:])
    assert len(split.open_children_blocking(parent)) == 1
    split.task_split_override(task=parent, actor=supervisor, reason="同上")
    transitions.task_submit(task=parent, actor=owner, summary="主体完成")


def test_split_refuses_bad_children_and_changes_nothing(parent, owner, supervisor, towns):
    later = parent.deadline + dt.timedelta(days=1)
    cases = [
        ([], "至少"),
        ([{"lead_department": towns[0], "deadline": later}], "不能晚于"),
        ([{"lead_department": owner.department}], "牵头单位"),
        ([{"lead_department": towns[0]}, {"lead_department": towns[0]}], "同一单位"),
    ]
    for children, message in cases:
        with pytest.raises(Exception, match=message):
            split.task_split(task=parent, actor=supervisor, children=children)
    with pytest.raises(transitions.ActorNotAllowed):
        split.task_split(task=parent, actor=owner, children=[{"lead_department": towns[0]}])
    assert not Task.objects.filter(parent=parent).exists()
    draft = factories.TaskFactory()
    with pytest.raises(TransitionNotAllowed):
        split.task_split(task=draft, actor=supervisor, children=[{"lead_department": towns[0]}])


def test_rollup_sums_the_childrens_values(parent, supervisor, towns):
    children = _split(parent, supervisor, towns)
    Task.objects.filter(pk=children[0].pk).update(latest_value=Decimal("300"))
    roll = split.rollup(parent)
    assert (roll.total, roll.open, roll.closed) == (2, 2, 0)
    assert roll.target == Decimal("1000")
    assert roll.value == Decimal("300")


def test_split_through_the_api(parent, supervisor, owner, towns):
    body = {
        "children": [
            {"lead_department": towns[0].pk, "title": "白马镇入户改造", "target_value": "400"},
            {"lead_department": towns[1].pk, "deadline": "2024-10-31"},
        ]
    }
    assert (
        api_for(owner).post(API + f"tasks/{parent.pk}/split/", body, format="json").status_code
        == 403
    )
    response = api_for(supervisor).post(API + f"tasks/{parent.pk}/split/", body, format="json")
    assert response.status_code == 201, response.content
    rows = response.json()
    assert [r["parent"] for r in rows] == [parent.pk, parent.pk]
    assert rows[0]["title"] == "白马镇入户改造"
    assert rows[1]["deadline"] == "2024-10-31"
    listed = api_for(owner).get(API + f"tasks/?parent={parent.pk}").json()
    assert listed["count"] == 2
    response = api_for(owner).post(
        API + f"tasks/{parent.pk}/submit/", {"summary": "完成"}, format="json"
    )
    assert response.status_code == 409
    assert "未办结" in response.json()["message"] or "未办结" in response.content.decode()
    response = api_for(supervisor).post(
        API + f"tasks/{parent.pk}/split-override/", {"reason": "先行验收"}, format="json"
    )
    assert response.status_code == 200
    response = api_for(owner).post(
        API + f"tasks/{parent.pk}/submit/", {"summary": "完成"}, format="json"
    )
    assert response.status_code == 200


def test_cockpit_split_form_and_rollup(parent, supervisor, owner, towns):
    office = session_client(supervisor)
    url = reverse("web:task-detail", args=[parent.pk])
    assert 'data-action="split"' in office.get(url).content.decode()
    assert 'data-action="split"' not in session_client(owner).get(url).content.decode()
    action = reverse("web:task-phase", args=[parent.pk, "split"])
    response = office.post(
        action, {"split-lead_department": towns[0].pk, "split-target_value": "300"}
    )
    assert response.status_code == 302
    page = office.get(url).content.decode()
    assert "已分解交办 GZ2024-0100-01" in page
    assert 'data-testid="children"' in page
    assert "split-blocking" in page
    response = office.post(action, {"split-lead_department": towns[0].pk})
    assert response.status_code == 400
    assert "同一单位" in response.content.decode()
    assert (
        session_client(owner).post(action, {"split-lead_department": towns[1].pk}).status_code
        == 403
    )
    assert Task.objects.filter(parent=parent).count() == 1
