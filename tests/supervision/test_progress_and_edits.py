"""Progress reports (进展反馈), edits, deletion and creation: every write logs one event.

DESIGN.md: "Every transition, progress report, extension decision and edit writes a
TaskEvent (actor, time, from/to, comment) in the same transaction."
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from accounts.choices import Role
from core import clock
from supervision.loop.services import (
    progress_report_create,
    task_create,
    task_delete,
    task_update,
)
from supervision.loop.transitions import ActorNotAllowed, TransitionNotAllowed
from supervision.models import ProgressReport, Task, TaskEvent
from tests.factories import DepartmentFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MOMENT = dt.datetime(2024, 7, 5, 16, 0, tzinfo=SHANGHAI)


@pytest.fixture
def co_department(db):
    return DepartmentFactory()


@pytest.fixture
def co_owner(co_department):
    return UserFactory(role=Role.OWNER, department=co_department)


@pytest.fixture
def make_task(department, co_department):
    def make(status="in_progress", **fields):
        return TaskFactory(
            status=status, lead_department=department, co_departments=[co_department], **fields
        )

    return make


def state(task):
    """What a write may touch, to prove a refused one touched nothing."""
    task.refresh_from_db()
    return {
        "fields": {f.attname: getattr(task, f.attname) for f in Task._meta.concrete_fields},
        "co_departments": sorted(task.co_departments.values_list("pk", flat=True)),
        "reports": list(ProgressReport.objects.filter(task=task).values_list("pk", flat=True)),
        "events": list(TaskEvent.objects.filter(task=task).values_list("pk", flat=True)),
    }


def report(task, actor, **fields):
    fields.setdefault("content", "完成主体结构施工")
    with clock.override(MOMENT):
        return progress_report_create(task=task, actor=actor, **fields)


def as_decimals(pair):
    return [None if value is None else Decimal(value) for value in pair]


# --- progress reports --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "co_owner"], ids=["lead-owner", "co-owner"])
def test_lead_and_co_department_owners_report_progress_on_a_task_in_hand(who, request, make_task):
    actor = request.getfixturevalue(who)
    task = make_task()

    saved = report(
        task,
        actor,
        content="  完成主体结构施工  ",
        problems="资金拨付滞后",
        coordination="请财政局协调",
        next_steps="开展装修",
        percent=60,
    )

    saved.refresh_from_db()
    assert saved.department == actor.department
    assert saved.author == actor
    assert saved.content == "完成主体结构施工"
    assert saved.percent == 60
    assert saved.created_at == MOMENT
    event = TaskEvent.objects.get(task=task)
    assert event.action == "progress"
    assert event.actor == actor
    assert event.comment == "完成主体结构施工"
    assert event.created_at == MOMENT
    assert event.data["report"] == saved.pk
    assert event.data["percent"] == 60
    task.refresh_from_db()
    assert task.status == "in_progress"  # reporting is not a status move


@pytest.mark.parametrize("who", ["other_owner", "viewer", "leader", "supervisor"])
def test_others_cannot_report_progress(who, request, make_task):
    task = make_task()
    before = state(task)

    with pytest.raises(ActorNotAllowed):
        report(task, request.getfixturevalue(who), percent=10)

    assert state(task) == before


def test_inactive_lead_owner_cannot_report_progress(department, make_task):
    former = UserFactory(role=Role.OWNER, department=department, is_active=False)
    task = make_task()
    before = state(task)

    with pytest.raises(ActorNotAllowed):
        report(task, former)

    assert state(task) == before


@pytest.mark.parametrize("status", ["draft", "assigned", "closed", "cancelled"])
def test_no_progress_report_on_a_task_not_in_hand(status, owner, make_task):
    task = make_task(status)
    before = state(task)

    with pytest.raises(TransitionNotAllowed):
        report(task, owner, percent=10)

    assert state(task) == before


@pytest.mark.parametrize("percent", [101, -1])
def test_percent_out_of_range_is_refused_and_nothing_written(percent, owner, make_task):
    task = make_task()
    before = state(task)

    with pytest.raises(ValidationError) as exc:
        report(task, owner, percent=percent, value=Decimal("5"))

    assert "percent" in exc.value.message_dict
    assert state(task) == before


@pytest.mark.parametrize("percent", [0, 100])
def test_percent_bounds_are_accepted(percent, owner, make_task):
    assert report(make_task(), owner, percent=percent).percent == percent


def test_report_without_content_is_refused_and_nothing_written(owner, make_task):
    task = make_task()
    before = state(task)

    with pytest.raises(ValidationError) as exc:
        report(task, owner, content="   ")

    assert "content" in exc.value.message_dict
    assert state(task) == before


def test_reported_value_updates_latest_value_and_the_event_keeps_old_and_new(
    owner, co_owner, make_task
):
    task = make_task(target_metric="新增就业", target_unit="人", target_value=Decimal("1000"))

    report(task, owner, value=Decimal("12.5"))
    task.refresh_from_db()
    assert task.latest_value == Decimal("12.5")

    report(task, co_owner, value=Decimal("20"))
    task.refresh_from_db()
    assert task.latest_value == Decimal("20")

    first, second = TaskEvent.objects.filter(task=task).order_by("pk")
    assert as_decimals(first.data["value"]) == [None, Decimal("12.5")]
    assert as_decimals(second.data["value"]) == [Decimal("12.5"), Decimal("20")]


def test_report_without_value_leaves_latest_value(owner, make_task):
    task = make_task(latest_value=Decimal("7"))

    report(task, owner, percent=30)

    task.refresh_from_db()
    assert task.latest_value == Decimal("7")
    assert "value" not in TaskEvent.objects.get(task=task).data


def test_every_report_writes_exactly_one_event(owner, co_owner, make_task):
    task = make_task()

    report(task, owner, percent=10)
    report(task, co_owner, value=Decimal("3"))
    report(task, owner, percent=40, value=Decimal("8"))

    assert ProgressReport.objects.filter(task=task).count() == 3
    assert (
        list(TaskEvent.objects.filter(task=task).values_list("action", flat=True))
        == ["progress"] * 3
    )


# --- edits -------------------------------------------------------------------------------


def test_supervisor_edit_logs_each_changed_field_before_and_after(
    supervisor, department, other_department, co_department, make_task
):
    task = make_task(
        title="旧标题", content="不变的内容", deadline=dt.date(2024, 12, 31), priority="normal"
    )
    new_co = DepartmentFactory()

    with clock.override(MOMENT):
        task_update(
            task=task,
            actor=supervisor,
            title="新标题",
            content="不变的内容",  # unchanged: not listed
            deadline=dt.date(2025, 3, 31),
            priority="urgent",
            target_value=Decimal("50"),
            lead_department=other_department,
            co_departments=[new_co],
        )

    task.refresh_from_db()
    assert task.title == "新标题"
    assert task.deadline == dt.date(2025, 3, 31)
    assert task.priority == "urgent"
    assert task.target_value == Decimal("50")
    assert task.lead_department == other_department
    assert list(task.co_departments.all()) == [new_co]
    event = TaskEvent.objects.get(task=task)
    assert event.action == "edit"
    assert event.actor == supervisor
    assert event.created_at == MOMENT
    assert event.data["changes"] == {
        "title": ["旧标题", "新标题"],
        "deadline": ["2024-12-31", "2025-03-31"],
        "priority": ["normal", "urgent"],
        "target_value": [None, "50"],
        "lead_department": [department.pk, other_department.pk],
        "co_departments": [[co_department.pk], [new_co.pk]],
    }


def test_edit_without_a_change_writes_no_event(supervisor, co_department, make_task):
    task = make_task(title="同一标题", deadline=dt.date(2024, 12, 31))
    before = state(task)

    task_update(
        task=task,
        actor=supervisor,
        title="同一标题",
        deadline=dt.date(2024, 12, 31),
        co_departments=[co_department],
    )

    assert state(task) == before


@pytest.mark.parametrize("status", ["closed", "cancelled"])
def test_edit_of_a_finished_task_is_refused(status, supervisor, make_task):
    task = make_task(status)
    before = state(task)

    with pytest.raises(TransitionNotAllowed):
        task_update(task=task, actor=supervisor, title="补改标题")

    assert state(task) == before


@pytest.mark.parametrize("who", ["owner", "leader", "viewer"])
def test_only_the_supervision_office_edits(who, request, make_task):
    task = make_task()
    before = state(task)

    with pytest.raises(ActorNotAllowed):
        task_update(task=task, actor=request.getfixturevalue(who), title="自改标题")

    assert state(task) == before


def test_edit_with_a_bad_value_is_refused_and_changes_nothing(supervisor, make_task):
    task = make_task(title="原标题")
    before = state(task)

    with pytest.raises(ValidationError) as exc:
        task_update(task=task, actor=supervisor, title="新标题", domain="no-such-card")

    assert "domain" in exc.value.message_dict
    assert state(task) == before


def test_supervisor_deletes_a_draft_with_its_log(supervisor, department):
    task = task_create(
        actor=supervisor,
        code="DB-DRAFT-1",
        title="草稿事项",
        source="other",
        domain="reform",
        lead_department=department,
        deadline=dt.date(2024, 12, 31),
    )

    task_delete(task=task, actor=supervisor)

    assert not Task.objects.filter(pk=task.pk).exists()
    assert not TaskEvent.objects.filter(task_id=task.pk).exists()


@pytest.mark.parametrize("status", ["assigned", "in_progress", "submitted", "closed", "cancelled"])
def test_only_drafts_can_be_deleted(status, supervisor, make_task):
    task = make_task(status)
    before = state(task)

    with pytest.raises(TransitionNotAllowed):
        task_delete(task=task, actor=supervisor)

    assert Task.objects.filter(pk=task.pk).exists()
    assert state(task) == before


def test_owner_cannot_delete_a_draft(owner, make_task):
    task = make_task("draft")

    with pytest.raises(ActorNotAllowed):
        task_delete(task=task, actor=owner)

    assert Task.objects.filter(pk=task.pk).exists()


# --- creation ----------------------------------------------------------------------------


def test_create_writes_one_create_event(supervisor, department, co_department):
    with clock.override(MOMENT):
        task = task_create(
            actor=supervisor,
            code="DB-2024-101",
            title="新建乌江航道整治",
            source="instruction",
            domain="ecology",
            lead_department=department,
            deadline=dt.date(2024, 11, 30),
            co_departments=[co_department],
            priority="high",
        )

    task.refresh_from_db()
    assert task.status == "draft"
    assert task.created_by == supervisor
    assert task.priority == "high"
    assert list(task.co_departments.all()) == [co_department]
    event = TaskEvent.objects.get(task=task)
    assert event.action == "create"
    assert event.actor == supervisor
    assert event.from_status == ""
    assert event.to_status == "draft"
    assert event.created_at == MOMENT


@pytest.mark.parametrize(
    ("field", "value"),
    [("domain", "no-such-card"), ("source", "rumour"), ("deadline", dt.date(2101, 1, 1))],
)
def test_create_with_a_bad_value_writes_nothing(field, value, supervisor, department):
    fields = {
        "code": "DB-BAD-1",
        "title": "坏数据",
        "source": "work_report",
        "domain": "economy",
        "lead_department": department,
        "deadline": dt.date(2024, 12, 31),
        field: value,
    }

    with pytest.raises(ValidationError) as exc:
        task_create(actor=supervisor, **fields)

    assert field in exc.value.message_dict
    assert not Task.objects.exists()
    assert not TaskEvent.objects.exists()


def test_owner_cannot_create_a_task(owner, department):
    with pytest.raises(ActorNotAllowed):
        task_create(
            actor=owner,
            code="DB-OWN-1",
            title="自建事项",
            source="other",
            domain="economy",
            lead_department=department,
            deadline=dt.date(2024, 12, 31),
        )
    assert not Task.objects.exists()
    assert not TaskEvent.objects.exists()
