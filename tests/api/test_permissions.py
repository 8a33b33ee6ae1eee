"""The REST API's permission matrix: every endpoint × method × role.

The expected status of each cell is written out below from API.md's "who writes" column —
it is the contract, not a reading of the app's code:

- reads: 200 for every signed-in role (a read-scoped token included), 401 for anonymous;
- writes: 2xx only for the roles API.md names (the supervision office; "owners of the lead
  department" where it says so; co-operating departments' owners may also report progress),
  403 for every other signed-in role and for a read-scoped token (even a supervisor's),
  401 for anonymous.

An owner of another department may get 403 or 404 on the lead department's objects. Every
refused write must leave the database exactly as it was; every allowed write must change it.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.choices import DepartmentKind, Role
from accounts.models import ApiToken, AuditRecord, Department
from accounts.services import token_issue
from projects.models import InvestmentReport, InvestmentReportRevision, Milestone, Project
from supervision.models import (
    Attachment,
    CodeSequence,
    Document,
    DocumentCounter,
    ExtensionRequest,
    Indicator,
    IndicatorValue,
    Instruction,
    InstructionDetail,
    Intervention,
    Node,
    Notification,
    ProblemDetail,
    ProgressReport,
    ProposalDetail,
    RankingSnapshot,
    ReassignRequest,
    Reminder,
    ScoreAdjustment,
    ScoringRule,
    Task,
    TaskEvent,
)
from tests import factories
from tests.clients import API
from tests.files import samples

TODAY = dt.date(2024, 6, 28)
AT = dt.datetime(2024, 6, 3, 9, tzinfo=dt.UTC)

ROLES = (
    "supervisor",  # 督查办
    "leader",  # 区领导
    "owner",  # owner of the lead department
    "co_owner",  # owner of a co-operating department
    "other_owner",  # owner of an unrelated department
    "viewer",  # read-only staff
    "read_token",  # a supervisor's read-scoped API token
    "anonymous",
)


# --- the world every case starts from ----------------------------------------------------


@dataclass
class World:
    office: Department
    lead: Department
    co: Department
    other: Department
    users: dict
    project: Project  # led by ``lead``, ``co`` co-operates
    foreign_project: Project  # led by ``other``
    milestone: Milestone
    report: InvestmentReport
    indicator: Indicator

    def task(self, status: str) -> Task:
        return factories.TaskFactory(
            status=status,
            lead_department=self.lead,
            co_departments=[self.co],
            project=self.project,
            deadline=dt.date(2024, 12, 31),
        )

    def proposal(self, status: str, replied: bool = False) -> Task:
        task = factories.TaskFactory(status=status, source="npc", lead_department=self.lead)
        task.co_departments.set([self.co])
        ProposalDetail.objects.create(
            task=task,
            number="第8号",
            proposer="王代表",
            reply_class="B" if replied else "",
            replied_on=dt.date(2024, 6, 1) if replied else None,
        )
        return task

    def problem(self, status: str) -> Task:
        task = factories.TaskFactory(status=status, source="problem", lead_department=self.lead)
        ProblemDetail.objects.create(
            task=task,
            origin="hazard",
            found_on=dt.date(2024, 5, 6),
            description="消防通道堵塞",
            rectification_goal="6月底前清理",
        )
        return task

    def intervention(self, kind: str = "best_practice") -> Intervention:
        return Intervention.objects.create(
            type=kind,
            department=self.lead,
            task=self.task("in_progress") if kind == "referral" else None,
            occurred_on=dt.date(2024, 6, 20),
            summary="多次督办仍未落实",
            created_by=self.users["supervisor"],
            created_at=AT,
        )

    def pending_extension(self) -> ExtensionRequest:
        task = self.task("in_progress")
        return ExtensionRequest.objects.create(
            task=task,
            requested_by=self.users["owner"],
            original_deadline=task.deadline,
            requested_deadline=dt.date(2025, 1, 31),
            reason="施工期受汛期影响",
            created_at=AT,
        )

    def adjustment(self) -> ScoreAdjustment:
        return ScoreAdjustment.objects.create(
            department=self.lead,
            period="2024Q2",
            domain="party",
            points=Decimal("2"),
            reason="获评先进",
            created_by=self.users["supervisor"],
            created_at=AT,
        )

    def task_with_history(self) -> Task:
        task = self.task("in_progress")
        TaskEvent.objects.create(
            task=task, actor=self.users["supervisor"], action="assign", created_at=AT
        )
        ProgressReport.objects.create(
            task=task,
            department=self.lead,
            author=self.users["owner"],
            content="已完成选址",
            percent=30,
            created_at=AT,
        )
        ExtensionRequest.objects.create(
            task=task,
            requested_by=self.users["owner"],
            original_deadline=task.deadline,
            requested_deadline=dt.date(2025, 3, 31),
            reason="资金未到位",
            status="rejected",
            created_at=AT,
        )
        return task


@pytest.fixture
def world(db, settings):
    settings.SUPERVISION_TODAY = TODAY
    office = factories.DepartmentFactory(name="区政府督查办", kind=DepartmentKind.DISTRICT)
    lead, co, other = factories.DepartmentFactory.create_batch(3)
    users = {
        "supervisor": factories.UserFactory(role=Role.SUPERVISOR, department=office),
        "leader": factories.UserFactory(role=Role.LEADER),
        "owner": factories.UserFactory(role=Role.OWNER, department=lead),
        "co_owner": factories.UserFactory(role=Role.OWNER, department=co),
        "other_owner": factories.UserFactory(role=Role.OWNER, department=other),
        "viewer": factories.UserFactory(role=Role.VIEWER),
    }
    project = factories.ProjectFactory(lead_department=lead)
    project.co_departments.set([co])
    foreign_project = factories.ProjectFactory(lead_department=other)
    milestone = factories.MilestoneFactory(project=project, due_date=dt.date(2024, 9, 30))
    report = factories.InvestmentReportFactory(
        project=project, period=dt.date(2024, 1, 1), reported_by=users["owner"]
    )
    indicator = Indicator.objects.create(
        code="GDP", name="地区生产总值增长", domain="economy", unit="%", target_value=Decimal("6.5")
    )
    return World(
        office, lead, co, other, users, project, foreign_project, milestone, report, indicator
    )


def new_client() -> APIClient:
    client = APIClient()
    client.raise_request_exception = False  # a crash is a 500 the assertion names
    return client


def client_for(world: World, role: str) -> APIClient:
    client = new_client()
    if role == "read_token":
        _, plaintext = token_issue(user=world.users["supervisor"], scope="read")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    elif role != "anonymous":
        client.force_login(world.users[role])
    return client


# --- the database, to prove a refused write changed nothing ------------------------------

TRACKED = [
    Department,
    Project,
    Project.co_departments.through,
    Milestone,
    InvestmentReport,
    InvestmentReportRevision,
    Task,
    Task.co_departments.through,
    TaskEvent,
    ProgressReport,
    ExtensionRequest,
    Indicator,
    IndicatorValue,
    ReassignRequest,
    Attachment,
    Document,
    DocumentCounter,
    AuditRecord,
    Reminder,
    Instruction,
    InstructionDetail,
    ProposalDetail,
    Node,
    CodeSequence,
    Notification,
    ApiToken,
    RankingSnapshot,
    ScoringRule,
    ScoreAdjustment,
]
UNTRACKED_FIELDS = {"last_used_at"}  # every authenticated request may touch it


def db_state() -> dict:
    return {
        model._meta.label: [
            {k: v for k, v in row.items() if k not in UNTRACKED_FIELDS}
            for row in model.objects.order_by("pk").values()
        ]
        for model in TRACKED
    }


# --- the cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    build: Callable[[World], tuple[str, dict | None]]
    format: str = "json"

    @property
    def is_write(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")


def _task_path(status: str, action: str = ""):
    def build(w: World):
        task = w.task(status)
        return f"tasks/{task.pk}/{action}", None

    return build


def _with_body(build, body):
    def wrapped(w: World):
        path, _ = build(w)
        return path, body(w) if callable(body) else body

    return wrapped


def _draft_task(w: World):
    return f"tasks/{w.task('draft').pk}/", None


def _bare_project(w: World):
    return f"projects/{factories.ProjectFactory(lead_department=w.lead).pk}/", None


CASES = [
    # --- reads ---
    Case("GET me/", "GET", lambda w: ("me/", None)),
    Case("GET departments/", "GET", lambda w: ("departments/", None)),
    Case("GET departments/{id}/", "GET", lambda w: (f"departments/{w.lead.pk}/", None)),
    Case("GET users/", "GET", lambda w: ("users/", None)),
    Case(
        "GET users/{id}/ (the lead department's owner)",
        "GET",
        lambda w: (f"users/{w.users['owner'].pk}/", None),
    ),
    Case("GET auth/tokens/", "GET", lambda w: ("auth/tokens/", None)),
    # --- tokens: each user revokes their own (a read-scoped token too) ---
    Case("DELETE auth/token/", "DELETE", lambda w: ("auth/token/", None)),
    Case(
        "DELETE auth/tokens/{id}/ (the supervisor's)",
        "DELETE",
        lambda w: (
            f"auth/tokens/{token_issue(user=w.users['supervisor'], scope='write')[0].pk}/",
            None,
        ),
    ),
    Case("GET projects/", "GET", lambda w: ("projects/", None)),
    Case("GET projects/{id}/", "GET", lambda w: (f"projects/{w.project.pk}/", None)),
    Case("GET milestones/", "GET", lambda w: ("milestones/", None)),
    Case("GET milestones/{id}/", "GET", lambda w: (f"milestones/{w.milestone.pk}/", None)),
    Case("GET investment-reports/", "GET", lambda w: ("investment-reports/", None)),
    Case(
        "GET investment-reports/{id}/",
        "GET",
        lambda w: (f"investment-reports/{w.report.pk}/", None),
    ),
    Case("GET tasks/", "GET", lambda w: ("tasks/", None)),
    Case("GET tasks/{id}/", "GET", _task_path("in_progress")),
    Case(
        "GET tasks/{id}/extensions/",
        "GET",
        lambda w: (f"tasks/{w.task_with_history().pk}/extensions/", None),
    ),
    Case(
        "GET tasks/{id}/events/",
        "GET",
        lambda w: (f"tasks/{w.task_with_history().pk}/events/", None),
    ),
    Case(
        "GET tasks/{id}/reports/",
        "GET",
        lambda w: (f"tasks/{w.task_with_history().pk}/reports/", None),
    ),
    Case("GET extensions/", "GET", lambda w: ("extensions/", None)),
    Case(
        "GET extensions/{id}/", "GET", lambda w: (f"extensions/{w.pending_extension().pk}/", None)
    ),
    Case("GET indicators/", "GET", lambda w: ("indicators/", None)),
    Case("GET indicators/{id}/", "GET", lambda w: (f"indicators/{w.indicator.pk}/", None)),
    # --- departments ---
    Case(
        "POST departments/",
        "POST",
        lambda w: ("departments/", {"code": "NEW01", "name": "新设单位", "kind": "town"}),
    ),
    Case(
        "PATCH departments/{id}/",
        "PATCH",
        lambda w: (f"departments/{w.lead.pk}/", {"short_name": "改名单位"}),
    ),
    # --- projects ---
    Case(
        "POST projects/",
        "POST",
        lambda w: (
            "projects/",
            {
                "code": "P-NEW",
                "name": "新建项目",
                "category": "district",
                "year": 2024,
                "stage": "reserve",
                "lead_department": w.lead.pk,
            },
        ),
    ),
    Case(
        "PATCH projects/{id}/ stage+description",
        "PATCH",
        lambda w: (
            f"projects/{w.project.pk}/",
            {"stage": "completed", "description": "主体工程已完工"},
        ),
    ),
    Case(
        "PATCH projects/{id}/ name",
        "PATCH",
        lambda w: (f"projects/{w.project.pk}/", {"name": "改名项目"}),
    ),
    Case(
        "PATCH projects/{id}/ stage+annual_plan_investment",
        "PATCH",
        lambda w: (
            f"projects/{w.project.pk}/",
            {"stage": "completed", "annual_plan_investment": "20000.00"},
        ),
    ),
    Case(
        "PATCH projects/{id}/ lead_department",
        "PATCH",
        lambda w: (f"projects/{w.project.pk}/", {"lead_department": w.other.pk}),
    ),
    Case(
        "PATCH projects/{id}/ stage+co_departments",
        "PATCH",
        lambda w: (
            f"projects/{w.project.pk}/",
            {"stage": "completed", "co_departments": [w.co.pk, w.other.pk]},
        ),
    ),
    Case("DELETE projects/{id}/", "DELETE", _bare_project),
    # --- milestones ---
    Case(
        "POST milestones/",
        "POST",
        lambda w: (
            "milestones/",
            {"project": w.project.pk, "name": "主体封顶", "due_date": "2024-10-31"},
        ),
    ),
    Case(
        "POST milestones/ (other department's project)",
        "POST",
        lambda w: (
            "milestones/",
            {"project": w.foreign_project.pk, "name": "主体封顶", "due_date": "2024-10-31"},
        ),
    ),
    Case(
        "PATCH milestones/{id}/",
        "PATCH",
        lambda w: (f"milestones/{w.milestone.pk}/", {"name": "节点改名"}),
    ),
    Case(
        "PATCH milestones/{id}/ move to other department's project",
        "PATCH",
        lambda w: (f"milestones/{w.milestone.pk}/", {"project": w.foreign_project.pk}),
    ),
    Case(
        "POST milestones/{id}/complete/",
        "POST",
        lambda w: (
            f"milestones/{w.milestone.pk}/complete/",
            {"completed_on": "2024-06-20", "note": "已通过验收"},
        ),
    ),
    # --- investment reports ---
    Case(
        "POST investment-reports/",
        "POST",
        lambda w: (
            "investment-reports/",
            {"project": w.project.pk, "period": "2024-05", "amount": "500.00", "note": "5月"},
        ),
    ),
    Case(
        "POST investment-reports/ (other department's project)",
        "POST",
        lambda w: (
            "investment-reports/",
            {"project": w.foreign_project.pk, "period": "2024-05", "amount": "500.00"},
        ),
    ),
    Case(
        "PATCH investment-reports/{id}/",
        "PATCH",
        lambda w: (
            f"investment-reports/{w.report.pk}/",
            {"amount": "1500.00", "reason": "录入有误"},
        ),
    ),
    # --- tasks ---
    Case(
        "POST tasks/",
        "POST",
        lambda w: (
            "tasks/",
            {
                "code": "T-NEW-1",
                "title": "新建督办事项",
                "source": "work_report",
                "domain": "economy",
                "lead_department": w.lead.pk,
                "deadline": "2024-12-31",
            },
        ),
    ),
    Case("PATCH tasks/{id}/", "PATCH", _with_body(_draft_task, {"title": "改名事项"})),
    Case("DELETE tasks/{id}/ (draft)", "DELETE", _draft_task),
    Case("POST tasks/{id}/assign/ (draft)", "POST", _with_body(_task_path("draft", "assign/"), {})),
    Case(
        "POST tasks/{id}/accept/ (assigned)",
        "POST",
        _with_body(_task_path("assigned", "accept/"), {"comment": "已签收"}),
    ),
    Case(
        "POST tasks/{id}/progress/ (in_progress)",
        "POST",
        _with_body(
            _task_path("in_progress", "progress/"),
            {"content": "完成征地 60%", "problems": "", "percent": 60, "value": "12.5"},
        ),
    ),
    Case(
        "POST tasks/{id}/submit/ (in_progress)",
        "POST",
        _with_body(_task_path("in_progress", "submit/"), {"summary": "已全部完成"}),
    ),
    Case(
        "POST tasks/{id}/verify/ approve (submitted)",
        "POST",
        _with_body(_task_path("submitted", "verify/"), {"approved": True, "comment": "同意销号"}),
    ),
    Case(
        "POST tasks/{id}/verify/ return (submitted)",
        "POST",
        _with_body(_task_path("submitted", "verify/"), {"approved": False, "comment": "佐证不足"}),
    ),
    Case(
        "POST tasks/{id}/cancel/ (in_progress)",
        "POST",
        _with_body(_task_path("in_progress", "cancel/"), {"reason": "任务调整"}),
    ),
    Case(
        "POST tasks/{id}/urge/ (in_progress)",
        "POST",
        _with_body(_task_path("in_progress", "urge/"), {"message": "请本周内报送进展"}),
    ),
    Case(
        "POST tasks/{id}/extensions/ (in_progress)",
        "POST",
        _with_body(
            _task_path("in_progress", "extensions/"),
            {"requested_deadline": "2025-01-31", "reason": "汛期停工"},
        ),
    ),
    Case(
        "POST extensions/{id}/approve/ (pending)",
        "POST",
        lambda w: (f"extensions/{w.pending_extension().pk}/approve/", {"comment": "同意"}),
    ),
    Case(
        "POST extensions/{id}/reject/ (pending)",
        "POST",
        lambda w: (f"extensions/{w.pending_extension().pk}/reject/", {"comment": "理由不充分"}),
    ),
    # --- kinds ---
    Case(
        "GET tasks/{id}/instructions/",
        "GET",
        lambda w: (f"tasks/{w.task('in_progress').pk}/instructions/", None),
    ),
    Case("GET proposals/stats/", "GET", lambda w: ("proposals/stats/", None)),
    Case(
        "POST tasks/ (instruction, code and deadline generated)",
        "POST",
        lambda w: (
            "tasks/",
            {
                "title": "区领导批示事项",
                "source": "instruction",
                "domain": "economy",
                "lead_department": w.lead.pk,
                "instruction": {
                    "leader": w.users["leader"].pk,
                    "instructed_on": "2024-06-24",
                    "text": "请抓紧办理。",
                    "urgency": "urgent",
                },
            },
        ),
    ),
    Case(
        "POST tasks/{id}/instructions/ (in_progress)",
        "POST",
        _with_body(
            _task_path("in_progress", "instructions/"),
            lambda w: {"text": "请加快进度。", "leader": w.users["leader"].pk},
        ),
    ),
    Case(
        "POST tasks/{id}/reply/ (proposal in_progress)",
        "POST",
        lambda w: (
            f"tasks/{w.proposal('in_progress').pk}/reply/",
            {"reply_class": "A", "replied_on": "2024-06-20", "summary": "已采纳"},
        ),
    ),
    Case(
        "POST tasks/{id}/satisfaction/ (proposal replied)",
        "POST",
        lambda w: (
            f"tasks/{w.proposal('in_progress', replied=True).pk}/satisfaction/",
            {"satisfaction": "satisfied", "met_on": "2024-06-21"},
        ),
    ),
    # --- indicators ---
    Case(
        "PATCH indicators/{id}/",
        "PATCH",
        lambda w: (f"indicators/{w.indicator.pk}/", {"name": "地区生产总值增速"}),
    ),
    # --- 八张报表 (issue 15) ---
    Case("GET rankings/", "GET", lambda w: ("rankings/?period=2024Q2", None)),
    Case("GET report-cards/", "GET", lambda w: ("report-cards/?period=2024Q2", None)),
    Case("GET scoring-rules/", "GET", lambda w: ("scoring-rules/", None)),
    Case("GET scoring-rules/{domain}/", "GET", lambda w: ("scoring-rules/economy/", None)),
    Case("GET score-adjustments/", "GET", lambda w: ("score-adjustments/", None)),
    Case(
        "GET score-adjustments/{id}/",
        "GET",
        lambda w: (f"score-adjustments/{w.adjustment().pk}/", None),
    ),
    # --- 八张问题清单 (issue 15) ---
    Case("GET problems/stats/", "GET", lambda w: ("problems/stats/", None)),
    Case(
        "GET tasks/{id}/follow-ups/",
        "GET",
        lambda w: (f"tasks/{w.problem('in_progress').pk}/follow-ups/", None),
    ),
    Case(
        "POST tasks/{id}/follow-ups/ (problem in_progress)",
        "POST",
        lambda w: (
            f"tasks/{w.problem('in_progress').pk}/follow-ups/",
            {"title": "建立长效机制", "lead_department": w.lead.pk, "deadline": "2024-10-31"},
        ),
    ),
    # --- 激励问责 (issue 15) ---
    Case("GET interventions/", "GET", lambda w: ("interventions/", None)),
    Case(
        "GET interventions/{id}/", "GET", lambda w: (f"interventions/{w.intervention().pk}/", None)
    ),
    Case(
        "GET interventions/proposals/",
        "GET",
        lambda w: ("interventions/proposals/?period=2024Q2", None),
    ),
    Case(
        "GET interventions/{id}/bundle/",
        "GET",
        lambda w: (f"interventions/{w.intervention('referral').pk}/bundle/", None),
    ),
    Case(
        "POST interventions/",
        "POST",
        lambda w: (
            "interventions/",
            {
                "type": "best_practice",
                "department": w.lead.pk,
                "occurred_on": "2024-06-20",
                "summary": "“一窗通办”经验做法",
            },
        ),
    ),
    Case(
        "POST report-cards/publish/",
        "POST",
        lambda w: ("report-cards/publish/", {"period": "2024Q1"}),
    ),
    Case(
        "PATCH scoring-rules/{domain}/",
        "PATCH",
        lambda w: ("scoring-rules/economy/", {"nodes_weight": 30}),
    ),
    Case(
        "POST score-adjustments/",
        "POST",
        lambda w: (
            "score-adjustments/",
            {
                "department": w.lead.pk,
                "period": "2024Q2",
                "domain": "economy",
                "points": "-1.5",
                "reason": "信息报送迟缓",
            },
        ),
    ),
]


# --- attachments (a file on a progress report of the lead department; a milestone's file) ---


def _attachment(w: World, target: str = "progress_report") -> Attachment:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supervision.files.services import attachment_upload

    if target == "milestone":
        parent = w.milestone
    else:
        task = w.task("in_progress")
        parent = ProgressReport.objects.create(
            task=task, department=w.lead, author=w.users["owner"], content="进展", created_at=AT
        )
    return attachment_upload(
        actor=w.users["owner"],
        upload=SimpleUploadedFile("现场.pdf", samples.pdf()),
        target_type=target,
        target_id=parent.pk,
    )


def _upload_to(target: str):
    def build(w: World):
        from django.core.files.uploadedfile import SimpleUploadedFile

        body = {"file": SimpleUploadedFile("验收.pdf", samples.pdf())}
        if target == "progress_report":
            task = w.task("in_progress")
            report = ProgressReport.objects.create(
                task=task, department=w.lead, author=w.users["owner"], content="进展", created_at=AT
            )
            body.update(target_type=target, target_id=report.pk)
        elif target == "milestone":
            body.update(target_type=target, target_id=w.milestone.pk)
        return "attachments/", body

    return build


CASES += [
    Case("GET attachments/", "GET", lambda w: ("attachments/", None)),
    Case("GET attachments/{id}/", "GET", lambda w: (f"attachments/{_attachment(w).pk}/", None)),
    Case(
        "GET attachments/{id}/download/",
        "GET",
        lambda w: (f"attachments/{_attachment(w).pk}/download/", None),
    ),
    Case("POST attachments/ (progress report)", "POST", _upload_to("progress_report"), "multipart"),
    Case("POST attachments/ (milestone)", "POST", _upload_to("milestone"), "multipart"),
    Case("POST attachments/ (staged)", "POST", _upload_to(""), "multipart"),
    Case(
        "DELETE attachments/{id}/ (progress report: frozen)",
        "DELETE",
        lambda w: (f"attachments/{_attachment(w).pk}/", None),
    ),
    Case(
        "DELETE attachments/{id}/ (open milestone)",
        "DELETE",
        lambda w: (f"attachments/{_attachment(w, 'milestone').pk}/", None),
    ),
]


def _document(w: World) -> int:
    from supervision.files.documents.services import document_generate

    return document_generate(
        actor=w.users["supervisor"], type="urge", task=w.task("in_progress")
    ).pk


CASES += [
    Case("GET documents/", "GET", lambda w: ("documents/", None)),
    Case("GET documents/{id}/", "GET", lambda w: (f"documents/{_document(w)}/", None)),
    Case(
        "GET documents/{id}/download/",
        "GET",
        lambda w: (f"documents/{_document(w)}/download/", None),
    ),
    Case(
        "POST documents/",
        "POST",
        lambda w: ("documents/", {"type": "duban", "task": w.task("in_progress").pk}),
    ),
    Case("GET tasks/{id}/sheet/", "GET", _task_path("in_progress", "sheet/")),
]

# --- nodes (issue 13): the office sets/edits/approves; the lead unit proposes and completes ---


def _node(w: World, status: str = "approved", task_status: str = "in_progress") -> Node:
    return Node.objects.create(
        task=w.task(task_status),
        sequence=1,
        title="一季度",
        due_date=dt.date(2024, 6, 30),
        target_value=Decimal("25"),
        status=status,
    )


CASES += [
    Case("GET nodes/", "GET", lambda w: ("nodes/", None)),
    Case("GET nodes/{id}/", "GET", lambda w: (f"nodes/{_node(w).pk}/", None)),
    Case("GET tasks/{id}/nodes/", "GET", lambda w: (f"tasks/{_node(w).task_id}/nodes/", None)),
    Case(
        "POST tasks/{id}/nodes/ (in_progress)",
        "POST",
        _with_body(
            _task_path("in_progress", "nodes/"),
            {"title": "二季度", "due_date": "2024-09-30", "target_value": "50"},
        ),
    ),
    Case(
        "POST tasks/{id}/nodes/approve/ (proposed)",
        "POST",
        lambda w: (f"tasks/{_node(w, 'proposed').task_id}/nodes/approve/", {}),
    ),
    Case(
        "PATCH nodes/{id}/",
        "PATCH",
        lambda w: (f"nodes/{_node(w).pk}/", {"due_date": "2024-07-15"}),
    ),
    Case("DELETE nodes/{id}/", "DELETE", lambda w: (f"nodes/{_node(w).pk}/", None)),
    Case(
        "POST nodes/{id}/complete/",
        "POST",
        lambda w: (
            f"nodes/{_node(w).pk}/complete/",
            {"completed_on": "2024-06-27", "value": "26", "note": "完成"},
        ),
    ),
]


# --- the expected table (API.md's "who writes") -------------------------------------------

READ = (200, 200, 200, 200, 200, 200, 200, 401)

# fmt: off
EXPECTED = {
    #                                                        sup  lead  own   co  other view rtok anon
    "GET me/":                                               READ,
    "GET departments/":                                      READ,
    "GET departments/{id}/":                                 READ,
    "GET users/":                                            READ,
    # users/: an owner or viewer sees only whom their cockpit shows (own department, leaders)
    "GET users/{id}/ (the lead department's owner)":         (200, 200, 200, 404, 404, 404, 200, 401),
    "GET auth/tokens/":                                      READ,
    # tokens: DELETE auth/token/ needs a token (the other roles here use a browser session)
    "DELETE auth/token/":                                    (400, 400, 400, 400, 400, 400, 204, 401),
    "DELETE auth/tokens/{id}/ (the supervisor's)":           (204, 404, 404, 404, 404, 404, 204, 401),
    "GET projects/":                                         READ,
    "GET projects/{id}/":                                    READ,
    "GET milestones/":                                       READ,
    "GET milestones/{id}/":                                  READ,
    "GET investment-reports/":                               READ,
    "GET investment-reports/{id}/":                          READ,
    "GET tasks/":                                            READ,
    "GET tasks/{id}/":                                       READ,
    "GET tasks/{id}/extensions/":                            READ,
    "GET tasks/{id}/events/":                                READ,
    "GET tasks/{id}/reports/":                               READ,
    "GET extensions/":                                       READ,
    "GET extensions/{id}/":                                  READ,
    "GET indicators/":                                       READ,
    "GET indicators/{id}/":                                  READ,
    # departments: supervisor
    "POST departments/":                                     (201, 403, 403, 403, 403, 403, 403, 401),
    "PATCH departments/{id}/":                               (200, 403, 403, 403, 403, 403, 403, 401),
    # projects: supervisor; the lead department's owners may PATCH stage and description only
    "POST projects/":                                        (201, 403, 403, 403, 403, 403, 403, 401),
    "PATCH projects/{id}/ stage+description":                (200, 403, 200, 403, 403, 403, 403, 401),
    "PATCH projects/{id}/ name":                             (200, 403, 403, 403, 403, 403, 403, 401),
    "PATCH projects/{id}/ stage+annual_plan_investment":     (200, 403, 403, 403, 403, 403, 403, 401),
    "PATCH projects/{id}/ lead_department":                  (200, 403, 403, 403, 403, 403, 403, 401),
    "PATCH projects/{id}/ stage+co_departments":             (200, 403, 403, 403, 403, 403, 403, 401),
    "DELETE projects/{id}/":                                 (204, 403, 403, 403, 403, 403, 403, 401),
    # milestones: supervisor; owners of the project's lead department
    "POST milestones/":                                      (201, 403, 201, 403, 403, 403, 403, 401),
    "POST milestones/ (other department's project)":         (201, 403, 403, 403, 201, 403, 403, 401),
    "PATCH milestones/{id}/":                                (200, 403, 200, 403, 403, 403, 403, 401),
    "PATCH milestones/{id}/ move to other department's project":
                                                             (200, 403, 403, 403, 403, 403, 403, 401),
    "POST milestones/{id}/complete/":                        (200, 403, 200, 403, 403, 403, 403, 401),
    # investment reports: owners of the project's lead department; supervisor
    "POST investment-reports/":                              (201, 403, 201, 403, 403, 403, 403, 401),
    "POST investment-reports/ (other department's project)": (201, 403, 403, 403, 201, 403, 403, 401),
    "PATCH investment-reports/{id}/":                        (200, 403, 200, 403, 403, 403, 403, 401),
    # tasks: supervisor
    "POST tasks/":                                           (201, 403, 403, 403, 403, 403, 403, 401),
    "PATCH tasks/{id}/":                                     (200, 403, 403, 403, 403, 403, 403, 401),
    "DELETE tasks/{id}/ (draft)":                            (204, 403, 403, 403, 403, 403, 403, 401),
    # the closed loop
    "POST tasks/{id}/assign/ (draft)":                       (200, 403, 403, 403, 403, 403, 403, 401),
    "POST tasks/{id}/accept/ (assigned)":                    (403, 403, 200, 403, 403, 403, 403, 401),
    "POST tasks/{id}/progress/ (in_progress)":               (403, 403, 201, 201, 403, 403, 403, 401),
    "POST tasks/{id}/submit/ (in_progress)":                 (403, 403, 200, 403, 403, 403, 403, 401),
    "POST tasks/{id}/verify/ approve (submitted)":           (200, 403, 403, 403, 403, 403, 403, 401),
    "POST tasks/{id}/verify/ return (submitted)":            (200, 403, 403, 403, 403, 403, 403, 401),
    "POST tasks/{id}/cancel/ (in_progress)":                 (200, 403, 403, 403, 403, 403, 403, 401),
    "POST tasks/{id}/urge/ (in_progress)":                   (201, 403, 403, 403, 403, 403, 403, 401),
    # extensions: the lead department's owner asks, the supervisor decides
    "POST tasks/{id}/extensions/ (in_progress)":             (403, 403, 201, 403, 403, 403, 403, 401),
    "POST extensions/{id}/approve/ (pending)":               (200, 403, 403, 403, 403, 403, 403, 401),
    "POST extensions/{id}/reject/ (pending)":                (200, 403, 403, 403, 403, 403, 403, 401),
    # kinds: leaders (and the office on their behalf) 批示; the lead unit replies; the office
    # records the proposer's satisfaction
    "GET tasks/{id}/instructions/":                          READ,
    "GET proposals/stats/":                                  READ,
    "POST tasks/ (instruction, code and deadline generated)":
                                                             (201, 403, 403, 403, 403, 403, 403, 401),
    "POST tasks/{id}/instructions/ (in_progress)":           (201, 201, 403, 403, 403, 403, 403, 401),
    "POST tasks/{id}/reply/ (proposal in_progress)":         (403, 403, 200, 403, 403, 403, 403, 401),
    "POST tasks/{id}/satisfaction/ (proposal replied)":      (200, 403, 403, 403, 403, 403, 403, 401),
    # indicators: supervisor
    "PATCH indicators/{id}/":                                (200, 403, 403, 403, 403, 403, 403, 401),
    # attachments: whoever may write the target uploads; whoever may read it lists and downloads
    # (another unit: 404); a submitted record's file is superseded, never deleted (409)
    "GET attachments/":                                      READ,
    "GET attachments/{id}/":                                 (200, 200, 200, 200, 404, 200, 200, 401),
    "GET attachments/{id}/download/":                        (200, 200, 200, 200, 404, 200, 200, 401),
    "POST attachments/ (progress report)":                   (403, 403, 201, 403, 403, 403, 403, 401),
    "POST attachments/ (milestone)":                         (201, 403, 201, 403, 403, 403, 403, 401),
    "POST attachments/ (staged)":                            (201, 403, 201, 201, 201, 403, 403, 401),
    "DELETE attachments/{id}/ (progress report: frozen)":    (403, 403, 409, 403, 404, 403, 403, 401),
    "DELETE attachments/{id}/ (open milestone)":             (204, 403, 204, 403, 404, 403, 403, 401),
    # documents: the office generates; a unit reads its own and district-wide ones
    "GET documents/":                                        READ,
    "GET documents/{id}/":                                   (200, 200, 200, 200, 404, 200, 200, 401),
    "GET documents/{id}/download/":                          (200, 200, 200, 200, 404, 200, 200, 401),
    "POST documents/":                                       (201, 403, 403, 403, 403, 403, 403, 401),
    "GET tasks/{id}/sheet/":                                 READ,
    # 八张报表: everybody reads; the office publishes, sets the rules and adjusts
    "GET rankings/":                                         READ,
    "GET report-cards/":                                     READ,
    "GET scoring-rules/":                                    READ,
    "GET scoring-rules/{domain}/":                           READ,
    "GET score-adjustments/":                                READ,
    "GET score-adjustments/{id}/":                           READ,
    "POST report-cards/publish/":                            (201, 403, 403, 403, 403, 403, 403, 401),
    "PATCH scoring-rules/{domain}/":                         (200, 403, 403, 403, 403, 403, 403, 401),
    "POST score-adjustments/":                               (201, 403, 403, 403, 403, 403, 403, 401),
    # 八张问题清单: everybody reads; the office spawns follow-up tasks
    "GET problems/stats/":                                   READ,
    # 激励问责: everybody reads the records; the 问责移送 bundle (evidence) as attachments are
    # read — another unit 404; the office records
    "GET interventions/":                                    READ,
    "GET interventions/{id}/":                               READ,
    "GET interventions/proposals/":                          READ,
    "GET interventions/{id}/bundle/":                        (200, 200, 200, 404, 404, 200, 200, 401),
    "POST interventions/":                                   (201, 403, 403, 403, 403, 403, 403, 401),
    "GET tasks/{id}/follow-ups/":                            READ,
    "POST tasks/{id}/follow-ups/ (problem in_progress)":     (201, 403, 403, 403, 403, 403, 403, 401),
}
# fmt: on

# --- phased targets (issue 13): indicator values, split, reassignment, rating ------------


def _unit_indicator(w: World) -> Indicator:
    w.indicator.department = w.lead  # the lead department is its responsible unit
    w.indicator.save(update_fields=["department"])
    return w.indicator


def _with_open_child(w: World) -> Task:
    parent = w.task("in_progress")
    factories.TaskFactory(status="assigned", parent=parent, lead_department=w.other)
    return parent


def _just_assigned(w: World) -> Task:
    task = w.task("assigned")
    task.assigned_at = dt.datetime(2024, 6, 27, 1, tzinfo=dt.UTC)
    task.save(update_fields=["assigned_at"])
    return task


def _pending_reassign(w: World) -> ReassignRequest:
    return ReassignRequest.objects.create(
        task=_just_assigned(w),
        department=w.lead,
        suggested_department=w.other,
        reason="职能不符",
        requested_by=w.users["owner"],
        created_at=AT,
    )


CASES += [
    Case(
        "GET indicators/{id}/values/",
        "GET",
        lambda w: (f"indicators/{_unit_indicator(w).pk}/values/", None),
    ),
    Case(
        "POST indicators/{id}/values/",
        "POST",
        lambda w: (
            f"indicators/{_unit_indicator(w).pk}/values/",
            {"period": "2024-05", "value": "6.1", "note": "统计快报"},
        ),
    ),
    Case(
        "POST tasks/{id}/split/ (in_progress)",
        "POST",
        lambda w: (
            f"tasks/{w.task('in_progress').pk}/split/",
            {"children": [{"lead_department": w.other.pk, "target_value": "10"}]},
        ),
    ),
    Case(
        "POST tasks/{id}/split-override/ (open child)",
        "POST",
        lambda w: (f"tasks/{_with_open_child(w).pk}/split-override/", {"reason": "先行验收"}),
    ),
    Case(
        "GET tasks/{id}/reassign-requests/",
        "GET",
        lambda w: (f"tasks/{_pending_reassign(w).task_id}/reassign-requests/", None),
    ),
    Case("GET reassign-requests/", "GET", lambda w: ("reassign-requests/", None)),
    Case(
        "GET reassign-requests/{id}/",
        "GET",
        lambda w: (f"reassign-requests/{_pending_reassign(w).pk}/", None),
    ),
    Case(
        "POST tasks/{id}/reassign-requests/ (just assigned)",
        "POST",
        lambda w: (
            f"tasks/{_just_assigned(w).pk}/reassign-requests/",
            {"reason": "职能不符", "suggested_department": w.other.pk},
        ),
    ),
    Case(
        "POST reassign-requests/{id}/approve/ (pending)",
        "POST",
        lambda w: (f"reassign-requests/{_pending_reassign(w).pk}/approve/", {"comment": "同意"}),
    ),
    Case(
        "POST tasks/{id}/rating/ (closed)",
        "POST",
        _with_body(_task_path("closed", "rating/"), {"rating": "completed", "comment": ""}),
    ),
    Case(
        "POST reassign-requests/{id}/reject/ (pending)",
        "POST",
        lambda w: (f"reassign-requests/{_pending_reassign(w).pk}/reject/", {"comment": "职能相符"}),
    ),
]
# fmt: off
EXPECTED.update({
    #                                                        sup  lead  own   co  other view rtok anon
    "GET indicators/{id}/values/":                           READ,
    # the indicator's responsible unit (here the lead department) and the office
    "POST indicators/{id}/values/":                          (201, 403, 201, 403, 403, 403, 403, 401),
    # 末端落实: the office splits and lets a parent with open children through
    "POST tasks/{id}/split/ (in_progress)":                  (201, 403, 403, 403, 403, 403, 403, 401),
    "POST tasks/{id}/split-override/ (open child)":          (200, 403, 403, 403, 403, 403, 403, 401),
    # 调整牵头单位: the lead unit asks (within the window), the office decides
    "GET tasks/{id}/reassign-requests/":                     READ,
    "GET reassign-requests/":                                READ,
    "GET reassign-requests/{id}/":                           READ,
    "POST tasks/{id}/reassign-requests/ (just assigned)":    (403, 403, 201, 403, 403, 403, 403, 401),
    "POST reassign-requests/{id}/approve/ (pending)":        (200, 403, 403, 403, 403, 403, 403, 401),
    "POST reassign-requests/{id}/reject/ (pending)":         (200, 403, 403, 403, 403, 403, 403, 401),
    # 年度评定: the office
    "POST tasks/{id}/rating/ (closed)":                      (200, 403, 403, 403, 403, 403, 403, 401),
})
# fmt: on

# nodes: everybody reads; the office sets (approved), edits, approves and deletes; the lead
# unit proposes after 签收 (proposed) and completes an approved node
EXPECTED.update(
    {
        "GET nodes/": READ,
        "GET nodes/{id}/": READ,
        "GET tasks/{id}/nodes/": READ,
        "POST tasks/{id}/nodes/ (in_progress)": (201, 403, 201, 403, 403, 403, 403, 401),
        "POST tasks/{id}/nodes/approve/ (proposed)": (200, 403, 403, 403, 403, 403, 403, 401),
        "PATCH nodes/{id}/": (200, 403, 403, 403, 403, 403, 403, 401),
        "DELETE nodes/{id}/": (204, 403, 403, 403, 403, 403, 403, 401),
        "POST nodes/{id}/complete/": (403, 403, 200, 403, 403, 403, 403, 401),
    }
)

# global search (issue 17): everybody reads
CASES += [Case("GET search/", "GET", lambda w: ("search/?q=项目", None))]
EXPECTED["GET search/"] = READ

# 建议提案办理台账 (Excel) from the API: everybody reads, as proposals/stats/
CASES += [Case("GET exports/proposals.xlsx", "GET", lambda w: ("exports/proposals.xlsx", None))]
EXPECTED["GET exports/proposals.xlsx"] = READ


def test_the_table_covers_every_case():
    assert sorted(EXPECTED) == sorted(case.name for case in CASES)
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


def _acceptable(expected: int, role: str) -> set[int]:
    # An owner of another department may also be told the object does not exist.
    if expected == 403 and role == "other_owner":
        return {403, 404}
    return {expected}


def _request(client: APIClient, method: str, path: str, body, fmt: str = "json"):
    call = getattr(client, method.lower())
    if body is None:
        return call(API + path)
    return call(API + path, body, format=fmt)


def _check(case: Case, world: World, client: APIClient, expected: set[int]):
    path, body = case.build(world)
    before = db_state() if case.is_write else None
    response = _request(client, case.method, path, body, case.format)
    assert response.status_code in expected, (
        f"{case.method} {path}: expected {sorted(expected)}, got {response.status_code}: "
        f"{response.content[:500]!r}"
    )
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json")
        assert "code" in response.json(), response.json()
    if not case.is_write:
        return
    after = db_state()
    if response.status_code >= 400:
        changed = {label for label in before if before[label] != after[label]}
        assert not changed, f"a refused {case.method} {path} changed {sorted(changed)}"
    else:
        assert before != after, f"an accepted {case.method} {path} changed nothing"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_permission_matrix(case, role, world):
    expected = EXPECTED[case.name][ROLES.index(role)]
    _check(case, world, client_for(world, role), _acceptable(expected, role))


# --- spot checks -------------------------------------------------------------------------

SUPERVISOR = ROLES.index("supervisor")


# Tokens are personal: a superuser revokes other people's in the admin, not via the API.
SUPERVISOR_WRITES = [c for c in CASES if c.is_write and "auth/token" not in c.name]


@pytest.mark.parametrize("case", SUPERVISOR_WRITES, ids=[c.name for c in SUPERVISOR_WRITES])
def test_superuser_counts_as_supervisor(case, world):
    """A superuser whose role is not ``supervisor`` still gets the supervisor's column."""
    superuser = factories.UserFactory(role=Role.VIEWER, is_superuser=True, is_staff=True)
    client = new_client()
    client.force_login(superuser)
    _check(case, world, client, {EXPECTED[case.name][SUPERVISOR]})


