"""Extensions (延期): the lead department asks, the supervision office decides.

DESIGN.md: "the owner asks with a new date and reason; the supervisor approves or rejects.
Approval moves the deadline". The request keeps the original deadline; one pending request
per task; only for a task in hand (assigned or in progress).
"""

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from accounts.choices import Role
from core import clock
from supervision.loop.services import (
    extension_approve,
    extension_reject,
    extension_request_create,
    task_update,
)
from supervision.loop.transitions import ActorNotAllowed, TransitionError, TransitionNotAllowed
from supervision.models import ExtensionRequest, TaskEvent
from tests.factories import DepartmentFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ASKED = dt.datetime(2024, 9, 20, 10, 0, tzinfo=SHANGHAI)
DECIDED = dt.datetime(2024, 9, 23, 15, 0, tzinfo=SHANGHAI)
DEADLINE = dt.date(2024, 9, 30)
LATER = dt.date(2024, 10, 31)


@pytest.fixture
def co_department(db):
    return DepartmentFactory()


@pytest.fixture
def co_owner(co_department):
    return UserFactory(role=Role.OWNER, department=co_department)


@pytest.fixture
def task(department, co_department):
    return TaskFactory(
        status="in_progress",
        lead_department=department,
        co_departments=[co_department],
        deadline=DEADLINE,
    )


def ask(task, owner, requested=LATER, reason="征地拆迁受阻，需延期一个月"):
    with clock.override(ASKED):
        return extension_request_create(
            task=task, actor=owner, requested_deadline=requested, reason=reason
        )


def state(task):
    """Everything an extension call may touch, to prove a refused call touched nothing."""
    task.refresh_from_db()
    return {
        "deadline": task.deadline,
        "status": task.status,
        "updated_at": task.updated_at,
        "extensions": list(
            ExtensionRequest.objects.filter(task=task)
            .order_by("pk")
            .values_list("pk", "status", "requested_deadline", "decided_by", "decision_comment")
        ),
        "events": list(TaskEvent.objects.filter(task=task).values_list("pk", flat=True)),
    }


def test_owner_asks_and_the_request_keeps_the_original_deadline(task, owner):
    request = ask(task, owner, reason="  征地拆迁受阻  ")

    request.refresh_from_db()
    task.refresh_from_db()
    assert request.status == "pending"
    assert request.original_deadline == DEADLINE
    assert request.requested_deadline == LATER
    assert request.requested_by == owner
    assert request.reason == "征地拆迁受阻"
    assert request.created_at == ASKED
    assert task.deadline == DEADLINE  # asking alone moves nothing
    event = TaskEvent.objects.get(task=task)
    assert event.action == "extension_request"
    assert event.actor == owner
    assert event.data["deadline"] == ["2024-09-30", "2024-10-31"]


def test_approval_moves_the_deadline_and_logs_old_and_new(task, owner, supervisor):
    request = ask(task, owner)

    with clock.override(DECIDED):
        extension_approve(extension=request, actor=supervisor, comment="同意")

    task.refresh_from_db()
    request.refresh_from_db()
    assert task.deadline == LATER
    assert task.status == "in_progress"  # an extension is not a status move
    assert request.status == "approved"
    assert request.original_deadline == DEADLINE
    assert request.decided_by == supervisor
    assert request.decided_at == DECIDED
    assert request.decision_comment == "同意"
    events = list(TaskEvent.objects.filter(task=task).order_by("pk"))
    assert [e.action for e in events] == ["extension_request", "extension_approve"]
    approval = events[1]
    assert approval.actor == supervisor
    assert approval.created_at == DECIDED
    assert approval.data["deadline"] == ["2024-09-30", "2024-10-31"]
    assert approval.data["extension"] == request.pk


def test_approval_accepts_the_request_id(task, owner, supervisor):
    request = ask(task, owner)
    extension_approve(extension=request.pk, actor=supervisor)
    task.refresh_from_db()
    assert task.deadline == LATER


def test_rejection_leaves_the_deadline(task, owner, supervisor):
    request = ask(task, owner)

    with clock.override(DECIDED):
        extension_reject(extension=request, actor=supervisor, comment="理由不充分")

    task.refresh_from_db()
    request.refresh_from_db()
    assert task.deadline == DEADLINE
    assert request.status == "rejected"
    assert request.decision_comment == "理由不充分"
    assert request.decided_by == supervisor
    rejection = TaskEvent.objects.filter(task=task).order_by("pk").last()
    assert rejection.action == "extension_reject"
    assert rejection.comment == "理由不充分"
    assert "deadline" not in rejection.data


@pytest.mark.parametrize("comment", ["", "  \n "], ids=["empty", "whitespace"])
def test_rejection_without_a_comment_is_refused_and_changes_nothing(
    task, owner, supervisor, comment
):
    ask(task, owner)
    request = ExtensionRequest.objects.get(task=task)
    before = state(task)

    with pytest.raises(ValidationError) as exc:
        extension_reject(extension=request, actor=supervisor, comment=comment)

    assert "comment" in exc.value.message_dict
    assert state(task) == before


