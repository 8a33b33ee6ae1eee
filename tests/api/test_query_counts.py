"""Every list endpoint costs the same number of queries whatever the page size.

Each list is read by the supervision office with a Bearer token at ``page_size=1`` (the
count is measured) and again at ``page_size=100`` with ≥ 100 rows present, which must cost
exactly as many queries. Rows carry what could tempt an N+1: co-operating departments,
responsible leaders, projects, reporters. The nested task lists (events, reports,
extensions) are measured on a task with one row against a task with 100 rows.

The token's first use stamps ``last_used_at`` (an extra UPDATE); a warm-up request takes
that query out of both measurements so they count the same thing. Each measurement starts
from a new data version, so both count their rows afresh (``config.api.pagination``); a
cached count saves exactly that one query.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.choices import DepartmentKind, Role
from accounts.models import Department, User
from accounts.services import token_issue
from projects.models import InvestmentReport, Milestone, Project
from supervision import cache
from supervision.models import (
    Attachment,
    Document,
    ExtensionRequest,
    Indicator,
    Instruction,
    InstructionDetail,
    Meeting,
    MeetingItem,
    ProblemDetail,
    ProgressReport,
    ProposalDetail,
    Reminder,
    Task,
    TaskEvent,
)
from tests.clients import API

ROWS = 120  # more than one page of 100
AT = dt.datetime(2024, 3, 1, 9, tzinfo=dt.UTC)
# A list endpoint is a handful of queries (auth, count, page, a prefetch or two). The point
# of the test is equality across page sizes; this cap only catches a page-independent blow-up.
MAX_QUERIES = 10


@pytest.fixture
def data(db, settings):
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)

    office = Department.objects.create(code="QC-DCB", name="督查办(计数)", kind="district")
    departments = Department.objects.bulk_create(
        Department(
            code=f"QC{i:03d}",
            name=f"计数单位{i}",
            short_name=f"单位{i}",
            kind=DepartmentKind.TOWN if i % 2 else DepartmentKind.DISTRICT,
        )
        for i in range(ROWS)
    )
    supervisor = User.objects.create(username="qc-sup", role=Role.SUPERVISOR, department=office)
    users = User.objects.bulk_create(
        User(
            username=f"qc-user{i:03d}",
            display_name=f"用户{i}",
            role=Role.OWNER if i % 3 else Role.LEADER,
            department=departments[i] if i % 3 else None,
            password="!",
        )
        for i in range(ROWS)
    )
    owners = [u for u in users if u.role == Role.OWNER]
    leaders = [u for u in users if u.role == Role.LEADER]

    projects = Project.objects.bulk_create(
        Project(
            code=f"QC-P{i:04d}",
            name=f"计数项目{i}",
            category="district",
            year=2024,
            stage="under_construction",
            lead_department=departments[i % 10],
            responsible_leader=leaders[i % len(leaders)] if i % 2 else None,
            annual_plan_investment=Decimal("10000.00"),
        )
        for i in range(ROWS)
    )
    Project.co_departments.through.objects.bulk_create(
        Project.co_departments.through(
            project_id=p.pk, department_id=departments[(i + j) % ROWS].pk
        )
        for i, p in enumerate(projects)
        if i % 3 == 0
        for j in (11, 12)
    )
    Milestone.objects.bulk_create(
        Milestone(
            project=projects[i % 12],
            name=f"节点{i}",
            due_date=dt.date(2024, 1 + i % 12, 15),
            completed_on=dt.date(2024, 2, 1) if i % 4 == 0 else None,
            sequence=i,
        )
        for i in range(ROWS)
    )
    InvestmentReport.objects.bulk_create(
        InvestmentReport(
            project=projects[i // 6],
            period=dt.date(2024, 1 + i % 6, 1),
            amount=Decimal("100.00") + i,
            reported_by=owners[i % len(owners)],
            reported_at=AT,
        )
        for i in range(ROWS)
    )
    statuses = ["draft", "assigned", "in_progress", "submitted", "closed", "cancelled"]
    # The first row of the list (deadline, code) is a proposal, so a page of one already
    # runs every prefetch a page of a hundred does.
    sources = ["npc", "instruction", "work_report", "problem", "decision"]
    tasks = Task.objects.bulk_create(
        Task(
            code=f"QC-T{i:04d}",
            title=f"计数事项{i}",
            source=sources[i % len(sources)],
            domain="economy",
            lead_department=departments[i % 10],
            responsible_leader=leaders[i % len(leaders)] if i % 2 else None,
            project=projects[i] if i % 3 else None,
            deadline=dt.date(2024, 1 + i % 12, 10),
            status=statuses[i % len(statuses)],
            closed_at=AT if statuses[i % len(statuses)] == "closed" else None,
            created_by=supervisor,
        )
        for i in range(ROWS)
    )
    Task.co_departments.through.objects.bulk_create(
        Task.co_departments.through(task_id=t.pk, department_id=departments[(i + j) % ROWS].pk)
        for i, t in enumerate(tasks)
        if i % 3 == 0
        for j in (20, 21, 22)
    )
    _kind_details(tasks, leaders, departments)
    ExtensionRequest.objects.bulk_create(
        ExtensionRequest(
            task=t,
            requested_by=owners[i % len(owners)],
            original_deadline=t.deadline,
            requested_deadline=t.deadline + dt.timedelta(days=30),
            reason=f"理由{i}",
            status=["pending", "approved", "rejected"][i % 3],
            decided_by=supervisor if i % 3 else None,
            decided_at=AT if i % 3 else None,
            created_at=AT,
        )
        for i, t in enumerate(tasks)
    )
    Indicator.objects.bulk_create(
        Indicator(
            code=f"QC-I{i:03d}",
            name=f"计数指标{i}",
            domain="economy",
            unit="%",
            target_value=Decimal("6.5"),
            period_values={"2024Q1": 6.1},
        )
        for i in range(ROWS)
    )

    Reminder.objects.bulk_create(
        Reminder(
            task=t,
            kind="deadline",
            level=["due", "overdue", "escalated"][i % 3],
            department=t.lead_department,
            deadline=t.deadline,
            created_at=AT + dt.timedelta(minutes=i),
            deliver_after=AT + dt.timedelta(minutes=i),
            recipients=[supervisor.pk],
            sent_at=AT if i % 2 else None,
        )
        for i, t in enumerate(tasks)
    )

    # Two tasks for the nested lists: one with a single row of each, one with 100.
    small, big = tasks[2], tasks[8]  # both in progress, neither a proposal
    for task, n in ((small, 1), (big, 100)):
        TaskEvent.objects.bulk_create(
            TaskEvent(
                task=task,
                actor=supervisor if k % 2 else owners[k % len(owners)],
                action="progress",
                comment=f"第{k}次",
                data={"k": k},
                created_at=AT + dt.timedelta(minutes=k),
            )
            for k in range(n)
        )
        ProgressReport.objects.bulk_create(
            ProgressReport(
                task=task,
                department=departments[k % ROWS],
                author=owners[k % len(owners)],
                content=f"进展{k}",
                percent=k % 101,
                created_at=AT + dt.timedelta(minutes=k),
            )
            for k in range(n)
        )
        ExtensionRequest.objects.bulk_create(
            ExtensionRequest(
                task=task,
                requested_by=owners[k % len(owners)],
                original_deadline=task.deadline,
                requested_deadline=task.deadline + dt.timedelta(days=k + 1),
                reason=f"第{k}次申请",
                status="rejected",
                decided_by=supervisor,
                decided_at=AT,
                created_at=AT + dt.timedelta(minutes=k),
            )
            for k in range(n - 1)  # plus the one from above
        )

    for task, n in ((small, 1), (big, 100)):
        Instruction.objects.bulk_create(
            Instruction(
                task=task,
                leader=leaders[k % len(leaders)],
                text=f"批示{k}",
                created_by=supervisor,
                created_at=AT + dt.timedelta(minutes=k),
            )
            for k in range(n)
        )

    # Files on the tasks' progress reports, from many uploaders and units.
    reports = list(ProgressReport.objects.filter(task=big).order_by("pk"))
    Attachment.objects.bulk_create(
        Attachment(
            target_type="progress_report",
            target_id=reports[k % len(reports)].pk,
            task=big,
            file=f"attachments/qc/{k}.pdf",
            name=f"佐证{k}.pdf",
            size=1000 + k,
            content_type="application/pdf",
            sha256=f"{k:064x}",
            department=departments[k % ROWS],
            created_by=owners[k % len(owners)],
            created_at=AT + dt.timedelta(minutes=k),
        )
        for k in range(ROWS)
    )

    Document.objects.bulk_create(
        Document(
            type="urge",
            year=2024,
            number=k + 1,
            code=f"武隆督催〔2024〕{k + 1}号",
            title=f"催办通知书{k}",
            task=tasks[k],
            department=tasks[k].lead_department,
            content={},
            docx=f"documents/qc/{k}.docx",
            issued_on=dt.date(2024, 6, 1),
            issued_by=supervisor,
            issued_at=AT + dt.timedelta(minutes=k),
        )
        for k in range(ROWS)
    )

    _, plaintext = token_issue(user=supervisor, scope="read")
    client = APIClient()
    client.raise_request_exception = False
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(API + "me/").status_code == 200  # warm-up: stamps last_used_at
    return {"client": client, "small": small, "big": big}


def _kind_details(tasks, leaders, departments):
    """Every kind's details on the tasks of that kind: a leader, assisting units, 并案, a meeting."""
    by_source = {}
    for task in tasks:
        by_source.setdefault(task.source, []).append(task)
    InstructionDetail.objects.bulk_create(
        InstructionDetail(
            task=t,
            leader=leaders[i % len(leaders)],
            instructed_on=dt.date(2024, 3, 1),
            text=f"批示原文{i}",
            urgency="urgent",
        )
        for i, t in enumerate(by_source["instruction"])
    )
    npc = by_source["npc"]
    details = ProposalDetail.objects.bulk_create(
        ProposalDetail(
            task=t,
            number=f"第{i}号",
            proposer=f"代表{i}",
            merged_into=npc[i - 1] if i % 4 == 1 else None,
            reply_class="A" if i % 2 else "",
            replied_on=dt.date(2024, 5, 1) if i % 2 else None,
        )
        for i, t in enumerate(npc)
    )
    ProposalDetail.assist_departments.through.objects.bulk_create(
        ProposalDetail.assist_departments.through(
            proposaldetail_id=d.pk, department_id=departments[(i + j) % len(departments)].pk
        )
        for i, d in enumerate(details)
        for j in (30, 31)
    )
    ProblemDetail.objects.bulk_create(
        ProblemDetail(
            task=t,
            origin="audit",
            found_on=dt.date(2024, 2, 1),
            description=f"问题{i}",
            rectification_goal="清零",
        )
        for i, t in enumerate(by_source["problem"])
    )
    meetings = Meeting.objects.bulk_create(
        Meeting(name=f"常务会议{i}", held_on=dt.date(2024, 1, 10 + i)) for i in range(3)
    )
    MeetingItem.objects.bulk_create(
        MeetingItem(task=t, meeting=meetings[i % 3], sequence=i + 1)
        for i, t in enumerate(by_source["decision"])
    )


