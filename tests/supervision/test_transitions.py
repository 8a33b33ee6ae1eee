"""The closed loop's transition table (DESIGN.md, "Tasks and the closed loop").

The expected outcomes are written out here from DESIGN.md, independently of
``supervision.transitions.RULES``:

    draft ──assign(supervisor)──▶ assigned ──accept(owner)──▶ in_progress
    in_progress ──submit(owner)──▶ submitted ──verify ok(supervisor)──▶ closed (销号)
    submitted ──verify returned(supervisor, reason)──▶ in_progress
    any open state ──cancel(supervisor, reason)──▶ cancelled

"owner" means an owner of the task's LEAD department. Anything else is refused and changes
nothing: ``ActorNotAllowed`` when the role/department is wrong, ``TransitionNotAllowed``
when the role is right but the status is not.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from accounts.choices import Role
from core import clock
from supervision.loop.services import task_create
from supervision.loop.transitions import (
    ActorNotAllowed,
    TransitionError,
    TransitionNotAllowed,
    allowed_actions,
    task_accept,
    task_assign,
    task_cancel,
    task_submit,
    task_verify,
)
from supervision.models import Task, TaskEvent
from tests.factories import DepartmentFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOMENT = dt.datetime(2024, 6, 28, 10, 30, tzinfo=SHANGHAI)

STATUSES = ["draft", "assigned", "in_progress", "submitted", "closed", "cancelled"]
OPEN = ["draft", "assigned", "in_progress", "submitted"]
ACTIONS = ["assign", "accept", "submit", "approve", "return", "cancel"]
ROLES = [
    "supervisor",
    "leader",
    "lead_owner",
    "co_owner",
    "other_owner",
    "viewer",
    "inactive_supervisor",
]

# The one role DESIGN.md lets make each move.
RIGHT_ROLE = {
    "assign": "supervisor",
    "accept": "lead_owner",
    "submit": "lead_owner",
    "approve": "supervisor",
    "return": "supervisor",
    "cancel": "supervisor",
}

# (from status, action) -> (to status, timestamp it stamps, TaskEvent.action written)
MOVES = {
    ("draft", "assign"): ("assigned", "assigned_at", "assign"),
    ("assigned", "accept"): ("in_progress", "accepted_at", "accept"),
    ("in_progress", "submit"): ("submitted", "submitted_at", "submit"),
    ("submitted", "approve"): ("closed", "closed_at", "close"),
    ("submitted", "return"): ("in_progress", None, "return"),
    **{(status, "cancel"): ("cancelled", None, "cancel") for status in OPEN},
}

# Every call carries its reason/summary/comment, so the table tests only status × role.
TEXT = {
    "assign": "请按时办理",
    "accept": "已签收",
    "submit": "已完成全部建设内容",
    "approve": "核验通过",
    "return": "佐证材料不全",
    "cancel": "上级调整任务",
}
CALLS = {
    "assign": lambda task, actor: task_assign(task=task, actor=actor, comment=TEXT["assign"]),
    "accept": lambda task, actor: task_accept(task=task, actor=actor, comment=TEXT["accept"]),
    "submit": lambda task, actor: task_submit(task=task, actor=actor, summary=TEXT["submit"]),
    "approve": lambda task, actor: task_verify(
        task=task, actor=actor, approved=True, comment=TEXT["approve"]
    ),
    "return": lambda task, actor: task_verify(
        task=task, actor=actor, approved=False, comment=TEXT["return"]
    ),
    "cancel": lambda task, actor: task_cancel(task=task, actor=actor, reason=TEXT["cancel"]),
}
STAMPS = ("assigned_at", "accepted_at", "submitted_at", "closed_at")


def expected_error(status, action, role):
    if role != RIGHT_ROLE[action]:
        return ActorNotAllowed
    if (status, action) not in MOVES:
        return TransitionNotAllowed
    return None


ALL_CASES = [(s, a, r) for s in STATUSES for a in ACTIONS for r in ROLES]
ALLOWED = [case for case in ALL_CASES if expected_error(*case) is None]
REFUSED = [(*case, expected_error(*case)) for case in ALL_CASES if expected_error(*case)]


def case_id(case):
    return "-".join(str(getattr(part, "__name__", part)) for part in case)


@pytest.fixture
def co_department(db):
    return DepartmentFactory()


@pytest.fixture
def actors(supervisor, leader, owner, other_owner, viewer, co_department, supervision_office):
    return {
        "supervisor": supervisor,
        "leader": leader,
        "lead_owner": owner,
        "co_owner": UserFactory(role=Role.OWNER, department=co_department),
        "other_owner": other_owner,
        "viewer": viewer,
        "inactive_supervisor": UserFactory(
            role=Role.SUPERVISOR, department=supervision_office, is_active=False
        ),
    }


@pytest.fixture
def make_task(department, co_department):
    def make(status):
        return TaskFactory(
            status=status, lead_department=department, co_departments=[co_department]
        )

    return make


def snapshot(task):
    task.refresh_from_db()
    return {name: getattr(task, name) for name in ("status", "updated_at", *STAMPS)}


def test_the_table_has_nine_allowed_moves_out_of_252():
    assert len(ALL_CASES) == 6 * 6 * 7
    assert len(ALLOWED) == 9
    assert len(REFUSED) == 252 - 9


@pytest.mark.parametrize(("status", "action", "role"), ALLOWED, ids=map(case_id, ALLOWED))
def test_allowed_move_changes_status_stamps_its_time_and_writes_one_event(
    status, action, role, actors, make_task
):
    task = make_task(status)
    before = snapshot(task)
    actor = actors[role]
    to_status, stamp, event_action = MOVES[(status, action)]

    with clock.override(MOMENT):
        returned = CALLS[action](task, actor)

    after = snapshot(task)
    assert returned.status == to_status
    assert after["status"] == to_status
    assert after["updated_at"] > before["updated_at"]
    for name in STAMPS:
        if name == stamp:
            assert after[name] == MOMENT
        else:
            assert after[name] == before[name], name
    event = TaskEvent.objects.get(task=task)
    assert event.action == event_action
    assert event.from_status == status
    assert event.to_status == to_status
    assert event.actor == actor
    assert event.comment == TEXT[action]
    assert event.created_at == MOMENT


@pytest.mark.parametrize(("status", "action", "role", "error"), REFUSED, ids=map(case_id, REFUSED))
def test_refused_move_raises_and_changes_nothing(status, action, role, error, actors, make_task):
    task = make_task(status)
    before = snapshot(task)

    with clock.override(MOMENT), pytest.raises(error) as exc:
        CALLS[action](task, actors[role])

    assert isinstance(exc.value, TransitionError)
    assert exc.value.message
    assert snapshot(task) == before
    assert not TaskEvent.objects.filter(task=task).exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", STATUSES)
def test_allowed_actions_offers_exactly_the_moves_of_the_table(status, role, actors, make_task):
    task = make_task(status)
    expected = {
        MOVES[(status, action)][2]
        for action in ACTIONS
        if expected_error(status, action, role) is None
    }
    assert set(allowed_actions(task, actors[role])) == expected


def test_owner_cannot_verify_own_task(owner, make_task):
    task = make_task("submitted")
    with pytest.raises(ActorNotAllowed):
        task_verify(task=task, actor=owner, approved=True, comment="自己核验")
    task.refresh_from_db()
    assert task.status == "submitted"
    assert task.closed_at is None


def test_co_department_owner_cannot_accept_for_the_lead_department(actors, make_task):
    task = make_task("assigned")
    with pytest.raises(ActorNotAllowed):
        task_accept(task=task, actor=actors["co_owner"])
    task.refresh_from_db()
    assert task.status == "assigned"


def test_transitions_accept_a_task_id(supervisor, make_task):
    task = make_task("draft")
    task_assign(task=task.pk, actor=supervisor)
    task.refresh_from_db()
    assert task.status == "assigned"


def test_a_task_walks_the_whole_loop_and_the_log_tells_its_story(supervisor, owner, department):
    with clock.override(MOMENT):
        task = task_create(
            actor=supervisor,
            code="DB-2024-001",
            title="推进白马山隧道建设",
            source="work_report",
            domain="economy",
            lead_department=department,
            deadline=dt.date(2024, 12, 31),
        )
        task_assign(task=task, actor=supervisor)
        task_accept(task=task, actor=owner)
        task_submit(task=task, actor=owner, summary="已完成")
        task_verify(task=task, actor=supervisor, approved=False, comment="缺少验收材料")
        task_submit(task=task, actor=owner, summary="已补充验收材料")
        task_verify(task=task, actor=supervisor, approved=True)

    task.refresh_from_db()
    assert task.status == "closed"
    log = list(
        Task.objects.get(pk=task.pk)
        .events.order_by("id")
        .values_list("action", "from_status", "to_status")
    )
    assert log == [
        ("create", "", "draft"),
        ("assign", "draft", "assigned"),
        ("accept", "assigned", "in_progress"),
        ("submit", "in_progress", "submitted"),
        ("return", "submitted", "in_progress"),
        ("submit", "in_progress", "submitted"),
        ("close", "submitted", "closed"),
    ]


# --- mandatory reasons -------------------------------------------------------------------

BLANKS = ["", "   ", "\n\t "]
NEEDS_TEXT = {
    # name: (status, call with the text, field of the ValidationError)
    "return": (
        "submitted",
        lambda task, actor, text: task_verify(task=task, actor=actor, approved=False, comment=text),
        "comment",
    ),
    "cancel": (
        "in_progress",
        lambda task, actor, text: task_cancel(task=task, actor=actor, reason=text),
        "reason",
    ),
    "submit": (
        "in_progress",
        lambda task, actor, text: task_submit(task=task, actor=actor, summary=text),
        "summary",
    ),
}


@pytest.mark.parametrize("blank", BLANKS, ids=["empty", "spaces", "whitespace"])
@pytest.mark.parametrize("move", list(NEEDS_TEXT))
def test_move_without_its_reason_is_refused_and_changes_nothing(
    move, blank, supervisor, owner, make_task
):
    status, call, field = NEEDS_TEXT[move]
    actor = owner if move == "submit" else supervisor
    task = make_task(status)
    before = snapshot(task)

    with pytest.raises(ValidationError) as exc:
        call(task, actor, blank)

    assert field in exc.value.message_dict
    assert snapshot(task) == before
    assert not TaskEvent.objects.filter(task=task).exists()


@pytest.mark.parametrize("status", OPEN)
def test_cancel_needs_a_reason_from_every_open_state(status, supervisor, make_task):
    task = make_task(status)
    with pytest.raises(ValidationError) as exc:
        task_cancel(task=task, actor=supervisor, reason="  ")
    assert "reason" in exc.value.message_dict
    task.refresh_from_db()
    assert task.status == status


def test_reason_is_stored_stripped(supervisor, make_task):
    task = make_task("submitted")
    task_verify(task=task, actor=supervisor, approved=False, comment="  缺少照片  \n")
    assert TaskEvent.objects.get(task=task).comment == "缺少照片"
