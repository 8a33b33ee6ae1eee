"""Login, the dashboard, projects, 我的待办 and 消息: what each page shows and who may write."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import InvestmentReport, Milestone
from supervision.models import Notification, Reminder, Task
from tests import factories
from tests.clients import session_client

pytestmark = pytest.mark.django_db

SENT = dt.datetime(2024, 6, 20, 9, tzinfo=dt.UTC)  # more than a working day before 06-28

PAGES = ["dashboard", "rankings", "projects", "tasks", "inbox", "messages"]


# --- login ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_every_page_needs_login(name):
    response = Client().get(reverse(f"web:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


def test_login_and_logout(owner):
    client = Client()
    page = client.get(reverse("web:login"))
    assert "登录武隆督办" in page.content.decode()
    bad = client.post(reverse("web:login"), {"username": owner.username, "password": "nope"})
    assert bad.status_code == 200
    assert "请输入一个正确的" in bad.content.decode()
    good = client.post(
        reverse("web:login"), {"username": owner.username, "password": "pass-word-123"}
    )
    assert good.status_code == 302
    assert good.url == reverse("web:dashboard")
    assert client.post(reverse("web:logout")).status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 302


# --- dashboard and rankings ----------------------------------------------------------------


def test_dashboard_shows_lights_overdue_key_works_and_ranking(
    supervisor_client, make_task, department
):
    overdue = make_task("in_progress", title="逾期的事项", deadline=dt.date(2024, 6, 3))
    make_task("assigned", title="本周到期的事项", deadline=dt.date(2024, 6, 30))
    project = factories.ProjectFactory(
        category="key_work", code="KW-01", name="银盘抽水蓄能", lead_department=department
    )
    factories.InvestmentReportFactory(project=project, amount=Decimal("3000"))
    factories.ReminderFactory(task=overdue, level="escalated", sent_at=SENT)

    page = supervisor_client.get(reverse("web:dashboard"))
    assert page.status_code == 200
    text = page.content.decode()
    for expected in ["全区驾驶舱", "逾期的事项", "本周到期的事项", "银盘抽水蓄能", "2024Q2"]:
        assert expected in text
    assert page.context["overdue_total"] == 1
    assert page.context["summary"]["unacknowledged_escalations"][0]["task"] == overdue.pk
    assert reverse("web:project-detail", args=[project.pk]) in text
    assert page.context["ranking"][0]["department"] == department.pk
    assert 'data-testid="key-works-capped"' not in text  # the one key work is listed


def test_dashboard_says_how_many_key_works_when_it_lists_only_the_worst(
    supervisor_client, department
):
    from supervision.scorecards.dashboard import LIST_LIMIT

    red = factories.ProjectFactory(
        category="key_work", code="KW-99", name="滞后的重点工程", lead_department=department
    )
    factories.MilestoneFactory(project=red, due_date=dt.date(2024, 6, 1))  # overdue: red
    for n in range(LIST_LIMIT):  # no annual plan, no milestone: green
        factories.ProjectFactory(
            category="key_work",
            code=f"KW-{n:02d}",
            lead_department=department,
            annual_plan_investment=0,
        )
    factories.ProjectFactory(category="key_work", lead_department=department, is_archived=True)
    factories.ProjectFactory(category="key_work", lead_department=department, year=2023)

    page = supervisor_client.get(reverse("web:dashboard"))
    text = page.content.decode()
    total = LIST_LIMIT + 1
    assert (
        f"共 {total} 项（红灯 1、黄灯 0、绿灯 {LIST_LIMIT}），显示需关注的前 {LIST_LIMIT} 项"
        in text
    )
    shown = page.context["summary"]["key_works"]
    assert shown[0]["code"] == "KW-99"
    assert len(shown) == LIST_LIMIT
    assert "KW-19" not in [row["code"] for row in shown]
    # The link lists all the year's key works, as counted.
    url = page.context["key_works_url"]
    assert url == reverse("web:projects") + "?category=key_work&year=2024&is_archived=false"
    assert f'href="{url.replace("&", "&amp;")}"' in text
    listed = supervisor_client.get(url).context["page"]
    assert listed.paginator.count == total


def test_rankings_page_and_bad_period(viewer_client, make_task):
    make_task("in_progress", deadline=dt.date(2024, 5, 31))
    assert viewer_client.get(reverse("web:rankings"), {"period": "2024Q1"}).status_code == 200
    bad = viewer_client.get(reverse("web:rankings"), {"period": "2024Q9"})
    assert bad.status_code == 400
    assert bad.context["error"]


# --- projects ------------------------------------------------------------------------------


@pytest.fixture
def project(department):
    project = factories.ProjectFactory(
        lead_department=department, name="白马山隧道", annual_plan_investment=Decimal("12000")
    )
    factories.MilestoneFactory(project=project, name="主体开工", due_date=dt.date(2024, 5, 31))
    factories.MilestoneFactory(project=project, name="全线贯通", due_date=dt.date(2024, 12, 31))
    return project


def test_project_list_filters_and_search(viewer_client, project, other_department):
    factories.ProjectFactory(
        lead_department=other_department, name="仙女山游客中心", annual_plan_investment=0
    )
    page = viewer_client.get(reverse("web:projects"), {"search": "隧道"})
    assert [p.name for p in page.context["page"]] == ["白马山隧道"]
    page = viewer_client.get(reverse("web:projects"), {"department": other_department.pk})
    assert [p.name for p in page.context["page"]] == ["仙女山游客中心"]
    page = viewer_client.get(reverse("web:projects"), {"light": "red"})  # milestone overdue
    assert [p.name for p in page.context["page"]] == ["白马山隧道"]
    assert "红灯" in page.content.decode()


def test_project_page_shows_timeline_chart_and_task_history(
    viewer_client, project, make_task, owner
):
    factories.InvestmentReportFactory(project=project, period=dt.date(2024, 3, 1))
    task = make_task("in_progress", project=project, title="隧道进度督办")
    from supervision.loop.services import progress_report_create

    progress_report_create(task=task, actor=owner, content="掘进 300 米", percent=30)
    page = viewer_client.get(reverse("web:project-detail", args=[project.pk]))
    text = page.content.decode()
    assert "已逾期 28 天" in text  # 主体开工 due 05-31
    assert "未到期" in text
    assert "掘进 300 米" in text
    bars = page.context["chart"]["bars"]
    assert bars[2].amount == Decimal("1000.00")
    assert bars[1].amount is None
    assert page.context["chart"]["plan"] == Decimal("1000.00")
    # A viewer reads but gets no forms.
    assert not page.context["can_write"]
    assert "填报月度投资" not in text


@pytest.mark.parametrize("who", ["owner", "supervisor"])
def test_lead_owner_and_supervisor_file_investment(who, project, request):
    client = session_client(request.getfixturevalue(who))
    page = client.get(reverse("web:project-detail", args=[project.pk]))
    assert 'data-action="invest"' in page.content.decode()
    response = client.post(
        reverse("web:project-invest", args=[project.pk]),
        {"invest-period": "2024-05", "invest-amount": "800.50", "invest-note": "五月"},
    )
    assert response.status_code == 302
    report = InvestmentReport.objects.get(project=project)
    assert (report.period, report.amount) == (dt.date(2024, 5, 1), Decimal("800.50"))


def test_investment_errors_show_next_to_fields(owner_client, project):
    url = reverse("web:project-invest", args=[project.pk])
    response = owner_client.post(url, {"invest-period": "2024-08", "invest-amount": "1"})
    assert response.status_code == 400
    assert response.context["invest_form"].errors == {"period": ["不能填报未来月份的投资。"]}
    response = owner_client.post(url, {"invest-period": "2024-05", "invest-amount": "-1"})
    assert response.status_code == 400
    assert "amount" in response.context["invest_form"].errors
    owner_client.post(url, {"invest-period": "2024-05", "invest-amount": "1"})
    response = owner_client.post(url, {"invest-period": "2024-05", "invest-amount": "2"})
    assert response.status_code == 400
    assert "2024年5月的投资已填报（1.00 万元）" in response.content.decode()
    assert InvestmentReport.objects.filter(project=project).count() == 1


def test_other_department_cannot_file_or_complete(other_owner_client, project):
    page = other_owner_client.get(reverse("web:project-detail", args=[project.pk]))
    assert not page.context["can_write"]
    response = other_owner_client.post(
        reverse("web:project-invest", args=[project.pk]),
        {"invest-period": "2024-05", "invest-amount": "1"},
    )
    assert response.status_code == 403
    assert "只有督查办或该项目牵头单位可以填报、修改。" in response.content.decode()
    milestone = project.milestones.first()
    response = other_owner_client.post(
        reverse("web:project-milestone-complete", args=[project.pk]),
        {"milestone-milestone": milestone.pk, "milestone-completed_on": "2024-06-01"},
    )
    assert response.status_code == 403
    assert not InvestmentReport.objects.exists()
    assert Milestone.objects.get(pk=milestone.pk).completed_on is None


def test_owner_completes_a_milestone(owner_client, project):
    milestone = project.milestones.get(name="主体开工")
    url = reverse("web:project-milestone-complete", args=[project.pk])
    response = owner_client.post(
        url, {"milestone-milestone": milestone.pk, "milestone-completed_on": "2024-07-01"}
    )
    assert response.status_code == 400
    assert response.context["milestone_form"].errors == {"completed_on": ["完成日期不能晚于今天。"]}
    response = owner_client.post(
        url,
        {
            "milestone-milestone": milestone.pk,
            "milestone-completed_on": "2024-06-03",
            "milestone-note": "已开工",
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == dt.date(2024, 6, 3)
    page = owner_client.get(reverse("web:project-detail", args=[project.pk]))
    assert "已于 2024-06-03 完成" in page.content.decode()
    # Only open milestones can be picked.
    assert list(page.context["milestone_form"].fields["milestone"].queryset) == [
        project.milestones.get(name="全线贯通")
    ]


def test_milestone_link_leads_to_its_project(viewer_client, project):
    milestone = project.milestones.first()
    response = viewer_client.get(reverse("web:milestone", args=[milestone.pk]))
    assert response.url == (
        reverse("web:project-detail", args=[project.pk]) + f"#milestone-{milestone.pk}"
    )


# --- 我的待办 ---------------------------------------------------------------------------------


def test_owner_inbox_lists_accept_report_and_reminders(owner_client, make_task, owner):
    to_accept = make_task("assigned", title="待签收的")
    reported = make_task("in_progress", title="本月已报送的")
    unreported = make_task("in_progress", title="本月未报送的")
    make_task("in_progress", title="一次性的", report_frequency="once")
    from supervision.loop.services import progress_report_create

    progress_report_create(task=reported, actor=owner, content="六月进展")
    reminder = factories.ReminderFactory(task=unreported, sent_at=SENT)
    factories.ReminderFactory(task=to_accept, kind="acceptance", level="warning")  # not sent

    page = owner_client.get(reverse("web:inbox"))
    assert [t.title for t in page.context["to_accept"]["rows"]] == ["待签收的"]
    assert [t.title for t in page.context["to_report"]["rows"]] == ["本月未报送的"]
    assert page.context["to_report"]["rows"][0].report_due == dt.date(2024, 6, 28)
    assert [r.pk for r in page.context["reminders"]["rows"]] == [reminder.pk]
    assert "to_verify" not in page.context

    response = owner_client.post(reverse("web:reminder-ack", args=[reminder.pk]))
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.acknowledged_at is not None
    again = owner_client.post(reverse("web:reminder-ack", args=[reminder.pk]))
    assert again.status_code == 409
    assert "该提醒已于 2024-06-28 确认收到。" in again.content.decode()


def test_other_department_cannot_acknowledge(other_owner_client, make_task):
    reminder = factories.ReminderFactory(task=make_task("in_progress"), sent_at=SENT)
    response = other_owner_client.post(reverse("web:reminder-ack", args=[reminder.pk]))
    assert response.status_code == 403
    assert "只有被提醒单位可以确认收到催办。" in response.content.decode()
    assert Reminder.objects.get(pk=reminder.pk).acknowledged_at is None


def test_supervisor_inbox_lists_verify_extensions_and_escalations(
    supervisor_client, make_task, owner
):
    make_task("submitted", title="待核验的")
    make_task("draft", title="待交办的")
    asked = make_task("in_progress", title="申请延期的")
    from supervision.loop.services import extension_request_create

    extension_request_create(
        task=asked, actor=owner, requested_deadline=dt.date(2025, 1, 31), reason="理由"
    )
    escalated = factories.ReminderFactory(
        task=make_task("in_progress"), level="escalated", sent_at=SENT
    )
    factories.ReminderFactory(task=make_task("in_progress"), level="escalated", sent_at=None)

    page = supervisor_client.get(reverse("web:inbox"))
    assert [t.title for t in page.context["to_verify"]["rows"]] == ["待核验的"]
    assert [t.title for t in page.context["to_assign"]["rows"]] == ["待交办的"]
    assert [x.task_id for x in page.context["extensions"]["rows"]] == [asked.pk]
    assert [r.pk for r in page.context["escalations"]["rows"]] == [escalated.pk]
    assert "确认收到催办</button>" not in page.content.decode()  # the office does not acknowledge


def test_the_inbox_has_the_task_lists_kind_tabs(supervisor_client, make_task, owner):
    make_task("submitted", title="待核验的报告任务")
    meeting = make_task("submitted", title="待核验的会议事项")
    asked = make_task("in_progress", title="申请延期的报告任务")
    Task.objects.filter(pk=meeting.pk).update(source="decision")
    from supervision.loop.services import extension_request_create

    extension_request_create(
        task=asked, actor=owner, requested_deadline=dt.date(2025, 1, 31), reason="理由"
    )

    page = supervisor_client.get(reverse("web:inbox") + "?source=decision")
    assert [t.title for t in page.context["to_verify"]["rows"]] == ["待核验的会议事项"]
    assert page.context["to_verify"]["link"].endswith("status=submitted&source=decision")
    assert page.context["extensions"]["rows"] == []
    assert 'aria-current="page">区委区政府决策</a>' in page.content.decode()

    everything = supervisor_client.get(reverse("web:inbox") + "?source=nonsense")
    assert len(everything.context["to_verify"]["rows"]) == 2  # an unknown kind is left out
    assert len(everything.context["extensions"]["rows"]) == 1


def test_viewer_inbox_is_empty(viewer_client):
    page = viewer_client.get(reverse("web:inbox"))
    assert "目前没有等待您处理的事项。" in page.content.decode()


# --- 消息 ------------------------------------------------------------------------------------


def _notify(user, title, read=False):
    return Notification.objects.create(
        recipient=user,
        title=title,
        created_at=SENT,
        read_at=SENT if read else None,
    )


def test_messages_unread_count_and_mark_read(owner, other_owner, owner_client):
    first = _notify(owner, "催办一")
    _notify(owner, "催办二")
    _notify(owner, "旧消息", read=True)
    theirs = _notify(other_owner, "别人的消息")

    page = owner_client.get(reverse("web:messages"))
    text = page.content.decode()
    assert "催办一" in text
    assert "别人的消息" not in text
    assert 'title="未读消息">2</span>' in text

    response = owner_client.post(
        reverse("web:message-read", args=[first.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("web:messages")
    first.refresh_from_db()
    assert first.read_at is not None
    assert owner_client.post(reverse("web:message-read", args=[theirs.pk])).status_code == 404

    unread = owner_client.get(reverse("web:messages"), {"unread": "1"})
    assert [n.title for n in unread.context["page"]] == ["催办二"]
    owner_client.post(reverse("web:messages-read-all"))
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_notification_links_to_the_cockpit_page(owner, owner_client, make_task):
    task = make_task("in_progress")
    reminder = factories.ReminderFactory(task=task, sent_at=SENT)
    Notification.objects.create(
        recipient=owner, reminder=reminder, title="催办", link="/api/v1/tasks/1/", created_at=SENT
    )
    page = owner_client.get(reverse("web:messages"))
    assert f'href="{reverse("web:task-detail", args=[task.pk])}"' in page.content.decode()


def test_unread_count_costs_one_query(owner, owner_client):
    for n in range(5):
        _notify(owner, f"消息{n}")
    with CaptureQueriesContext(connection) as queries:
        owner_client.get(reverse("web:tasks"))
    counting = [q["sql"] for q in queries if "supervision_notification" in q["sql"]]
    assert len(counting) == 1
    assert "COUNT" in counting[0].upper()
