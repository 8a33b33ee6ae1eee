"""Delivering the outbox: one notification per recipient, e-mail (immediate and daily digest),
the weekly 通报 list and the webhook outbox rows (DESIGN.md, "Reminders: the escalation ladder").

Who is told, by rung: the lead department's owners always; the supervision office from 催办
(overdue) up; the responsible leader from 督办 (escalated) up.
"""

import pytest
from django.db.models import Count

from accounts.choices import EmailMode, Role
from core import clock
from supervision.models import Notification, Reminder
from supervision.reminders.delivery import (
    compile_weekly_notice,
    deliver_pending,
    send_daily_digest,
    send_immediate_emails,
)
from supervision.webhooks import services as webhooks
from supervision.webhooks.models import WebhookDelivery
from tests.factories import (
    DepartmentFactory,
    MilestoneFactory,
    ProjectFactory,
    TaskFactory,
    UserFactory,
)
from tests.reminders.support import at, day, scan

pytestmark = pytest.mark.django_db

# On Mon 09-30 (worked by hand in test_ladder.py):
RUNG_DEADLINES = {
    "warning": day(10, 8),  # remaining = 10-08 = 1
    "due": day(9, 30),
    "overdue": day(9, 29),  # overdue = 09-30 = 1
    "escalated": day(9, 26),  # overdue = 09-27, 09-29, 09-30 = 3
    "notice": day(9, 20),  # overdue = 7
}
NOW = at(day(9, 30), 10)


@pytest.fixture
def people(supervision_office):
    department = DepartmentFactory(email_mode=EmailMode.IMMEDIATE)
    return {
        "department": department,
        "owners": [
            UserFactory(role=Role.OWNER, department=department, email=f"owner{i}@wulong.gov.cn")
            for i in range(2)
        ],
        "inactive_owner": UserFactory(
            role=Role.OWNER, department=department, is_active=False, email="gone@wulong.gov.cn"
        ),
        "viewer": UserFactory(role=Role.VIEWER, department=department, email="v@wulong.gov.cn"),
        "other_owner": UserFactory(role=Role.OWNER, department=DepartmentFactory()),
        "supervisor": UserFactory(
            role=Role.SUPERVISOR, department=supervision_office, email="dcb@wulong.gov.cn"
        ),
        "inactive_supervisor": UserFactory(
            role=Role.SUPERVISOR, department=supervision_office, is_active=False
        ),
        "leader": UserFactory(role=Role.LEADER, email="leader@wulong.gov.cn"),
        "project_leader": UserFactory(role=Role.LEADER),
    }


def ids(*users):
    return sorted(user.pk for user in users)


def test_one_notification_per_recipient_by_rung(people):
    owners, supervisor, leader = people["owners"], people["supervisor"], people["leader"]
    tasks = {
        level: TaskFactory(
            status="in_progress",
            deadline=deadline,
            lead_department=people["department"],
            responsible_leader=leader,
        )
        for level, deadline in RUNG_DEADLINES.items()
    }
    project = ProjectFactory(
        lead_department=people["department"], responsible_leader=people["project_leader"]
    )
    milestone = MilestoneFactory(project=project, due_date=RUNG_DEADLINES["escalated"])
    scan(day(9, 30))

    assert deliver_pending(now=NOW) == 6

    expected = {
        "warning": ids(*owners),
        "due": ids(*owners),
        "overdue": ids(*owners, supervisor),
        "escalated": ids(*owners, supervisor, leader),
        "notice": ids(*owners, supervisor, leader),
    }
    for level, task in tasks.items():
        reminder = task.reminders.get()
        assert reminder.level == level
        assert reminder.sent_at == NOW
        assert reminder.recipients == expected[level], level
        assert ids(*[n.recipient for n in reminder.notifications.all()]) == expected[level]
    milestone_reminder = milestone.reminders.get()
    assert milestone_reminder.recipients == ids(*owners, supervisor, people["project_leader"])

    notification = tasks["escalated"].reminders.get().notifications.get(recipient=leader)
    task = tasks["escalated"]
    assert notification.title == f"【督办】{task.code} {task.title}"
    assert "办理时限 2024-09-26" in notification.body
    assert notification.link == f"/api/v1/tasks/{task.pk}/"
    assert notification.created_at == NOW
    assert notification.read_at is None
    assert not Notification.objects.filter(
        recipient__in=[
            people["inactive_owner"],
            people["viewer"],
            people["other_owner"],
            people["inactive_supervisor"],
        ]
    ).exists()