def test_only_one_pending_request_per_task(task, owner):
    ask(task, owner)
    before = state(task)

    with pytest.raises(TransitionNotAllowed):
        ask(task, owner, requested=dt.date(2024, 11, 30))

    assert state(task) == before
    assert ExtensionRequest.objects.filter(task=task).count() == 1


def test_a_new_request_is_possible_once_the_last_one_is_decided(task, owner, supervisor):
    first = ask(task, owner)
    extension_reject(extension=first, actor=supervisor, comment="理由不充分")

    second = ask(task, owner, requested=dt.date(2024, 10, 15))

    assert second.status == "pending"
    assert second.original_deadline == DEADLINE
    assert ExtensionRequest.objects.filter(task=task).count() == 2


@pytest.mark.parametrize(
    "requested",
    [DEADLINE, DEADLINE - dt.timedelta(days=1)],
    ids=["same-day", "earlier"],
)
def test_requested_date_not_after_the_deadline_is_refused_and_nothing_written(
    task, owner, requested
):
    before = state(task)

    with pytest.raises(ValidationError):
        ask(task, owner, requested=requested)

    assert state(task) == before
    assert not ExtensionRequest.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "whitespace"])
def test_request_without_a_reason_is_refused_and_nothing_written(task, owner, reason):
    before = state(task)

    with pytest.raises(ValidationError) as exc:
        ask(task, owner, reason=reason)

    assert "reason" in exc.value.message_dict
    assert state(task) == before


@pytest.mark.parametrize(
    "who", ["co_owner", "other_owner", "viewer", "leader", "supervisor", "inactive_lead_owner"]
)
def test_only_the_lead_department_may_ask(task, who, request, department):
    if who == "inactive_lead_owner":
        actor = UserFactory(role=Role.OWNER, department=department, is_active=False)
    else:
        actor = request.getfixturevalue(who)
    before = state(task)

    with pytest.raises(ActorNotAllowed):
        ask(task, actor)

    assert state(task) == before


@pytest.mark.parametrize("decide", ["approve", "reject"])
@pytest.mark.parametrize("who", ["owner", "co_owner", "leader", "viewer"])
def test_only_the_supervision_office_may_decide(task, owner, who, decide, request):
    extension = ask(task, owner)
    actor = request.getfixturevalue(who)
    before = state(task)

    call = extension_approve if decide == "approve" else extension_reject

    with pytest.raises(ActorNotAllowed):
        call(extension=extension, actor=actor, comment="意见")

    assert state(task) == before


@pytest.mark.parametrize("second", ["approve", "reject"])
@pytest.mark.parametrize("first", ["approve", "reject"])
def test_deciding_a_decided_request_is_refused(task, owner, supervisor, first, second):
    extension = ask(task, owner)
    decide = {"approve": extension_approve, "reject": extension_reject}
    decide[first](extension=extension, actor=supervisor, comment="第一次审批")
    before = state(task)

    with pytest.raises(TransitionNotAllowed):
        decide[second](extension=extension, actor=supervisor, comment="第二次审批")

    assert state(task) == before


@pytest.mark.parametrize("status", ["assigned", "in_progress"])
def test_a_task_in_hand_may_be_extended(status, department, owner, supervisor):
    task = TaskFactory(status=status, lead_department=department, deadline=DEADLINE)
    extension_approve(extension=ask(task, owner), actor=supervisor)
    task.refresh_from_db()
    assert task.deadline == LATER
    assert task.status == status


@pytest.mark.parametrize("status", ["draft", "submitted", "closed", "cancelled"])
def test_no_extension_outside_assigned_and_in_progress(status, department, owner):
    task = TaskFactory(status=status, lead_department=department, deadline=DEADLINE)
    before = state(task)

    with pytest.raises(TransitionNotAllowed):
        ask(task, owner)

    assert state(task) == before


def test_approving_an_extension_never_moves_the_deadline_earlier(task, owner, supervisor):
    """延期 extends. The owner asks 09-30 → 10-31; meanwhile the office edits the deadline
    to 11-30. Approving the stale request must not pull the deadline back to 10-31 (the app
    may refuse the edit or the approval; either way the deadline must not shrink)."""
    extension = ask(task, owner)  # 2024-09-30 -> 2024-10-31
    with contextlib.suppress(TransitionError, ValidationError):
        task_update(task=task, actor=supervisor, deadline=dt.date(2024, 11, 30))
    task.refresh_from_db()
    before_decision = task.deadline

    with contextlib.suppress(TransitionError, ValidationError):
        extension_approve(extension=extension, actor=supervisor)

    task.refresh_from_db()
    assert task.deadline >= before_decision