WRITE_TOKEN_CASES = [
    ("supervisor", "POST departments/", 201),
    ("supervisor", "POST tasks/{id}/assign/ (draft)", 200),
    ("supervisor", "PATCH indicators/{id}/", 200),
    ("owner", "POST tasks/{id}/accept/ (assigned)", 200),
    ("owner", "POST investment-reports/", 201),
    ("co_owner", "POST tasks/{id}/progress/ (in_progress)", 201),
    ("other_owner", "POST tasks/{id}/accept/ (assigned)", 403),
    ("other_owner", "PATCH milestones/{id}/", 403),
]


@pytest.mark.parametrize(("role", "name", "expected"), WRITE_TOKEN_CASES)
def test_write_token_acts_as_its_user(role, name, expected, world):
    """A write-scoped token gets its user's rights: the read token's 403s are its scope."""
    case = next(c for c in CASES if c.name == name)
    _, plaintext = token_issue(user=world.users[role], scope="write")
    client = new_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    _check(case, world, client, _acceptable(expected, role))


@pytest.mark.parametrize(
    "header",
    ["Bearer wl_nope_nope", "Bearer garbage", "Bearer "],
    ids=["unknown-token", "malformed-token", "empty-token"],
)
def test_bad_token_is_401_on_reads_and_writes(header, world):
    client = new_client()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(API + "tasks/").status_code == 401
    before = db_state()
    response = client.post(API + "departments/", {"code": "X1", "name": "X", "kind": "town"})
    assert response.status_code == 401
    assert db_state() == before


def test_revoked_token_is_401(world):
    from core import clock

    token, plaintext = token_issue(user=world.users["supervisor"], scope="write")
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    client = new_client()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(API + "me/").status_code == 401


# --- found while building the matrix -----------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "amount"),
    [("1.00", "1000.00"), ("10000.00", "99999999.00")],
    ids=["tiny-plan", "typo-in-monthly-figure"],
)
def test_completion_rate_beyond_99999_percent_is_not_a_500(plan, amount, world):
    """API.md: "Never 500 for any input". Both figures pass validation; their ratio (the
    derived completion rate, ≥ 100000 %) must not break the project endpoints."""
    supervisor = client_for(world, "supervisor")
    owner = client_for(world, "owner")
    project = world.project
    response = supervisor.patch(
        API + f"projects/{project.pk}/", {"annual_plan_investment": plan}, format="json"
    )
    assert response.status_code == 200, response.content[:300]
    response = owner.post(
        API + "investment-reports/",
        {"project": project.pk, "period": "2024-05", "amount": amount},
        format="json",
    )
    assert response.status_code == 201, response.content[:300]
    for path in ("projects/", f"projects/{project.pk}/"):
        response = owner.get(API + path)
        assert response.status_code == 200, (path, response.content[:300])