def test_delivering_twice_adds_nothing(people):
    for deadline in RUNG_DEADLINES.values():
        TaskFactory(status="in_progress", deadline=deadline, lead_department=people["department"])
    scan(day(9, 30))
    assert deliver_pending(now=NOW) == 5
    before = Notification.objects.count()

    assert deliver_pending(now=NOW) == 0
    assert deliver_pending(now=at(day(10, 8))) == 0

    assert Notification.objects.count() == before == 2 + 2 + 3 + 3 + 3
    assert not (
        Notification.objects.values("reminder", "recipient")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


def test_delivery_works_in_batches_and_a_new_scan_is_delivered_by_the_next_run(people):
    for _ in range(7):
        TaskFactory(status="in_progress", deadline=day(9, 29), lead_department=people["department"])
    scan(day(9, 30))
    assert deliver_pending(now=NOW, batch_size=3) == 7
    assert Notification.objects.count() == 7 * 3

    late = TaskFactory(
        status="in_progress", deadline=day(9, 30), lead_department=people["department"]
    )
    scan(day(9, 30), hour=15)
    assert deliver_pending(now=at(day(9, 30), 15), batch_size=3) == 1
    assert late.reminders.get().sent_at == at(day(9, 30), 15)


def test_each_delivered_reminder_writes_a_webhook_outbox_row(people):
    with clock.override(NOW):
        endpoint, _ = webhooks.endpoint_create(
            name="大数据局", url="https://93.184.216.34/hook", event_types=["reminder.created"]
        )
        other, _ = webhooks.endpoint_create(
            name="只收办结", url="https://93.184.216.34/closed", event_types=["task.closed"]
        )
    task = TaskFactory(
        status="in_progress", deadline=day(9, 29), lead_department=people["department"]
    )
    scan(day(9, 30))

    with clock.override(NOW):
        deliver_pending(now=NOW)

    reminder = task.reminders.get()
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == endpoint
    assert delivery.event_type == "reminder.created"
    assert delivery.status == "pending"
    assert delivery.message_id.startswith("msg_")
    assert delivery.payload["type"] == "reminder.created"
    assert delivery.payload["data"] == {
        "id": reminder.pk,
        "kind": "deadline",
        "level": "overdue",
        "task": task.pk,
        "milestone": None,
        "node": None,
        "department": people["department"].pk,
        "deadline": "2024-09-29",
        "recipients": reminder.recipients,
    }
    assert not other.deliveries.exists()


# --- e-mail -------------------------------------------------------------------------------------


def test_an_immediate_mode_department_gets_one_mail_per_notification(people, mailoutbox):
    owners = people["owners"]
    task = TaskFactory(
        status="in_progress", deadline=day(9, 29), lead_department=people["department"]
    )
    TaskFactory(status="in_progress", deadline=day(9, 30), lead_department=people["department"])
    scan(day(9, 30))
    deliver_pending(now=NOW)
    # 催办: two owners + the supervisor; 到期: two owners.
    assert Notification.objects.count() == 5

    with clock.override(NOW):
        assert send_immediate_emails() == 5

    assert len(mailoutbox) == 5
    assert sorted(address for mail in mailoutbox for address in mail.to) == sorted(
        [*(o.email for o in owners), *(o.email for o in owners), people["supervisor"].email]
    )
    mail = next(m for m in mailoutbox if m.to == [owners[0].email] and "催办" in m.subject)
    assert mail.subject == f"[武隆督办] 【催办】{task.code} {task.title}"
    assert "办理时限 2024-09-29" in mail.body
    assert "请登录武隆督办系统签收并办理" in mail.body
    ((html, mimetype),) = mail.alternatives
    assert mimetype == "text/html"
    assert f"<strong>【催办】{task.code} {task.title}</strong>" in html
    assert f"/api/v1/tasks/{task.pk}/" in html
    assert set(Notification.objects.values_list("emailed_at", flat=True)) == {NOW}

    # Nothing is mailed twice.
    assert send_immediate_emails() == 0
    assert len(mailoutbox) == 5


def test_a_digest_mode_department_gets_one_mail_per_person_on_working_days(people, mailoutbox):
    digest = DepartmentFactory(email_mode=EmailMode.DIGEST)
    readers = [
        UserFactory(role=Role.OWNER, department=digest, email=f"digest{i}@wulong.gov.cn")
        for i in range(2)
    ]
    for deadline in [day(10, 8), day(9, 30), day(10, 10)]:  # 预警, 到期, 预警: owners only
        TaskFactory(status="in_progress", deadline=deadline, lead_department=digest)
    scan(day(9, 30))
    deliver_pending(now=NOW)
    assert Notification.objects.filter(recipient__in=readers).count() == 6

    with clock.override(NOW):
        assert send_immediate_emails() == 0  # digest people are not mailed one by one
    assert mailoutbox == []

    # Sat 10-05 is a holiday: no digest.
    assert send_daily_digest(now=at(day(10, 5), 9)) == 0
    assert mailoutbox == []

    # Tue 10-08 09:00, a working day: one mail per person with everything not yet mailed.
    assert send_daily_digest(now=at(day(10, 8), 9)) == 2
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(r.email for r in readers)
    for mail in mailoutbox:
        assert mail.subject == "[武隆督办] 今日督办提醒汇总（3 条）"
        assert mail.body.count("【预警】") == 2
        assert mail.body.count("【到期】") == 1
        assert mail.alternatives[0][1] == "text/html"
    assert send_daily_digest(now=at(day(10, 9), 9)) == 0
    assert len(mailoutbox) == 2


def test_the_digest_also_runs_on_a_make_up_working_saturday(mailoutbox):
    digest = DepartmentFactory(email_mode=EmailMode.DIGEST)
    UserFactory(role=Role.OWNER, department=digest, email="d@wulong.gov.cn")
    TaskFactory(status="in_progress", deadline=day(10, 14), lead_department=digest)
    scan(day(10, 11))  # remaining = 10-12 (make-up Sat), 10-14 = 2: 预警
    deliver_pending(now=at(day(10, 11)))

    assert send_daily_digest(now=at(day(10, 12), 9)) == 1  # Sat 10-12 is a working day
    assert len(mailoutbox) == 1


# --- the weekly 通报 list --------------------------------------------------------------------------


def test_the_weekly_notice_lists_this_weeks_notice_rung_once_per_person(people):
    leader = people["leader"]
    task = TaskFactory(
        status="in_progress",
        deadline=day(9, 30),
        lead_department=people["department"],
        responsible_leader=leader,
    )
    TaskFactory(status="in_progress", deadline=day(10, 9), lead_department=people["department"])
    scan(day(10, 12))  # task: overdue 10-08 .. 10-12 = 5 → 通报; the other: overdue 3 → 督办
    assert task.reminders.get().level == "notice"

    monday = at(day(10, 14), 9)
    with clock.override(monday):
        assert compile_weekly_notice(now=monday) == 1
        assert compile_weekly_notice(now=monday) == 1  # idempotent per week

    notices = Notification.objects.filter(reminder__isnull=True)
    assert sorted(n.recipient_id for n in notices) == ids(
        people["supervisor"], leader, people["project_leader"]
    )
    assert {n.title for n in notices} == {"2024年第42周通报事项清单"}
    assert all(f"【通报】{task.code}" in n.body for n in notices)
    assert not Reminder.objects.filter(level="notice").exclude(pk=task.reminders.get().pk).exists()
