"""Every cockpit page renders in under 30 queries whatever the amount of data.

The data set is built through the services, so it carries what could tempt an N+1: 60 tasks
with co-operating departments, full event logs, progress reports and extension requests;
20 projects with milestones, monthly investment reports and related tasks; reminders and
notifications. Each page is measured for the roles that see the most on it.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from supervision.loop import services
from supervision.models import Notification, Reminder
from tests import factories
from tests.clients import session_client

pytestmark = pytest.mark.django_db

MAX_QUERIES = 30
SENT = dt.datetime(2024, 6, 20, 9, tzinfo=dt.UTC)


@pytest.fixture
def big(make_task, supervisor, owner, department, leader):
    co_departments = factories.DepartmentFactory.create_batch(3)
    co_owner = factories.UserFactory(role=Role.OWNER, department=co_departments[0])
    projects = []
    for n in range(20):
        project = factories.ProjectFactory(
            lead_department=department,
            category="key_work" if n < 10 else "district",
            responsible_leader=leader,
        )
        project.co_departments.set(co_departments[:2])
        for month in range(1, 6):
            factories.InvestmentReportFactory(
                project=project, period=dt.date(2024, month, 1), reported_by=owner
            )
        for m in range(3):
            factories.MilestoneFactory(project=project, due_date=dt.date(2024, 4 + 3 * m, 30))
        projects.append(project)

    statuses = ["draft", "assigned", "in_progress", "in_progress", "submitted", "closed"]
    tasks = []
    for n in range(60):
        status = statuses[n % len(statuses)]
        deadline = dt.date(2024, 6, 3) if n % 4 == 0 else dt.date(2024, 7, 1 + n % 20)
        task = make_task(
            status,
            deadline=deadline,
            co_departments=co_departments,
            project=projects[n % 20],
            responsible_leader=leader,
        )
        tasks.append(task)
        if status == "in_progress":
            for k in range(3):
                services.progress_report_create(
                    task=task, actor=co_owner if k else owner, content=f"进展{k}", percent=10 * k
                )
            if n % 2:
                services.extension_request_create(
                    task=task,
                    actor=owner,
                    requested_deadline=dt.date(2024, 12, 31),
                    reason="汛期",
                )
        reminder = factories.ReminderFactory(
            task=task,
            level="escalated" if n % 3 else "overdue",
            sent_at=SENT,
            deadline=task.deadline,
        )
        for person in (owner, supervisor, leader):
            Notification.objects.create(
                recipient=person, reminder=reminder, title=f"提醒{n}", created_at=SENT
            )
    assert Reminder.objects.count() == 60
    return {"tasks": tasks, "projects": projects, "co_owner": co_owner}


def _pages(big):
    task = next(t for t in big["tasks"] if t.status == "in_progress")
    project = big["projects"][0]
    return [
        reverse("web:dashboard"),
        reverse("web:rankings"),
        reverse("web:projects"),
        reverse("web:projects") + "?light=red&category=key_work&search=项目",
        reverse("web:project-detail", args=[project.pk]),
        reverse("web:tasks"),
        reverse("web:tasks") + "?status=in_progress&status=submitted&overdue=true&search=督办",
        reverse("web:task-detail", args=[task.pk]),
        reverse("web:inbox"),
        reverse("web:messages"),
    ]


def test_every_page_under_30_queries(
    big, supervisor, owner, leader, viewer, django_assert_max_num_queries
):
    """One data set (it takes a few seconds to build), every page, every kind of user."""
    for user in (supervisor, owner, leader, viewer, big["co_owner"]):
        client = session_client(user)
        for url in _pages(big):
            with django_assert_max_num_queries(MAX_QUERIES):
                response = client.get(url)
            assert response.status_code == 200, (user.role, url)

    # The co-operating department gets its progress form on the same bounded page.
    task = next(t for t in big["tasks"] if t.status == "in_progress")
    page = session_client(big["co_owner"]).get(reverse("web:task-detail", args=[task.pk]))
    assert "progress" in [p["action"].key for p in page.context["panels"]]

    # A refusal re-renders the task page: still bounded.
    submitted = next(t for t in big["tasks"] if t.status == "submitted")
    client = session_client(owner)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.post(
            reverse("web:task-action", args=[submitted.pk, "verify"]),
            {"verify-decision": "close", "verify-comment": ""},
        )
    assert response.status_code == 403

    # The project page carries every related task's progress history.
    project = big["projects"][2]
    page = session_client(owner).get(reverse("web:project-detail", args=[project.pk]))
    tasks = page.context["tasks"]
    assert len(tasks) == 3
    assert sum(len(t.reports.all()) for t in tasks) == 3  # one task in progress, 3 reports
    assert page.context["chart"]["bars"][4].amount == Decimal("1000.00")
