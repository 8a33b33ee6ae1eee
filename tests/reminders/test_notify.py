"""Every step of the loop notified (``supervision.reminders.notify``) and manual 催办.

Each step tells the people who must act next, in-app at once, by e-mail as each person (or
else their unit) prefers; one notification per (event, recipient); the actor is never told
of their own step; a muted step is not delivered. 催办 by hand goes through the reminder
outbox (``kind=manual``) with its ``task.urged`` webhook.
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.choices import EmailMode, Role
from core.errors import DomainError, NotPermitted
from supervision.choices import EmailPreference
from supervision.loop import services, transitions
from supervision.loop.selectors import task_list
from supervision.models import Notification, Reminder, TaskEvent
from supervision.reminders.delivery import deliver_pending, send_daily_digest, send_immediate_emails
from supervision.reminders.notify import Audience, notify
from supervision.reminders.services import (
    department_urge_overdue,
    notification_preference_save,
    overdue_by_unit,
    task_urge,
    urgeable_overdue,
)
from supervision.webhooks import services as webhooks
from supervision.webhooks.models import WebhookDelivery
from tests.factories import DepartmentFactory, NodeFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 6, 28)  # a Friday, a working day


@pytest.fixture(autouse=True)
def _today(settings):
    settings.SUPERVISION_TODAY = TODAY


@pytest.fixture
def people(supervision_office):
    lead = DepartmentFactory(email_mode=EmailMode.IMMEDIATE)
    co = DepartmentFactory(email_mode=EmailMode.DIGEST)
    return {
        "lead": lead,
        "co": co,
        "owner": UserFactory(role=Role.OWNER, department=lead, email="lead@wulong.gov.cn"),
        "owner2": UserFactory(role=Role.OWNER, department=lead),
        "co_owner": UserFactory(role=Role.OWNER, department=co, email="co@wulong.gov.cn"),
        "other": UserFactory(role=Role.OWNER, department=DepartmentFactory()),
        "supervisor": UserFactory(
            role=Role.SUPERVISOR, department=supervision_office, email="dcb@wulong.gov.cn"
        ),
        "supervisor2": UserFactory(role=Role.SUPERVISOR, department=supervision_office),
        "leader": UserFactory(role=Role.LEADER, email="leader@wulong.gov.cn"),
        "viewer": UserFactory(role=Role.VIEWER),
    }


@pytest.fixture
def task(people):
    return services.task_create(
        actor=people["supervisor"],
        code="NT-001",
        title="新增市场主体5000家",
        source="work_report",
        domain="economy",
        lead_department=people["lead"],
        deadline=dt.date(2024, 7, 31),
        co_departments=[people["co"]],
        responsible_leader=people["leader"],
    )


def told(event_action: str) -> set:
    """Who got a notification of the (latest) step ``event_action``."""
    event = TaskEvent.objects.filter(action=event_action).latest("pk")
    return set(
        Notification.objects.filter(event=event).values_list("recipient__username", flat=True)
    )


def names(people, *keys):
    return {people[key].username for key in keys}


def test_each_step_tells_who_must_act_next(people, task):
    p = people
    assert not Notification.objects.exists()  # a draft tells nobody

    transitions.task_assign(task=task, actor=p["supervisor"], comment="请于7月底前完成")
    assert told("assign") == names(p, "owner", "owner2", "co_owner")

    transitions.task_accept(task=task, actor=p["owner"])
    assert told("accept") == names(p, "supervisor", "supervisor2")

    services.progress_report_create(task=task, actor=p["co_owner"], content="配合完成选址")
    assert told("progress") == names(p, "supervisor", "supervisor2", "owner", "owner2")

    extension = services.extension_request_create(
        task=task, actor=p["owner"], requested_deadline=dt.date(2024, 8, 31), reason="汛期停工"
    )
    assert told("extension_request") == names(p, "supervisor", "supervisor2")
    services.extension_approve(extension=extension, actor=p["supervisor"], comment="同意")
    assert told("extension_approve") == names(p, "owner", "owner2")
    approved = Notification.objects.filter(event__action="extension_approve").first()
    assert approved.title == "【已批准延期】NT-001 新增市场主体5000家"
    assert "已批准延期至 2024-08-31（原时限 2024-07-31）" in approved.body

    again = services.extension_request_create(
        task=task, actor=p["owner"], requested_deadline=dt.date(2024, 9, 30), reason="再延"
    )
    services.extension_reject(extension=again, actor=p["supervisor"], comment="理由不充分")
    assert told("extension_reject") == names(p, "owner", "owner2")
    rejected = Notification.objects.filter(event__action="extension_reject").first()
    assert "驳回，理由：理由不充分" in rejected.body
    assert "办理时限仍为 2024-08-31" in rejected.body

    transitions.task_submit(task=task, actor=p["owner"], summary="已完成")
    assert told("submit") == names(p, "supervisor", "supervisor2")
    transitions.task_verify(task=task, actor=p["supervisor"], approved=False, comment="佐证不足")
    assert told("return") == names(p, "owner", "owner2")
    returned = Notification.objects.filter(event__action="return").first()
    assert returned.title.startswith("【已退回】")
    assert "已退回，理由：佐证不足" in returned.body

    transitions.task_submit(task=task, actor=p["owner"], summary="补充了佐证")
    transitions.task_verify(task=task, actor=p["supervisor"], approved=True)
    assert told("close") == names(p, "owner", "owner2", "co_owner", "leader")
    assert Notification.objects.filter(event__action="close").first().title.startswith("【已销号】")

    # Nobody unrelated heard anything; links lead to the task.
    assert not Notification.objects.filter(recipient__in=[p["other"], p["viewer"]]).exists()
    assert set(Notification.objects.values_list("link", flat=True)) == {f"/api/v1/tasks/{task.pk}/"}


def test_cancel_tells_the_units_and_the_leader_and_publishes_a_webhook(people, task):
    endpoint, _ = webhooks.endpoint_create(name="OA", url="https://93.184.216.34/hook")
    transitions.task_assign(task=task, actor=people["supervisor"])
    transitions.task_cancel(task=task, actor=people["supervisor"], reason="任务调整")
    assert told("cancel") == names(people, "owner", "owner2", "co_owner", "leader")
    body = Notification.objects.get(event__action="cancel", recipient=people["owner"]).body
    assert "已撤销，理由：任务调整" in body
    types = set(
        WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event_type", flat=True)
    )
    assert types == {"task.assigned", "task.cancelled"}


def test_the_actor_is_not_told_and_one_per_event_and_recipient(people, task):
    transitions.task_assign(task=task, actor=people["supervisor"])
    transitions.task_accept(task=task, actor=people["owner"])
    event = TaskEvent.objects.get(action="accept")
    # The office member who acts hears nothing of it; the other one does.
    assert told("accept") == names(people, "supervisor", "supervisor2")
    # Notifying the same event again writes nothing twice (the unique key).
    notify(event=event)
    assert Notification.objects.filter(event=event).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=people["supervisor"], event=event, title="x", created_at=event.created_at
        )


def test_a_service_may_name_its_recipients(people, task):
    task = transitions.task_assign(task=task, actor=people["supervisor"])
    event = transitions.record_event(
        task=task,
        actor=people["supervisor"],
        action="edit",
        comment="批示：加快推进",
        notify=[Audience.LEADER, people["viewer"]],
    )
    assert set(Notification.objects.filter(event=event).values_list("recipient", flat=True)) == {
        people["leader"].pk,
        people["viewer"].pk,
    }
    silent = transitions.record_event(
        task=task, actor=people["supervisor"], action="edit", notify=[]
    )
    assert not Notification.objects.filter(event=silent).exists()


def test_email_immediate_digest_and_muted_by_preference(people, task):
    mail.outbox.clear()
    # The co-operating unit's owner would get a digest (their unit's setting) but wants
    # mail at once; the lead's owner wants no mail at all, and does not want 交办 messages.
    notification_preference_save(
        actor=people["co_owner"], email_mode=EmailPreference.IMMEDIATE, muted=[]
    )
    notification_preference_save(
        actor=people["owner"], email_mode=EmailPreference.NONE, muted=["return"]
    )
    transitions.task_assign(task=task, actor=people["supervisor"])
    assert send_immediate_emails() == 1
    assert [m.to for m in mail.outbox] == [["co@wulong.gov.cn"]]
    assert "新增市场主体5000家" in mail.outbox[0].body

    transitions.task_accept(task=task, actor=people["owner"])
    transitions.task_submit(task=task, actor=people["owner"], summary="已完成")
    transitions.task_verify(task=task, actor=people["supervisor"], approved=False, comment="补充")
    assert told("return") == names(people, "owner2")  # owner muted 退回
    mail.outbox.clear()
    assert send_immediate_emails() == 2  # the office, about 签收 and 申请办结
    assert {m.to[0] for m in mail.outbox} == {"dcb@wulong.gov.cn"}

    # The digest takes what digest people have not had yet (here: nobody left).
    notification_preference_save(actor=people["leader"], email_mode="digest", muted=[])
    transitions.task_submit(task=task, actor=people["owner"], summary="补充了")
    transitions.task_verify(task=task, actor=people["supervisor"], approved=True)
    mail.outbox.clear()
    assert send_daily_digest() == 1
    assert mail.outbox[0].to == ["leader@wulong.gov.cn"]


def test_preferences_refuse_unknown_steps(people):
    with pytest.raises(ValidationError):
        notification_preference_save(actor=people["owner"], email_mode="unit", muted=["nope"])
    with pytest.raises(ValidationError):
        notification_preference_save(actor=people["owner"], email_mode="weekly", muted=[])


# --- 催办 by hand ------------------------------------------------------------------------


def test_office_urges_a_task_through_the_outbox(people, task):
    endpoint, _ = webhooks.endpoint_create(name="OA", url="https://93.184.216.34/hook")
    transitions.task_assign(task=task, actor=people["supervisor"])
    reminder = task_urge(task=task, actor=people["supervisor"], message="请本周内报送进展。")
    assert (reminder.kind, reminder.level, reminder.department) == (
        "manual",
        "overdue",
        people["lead"],
    )
    assert WebhookDelivery.objects.filter(endpoint=endpoint, event_type="task.urged").count() == 1

    assert deliver_pending() == 1
    urged = Notification.objects.filter(reminder=reminder)
    assert {n.recipient for n in urged} == {people["owner"], people["owner2"]}
    first = urged.first()
    assert first.title == "【催办】NT-001 新增市场主体5000家"
    assert "请本周内报送进展。" in first.body
    assert "请确认收到催办" in first.body

    # Once a day per task; the office only; open work only.
    with pytest.raises(DomainError, match="今天 .* 已催办"):
        task_urge(task=task, actor=people["supervisor"], message="再催")
    with pytest.raises(NotPermitted):
        task_urge(task=task, actor=people["owner"], message="")
    transitions.task_cancel(task=task, actor=people["supervisor"], reason="调整")
    with pytest.raises(DomainError, match="不能催办"):
        task_urge(task=task, actor=people["supervisor"])
    assert Reminder.objects.filter(kind="manual").count() == 1


def test_urge_all_overdue_of_a_unit(people, make_overdue):
    late = [make_overdue(dt.date(2024, 6, d)) for d in (3, 10, 20)]
    make_overdue(dt.date(2024, 7, 31))  # not overdue
    make_overdue(dt.date(2024, 6, 3), lead_department=DepartmentFactory())  # another unit
    task_urge(task=late[0], actor=people["supervisor"], message="先催一件")

    count = department_urge_overdue(
        department=people["lead"], actor=people["supervisor"], message="全部逾期事项请说明"
    )
    assert count == 2  # the third was urged today already
    urged = Reminder.objects.filter(kind="manual", message="全部逾期事项请说明")
    assert {r.task_id for r in urged} == {late[1].pk, late[2].pk}
    assert department_urge_overdue(department=people["lead"], actor=people["supervisor"]) == 0
    with pytest.raises(NotPermitted):
        department_urge_overdue(department=people["lead"], actor=people["owner"])


def test_urge_all_overdue_includes_a_task_whose_node_is_overdue(people, make_overdue):
    """Issue 13 item 3's rule: a task is overdue when its deadline or an approved node not
    done is a working day past, so 催办全部逾期 takes it although its deadline is ahead."""
    node_late = make_overdue(dt.date(2024, 12, 31))
    NodeFactory(task=node_late, due_date=dt.date(2024, 6, 3))
    proposed = make_overdue(dt.date(2024, 12, 31))
    NodeFactory(task=proposed, due_date=dt.date(2024, 6, 3), status="proposed")
    done = make_overdue(dt.date(2024, 12, 31))
    NodeFactory(
        task=done, due_date=dt.date(2024, 6, 3), status="done", completed_on=dt.date(2024, 6, 5)
    )
    ahead = make_overdue(dt.date(2024, 12, 31))
    NodeFactory(task=ahead, due_date=dt.date(2024, 6, 28))  # due today: yellow, not overdue
    late = make_overdue(dt.date(2024, 6, 20))

    expected = {node_late.pk, late.pk}
    overdue = task_list(today=TODAY).filter(lead_department=people["lead"], is_overdue=True)
    assert {t.pk for t in overdue} == expected  # the same rule as the light
    assert {t.pk for t in urgeable_overdue(TODAY)} == expected
    assert [(row["id"], row["count"]) for row in overdue_by_unit(TODAY)] == [(people["lead"].pk, 2)]
    count = department_urge_overdue(department=people["lead"], actor=people["supervisor"])
    assert count == 2
    assert set(Reminder.objects.filter(kind="manual").values_list("task", flat=True)) == expected


@pytest.fixture
def make_overdue(people):
    counter = iter(range(100, 999))

    def make(deadline, lead_department=None):
        task = services.task_create(
            actor=people["supervisor"],
            code=f"OD-{next(counter)}",
            title="逾期事项",
            source="work_report",
            domain="economy",
            lead_department=lead_department or people["lead"],
            deadline=deadline,
        )
        return transitions.task_assign(task=task, actor=people["supervisor"])

    return make
