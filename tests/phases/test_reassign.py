"""申请调整牵头单位: within the policy's working days after 交办; the office reassigns (the new
unit 签收s afresh and its ladder starts) or refuses; both logged and notified."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.choices import Role
from core import clock
from supervision.choices import TaskAction
from supervision.loop import transitions
from supervision.loop.models import TaskEvent
from supervision.loop.transitions import ActorNotAllowed, TransitionNotAllowed
from supervision.phases import reassign
from supervision.phases.models import ReassignRequest
from supervision.reminders.models import Notification, Reminder
from supervision.reminders.scan import scan_deadlines
from tests import factories
from tests.clients import API, session_client
from tests.phases.conftest import api_for

AT = dt.datetime(2024, 6, 28, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def new_owner(db):
    return factories.UserFactory(role=Role.OWNER, department=factories.DepartmentFactory())


@pytest.fixture
def task(owner, supervisor):
    """In hand since 06-24 (Monday), its deadline 06-26 already passed."""
    task = factories.TaskFactory(lead_department=owner.department, deadline=dt.date(2024, 6, 26))
    with clock.override(dt.datetime(2024, 6, 24, 9, tzinfo=AT.tzinfo)):
        transitions.task_assign(task=task, actor=supervisor)
        transitions.task_accept(task=task, actor=owner)
    return task


def test_reassignment_restarts_the_ladder_for_the_new_unit(task, owner, supervisor, new_owner):
    with clock.override(AT):
        scan_deadlines(now=AT)
    old = set(Reminder.objects.filter(task=task).values_list("department_id", "kind", "level"))
    assert old
    assert {dept for dept, _, _ in old} == {owner.department_id}
    request = reassign.reassign_request_create(
        task=task, actor=owner, reason="职能不符", suggested_department=new_owner.department
    )
    reassign.reassign_approve(request=request, actor=supervisor, comment="同意")
    task.refresh_from_db()
    assert task.lead_department_id == new_owner.department_id
    assert task.status == "assigned"
    assert task.accepted_at is None
    with clock.override(AT):
        scan_deadlines(now=AT)
    new = set(
        Reminder.objects.filter(task=task, department=new_owner.department).values_list(
            "kind", "level"
        )
    )
    assert ("deadline", "overdue") in new  # the same rung again, now for the new unit
    event = TaskEvent.objects.get(task=task, action=TaskAction.REASSIGN)
    assert event.data["lead_department"] == [owner.department_id, new_owner.department_id]
    notified = set(Notification.objects.filter(event=event).values_list("recipient", flat=True))
    assert {owner.pk, new_owner.pk} <= notified
    transitions.task_accept(task=task, actor=new_owner)  # the new unit signs for it


def test_the_office_refuses_with_a_reason(task, owner, supervisor):
    request = reassign.reassign_request_create(task=task, actor=owner, reason="人手不足")
    assert Notification.objects.filter(
        recipient=supervisor, event__action=TaskAction.REASSIGN_REQUEST
    ).exists()
    with pytest.raises(ValidationError):
        reassign.reassign_reject(request=request, actor=supervisor, comment="")
    with pytest.raises(ValidationError):  # nothing suggested, nothing named
        reassign.reassign_approve(request=request, actor=supervisor)
    reassign.reassign_reject(request=request, actor=supervisor, comment="职能相符，请继续办理")
    request.refresh_from_db()
    assert request.status == "rejected"
    task.refresh_from_db()
    assert task.lead_department_id == owner.department_id
    assert Notification.objects.filter(
        recipient=owner, event__action=TaskAction.REASSIGN_REJECT
    ).exists()
    with pytest.raises(TransitionNotAllowed):
        reassign.reassign_reject(request=request, actor=supervisor, comment="再次")


def test_requests_only_by_the_lead_unit_within_the_window(task, owner, other_owner, supervisor):
    with pytest.raises(ActorNotAllowed):
        reassign.reassign_request_create(task=task, actor=other_owner, reason="x")
    with pytest.raises(ActorNotAllowed):
        reassign.reassign_request_create(task=task, actor=supervisor, reason="x")
    # 06-24 + 5 working days = 07-01; on 07-02 it is too late
    late = dt.datetime(2024, 7, 2, 9, tzinfo=AT.tzinfo)
    with clock.override(late), pytest.raises(TransitionNotAllowed, match="5 个工作日"):
        reassign.reassign_request_create(task=task, actor=owner, reason="x")
    reassign.reassign_request_create(task=task, actor=owner, reason="职能不符")
    with pytest.raises(TransitionNotAllowed, match="待审批"):
        reassign.reassign_request_create(task=task, actor=owner, reason="再申请")
    assert ReassignRequest.objects.count() == 1


def test_reassign_requests_through_the_api(task, owner, supervisor, new_owner):
    client = api_for(owner)
    url = API + f"tasks/{task.pk}/reassign-requests/"
    body = {"reason": "该项由规划部门牵头更合适", "suggested_department": new_owner.department_id}
    response = client.post(url, body, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert client.get(url).json()[0]["status"] == "pending"
    assert (
        client.post(API + f"reassign-requests/{pk}/approve/", {}, format="json").status_code == 403
    )
    listed = api_for(supervisor).get(API + "reassign-requests/?status=pending").json()
    assert [row["id"] for row in listed["results"]] == [pk]
    response = api_for(supervisor).post(API + f"reassign-requests/{pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["new_department"] == new_owner.department_id
    response = api_for(supervisor).post(
        API + f"reassign-requests/{pk}/reject/", {"comment": "迟了"}, format="json"
    )
    assert response.status_code == 409


def test_cockpit_request_and_decision(task, owner, supervisor, new_owner):
    url = reverse("web:task-detail", args=[task.pk])
    unit = session_client(owner)
    assert 'data-action="reassign-request"' in unit.get(url).content.decode()
    action = reverse("web:task-phase", args=[task.pk, "reassign-request"])
    response = unit.post(action, {"reassign-request-reason": ""})
    assert response.status_code == 400
    response = unit.post(
        action,
        {
            "reassign-request-reason": "职能不符",
            "reassign-request-suggested_department": new_owner.department_id,
        },
    )
    assert response.status_code == 302
    office = session_client(supervisor)
    page = office.get(url).content.decode()
    assert 'data-action="reassign-decide"' in page
    assert "职能不符" in page
    decide = reverse("web:task-phase", args=[task.pk, "reassign-decide"])
    assert unit.post(decide, {"reassign-decide-decision": "approve"}).status_code == 403
    response = office.post(decide, {"reassign-decide-decision": "approve"})
    assert response.status_code == 302
    page = office.get(url).content.decode()
    assert f"已将牵头单位调整为{new_owner.department}" in page
    task.refresh_from_db()
    assert task.lead_department_id == new_owner.department_id


def test_the_offices_inbox_lists_pending_requests(task, owner, supervisor):
    reassign.reassign_request_create(task=task, actor=owner, reason="职能不符，建议调整")
    page = session_client(supervisor).get(reverse("web:inbox")).content.decode()
    assert 'data-testid="reassigns"' in page
    assert "职能不符，建议调整" in page
    assert (
        'data-testid="reassigns"'
        not in session_client(owner).get(reverse("web:inbox")).content.decode()
    )
