import datetime as dt
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import Department
from projects.models import InvestmentReport, Milestone, Project
from supervision.models import ExtensionRequest, Node, ProgressReport, Task, TaskEvent
from tests import factories
from tests.clients import API

AT = dt.datetime(2024, 6, 3, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Every test stores files in its own folder (the file-system storage)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.FILES_DELIVERY = "stream"
    return tmp_path / "media"


@dataclass
class World:
    lead: Department
    co: Department
    other: Department
    users: dict
    project: Project
    task: Task
    report: ProgressReport
    extension: ExtensionRequest
    submitted: Task
    submission: TaskEvent
    milestone: Milestone
    investment: InvestmentReport
    node: Node

    def client(self, role: str) -> APIClient:
        client = APIClient()
        client.raise_request_exception = False
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


@pytest.fixture
def world(db, supervisor):
    lead, co, other = factories.DepartmentFactory.create_batch(3)
    users = {
        "supervisor": supervisor,
        "leader": factories.UserFactory(role=Role.LEADER),
        "owner": factories.UserFactory(role=Role.OWNER, department=lead),
        "co_owner": factories.UserFactory(role=Role.OWNER, department=co),
        "other_owner": factories.UserFactory(role=Role.OWNER, department=other),
        "viewer": factories.UserFactory(role=Role.VIEWER),
    }
    project = factories.ProjectFactory(lead_department=lead)
    task = factories.TaskFactory(
        status="in_progress", lead_department=lead, co_departments=[co], project=project
    )
    report = ProgressReport.objects.create(
        task=task, department=lead, author=users["owner"], content="已完成选址", created_at=AT
    )
    extension = ExtensionRequest.objects.create(
        task=task,
        requested_by=users["owner"],
        original_deadline=task.deadline,
        requested_deadline=dt.date(2025, 3, 31),
        reason="汛期停工",
        created_at=AT,
    )
    submitted = factories.TaskFactory(status="submitted", lead_department=lead)
    submission = TaskEvent.objects.create(
        task=submitted,
        actor=users["owner"],
        action="submit",
        from_status="in_progress",
        to_status="submitted",
        created_at=AT,
    )
    milestone = factories.MilestoneFactory(project=project)
    investment = factories.InvestmentReportFactory(project=project, reported_by=users["owner"])
    node = Node.objects.create(
        task=task,
        sequence=1,
        title="完成主体施工",
        due_date=dt.date(2024, 9, 30),
        target_text="主体完工",
        status="approved",
    )
    return World(
        lead,
        co,
        other,
        users,
        project,
        task,
        report,
        extension,
        submitted,
        submission,
        milestone,
        investment,
        node,
    )


def upload(client, content: bytes, name: str = "佐证.pdf", **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile(name, content)}
    data.update({key: "" if value is None else value for key, value in fields.items()})
    return client.post(API + "attachments/", data, format="multipart")