def _rows(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def _count(client, url) -> int:
    cache.bump()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert len(_rows(response)) == 1, url
    return len(queries)


LISTS = [
    "departments/",
    "users/",
    "projects/",
    "milestones/",
    "investment-reports/",
    "tasks/",
    "extensions/",
    "indicators/",
    "reminders/",
    "attachments/",
    "documents/",
]


@pytest.mark.parametrize("path", LISTS)
def test_list_query_count_does_not_grow_with_page_size(path, data, django_assert_num_queries):
    client = data["client"]
    n = _count(client, f"{API}{path}?page_size=1")
    assert n <= MAX_QUERIES, f"{path}: {n} queries for one row"
    cache.bump()
    with django_assert_num_queries(n):
        response = client.get(f"{API}{path}?page_size=100")
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert body["count"] >= 100
    assert len(body["results"]) == 100


# What these lists cost (``_count``'s way), pinned: projects/ reads an ids page and then
# one statement over the ids (the figures and co-operating units together), whether or not
# its filters or ordering read the figures; a unit filter looks the unit up.
EXACT = [
    ("projects/", 4),
    ("projects/?ordering=-completion_rate", 4),
    ("projects/?light=red&ordering=name", 4),
    ("projects/?department={unit}&year=2024", 5),
    ("indicators/", 5),
]


@pytest.mark.parametrize(("path", "queries"), EXACT)
def test_list_query_counts_stay_as_they_are(path, queries, data, django_assert_num_queries):
    client = data["client"]
    path = path.format(unit=Project.objects.order_by("code").first().lead_department_id)
    sep = "&" if "?" in path else "?"
    assert _count(client, f"{API}{path}{sep}page_size=1") == queries
    cache.bump()
    with django_assert_num_queries(queries):
        response = client.get(f"{API}{path}{sep}page_size=100")
    assert response.status_code == 200, response.content[:500]


CACHED_COUNTS = ["departments/", "projects/", "milestones/", "investment-reports/", "tasks/"]


@pytest.mark.parametrize("path", CACHED_COUNTS)
def test_a_repeated_list_reads_its_count_from_the_cache(path, data, django_assert_num_queries):
    client = data["client"]
    n = _count(client, f"{API}{path}?page_size=1")
    with django_assert_num_queries(n - 1):
        response = client.get(f"{API}{path}?page=2&page_size=100")
    assert response.status_code == 200, response.content[:500]
    assert response.json()["count"] >= 100


NESTED = ["events", "reports", "extensions", "instructions"]


@pytest.mark.parametrize("name", NESTED)
def test_task_sublist_query_count_does_not_grow_with_rows(name, data, django_assert_num_queries):
    client, small, big = data["client"], data["small"], data["big"]
    n = _count(client, f"{API}tasks/{small.pk}/{name}/?page_size=1")
    assert n <= MAX_QUERIES, f"tasks/{{id}}/{name}/: {n} queries for one row"
    with django_assert_num_queries(n):
        response = client.get(f"{API}tasks/{big.pk}/{name}/?page_size=100")
    assert response.status_code == 200, response.content[:500]
    assert len(_rows(response)) == 100


def test_proposal_stats_cost_the_same_for_one_kind_or_all(data, django_assert_num_queries):
    client = data["client"]
    Task.objects.filter(code="QC-T0010").update(source="cppcc")  # one 提案 beside the 建议
    with CaptureQueriesContext(connection) as queries:
        one = client.get(f"{API}proposals/stats/?source=cppcc")
    assert one.status_code == 200, one.content[:500]
    with django_assert_num_queries(len(queries)):
        everything = client.get(f"{API}proposals/stats/")
    assert everything.json()["total"] > one.json()["total"] > 0
