"""Every way of writing to a project goes through its service, which writes one AuditRecord
(before/after) in the write's transaction: the API, the cockpit forms, the admin (which
cannot change a reported amount or a completion date in place) and the Excel import (tasks:
their trail is the TaskEvent log)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import AuditRecord
from projects.models import InvestmentReport, InvestmentReportRevision, Milestone
from supervision.loop.models import Task, TaskEvent
from supervision.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.clients import API, session_client
from tests.excel.conftest import post_sheet, workbook_bytes

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 6, 28)


@pytest.fixture(autouse=True)
def _today(settings):
    settings.SUPERVISION_TODAY = TODAY


@pytest.fixture
def project(department):
    return factories.ProjectFactory(lead_department=department, year=2024)


@pytest.fixture
def milestone(project):
    return factories.MilestoneFactory(project=project, due_date=dt.date(2024, 6, 30))


@pytest.fixture
def admin_client(supervision_office):
    user = factories.UserFactory(
        role=Role.SUPERVISOR, department=supervision_office, is_staff=True, is_superuser=True
    )
    return session_client(user), user


def only_audit(model: str) -> AuditRecord:
    records = list(AuditRecord.objects.filter(model=model))
    assert len(records) == 1, records
    return records[0]


# --- API ---------------------------------------------------------------------------------


def test_api_milestone_complete_audits_once_and_records_who(owner_api, owner, milestone):
    endpoint = WebhookEndpoint.objects.create(name="r", url="https://example.com/h", secret="s")

    response = owner_api.post(
        f"{API}milestones/{milestone.pk}/complete/", {"completed_on": "2024-06-20"}, format="json"
    )

    assert response.status_code == 200, response.content
    record = only_audit("projects.Milestone")
    assert (record.actor, record.action) == (owner, "complete")
    assert record.before["completed_on"] is None
    assert record.before["completed_by"] is None
    assert record.after["completed_on"] == "2024-06-20"
    assert record.after["completed_by"] == owner.pk
    saved = Milestone.objects.get(pk=milestone.pk)
    assert (saved.completed_on, saved.completed_by) == (dt.date(2024, 6, 20), owner)
    assert saved.completed_at is not None
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.event_type == "milestone.completed"
    assert delivery.payload["data"]["completed_by"] == owner.pk


def test_api_investment_correction_audits_before_and_after(owner_api, owner, project):
    report = factories.InvestmentReportFactory(
        project=project, period=dt.date(2024, 5, 1), amount=Decimal("100.00")
    )

    response = owner_api.patch(
        f"{API}investment-reports/{report.pk}/",
        {"amount": "120.50", "reason": "统计口径有误"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert "reason" not in response.json()  # write-only: it lives in the revision
    record = only_audit("projects.InvestmentReport")
    assert (record.actor, record.action) == (owner, "correct")
    assert (record.before["amount"], record.after["amount"]) == ("100.00", "120.50")
    assert record.after["reason"] == "统计口径有误"
    revision = InvestmentReportRevision.objects.get(report=report)
    assert (revision.amount, revision.reason, revision.revised_by) == (
        Decimal("100.00"),
        "统计口径有误",
        owner,
    )


@pytest.mark.parametrize("body", [{"amount": "120.50"}, {"amount": "120.50", "reason": "  "}])
def test_api_investment_correction_without_a_reason_is_400_and_changes_nothing(
    owner_api, project, body
):
    """The API asks for the reason as the cockpit does (issue 17 item 4)."""
    report = factories.InvestmentReportFactory(
        project=project, period=dt.date(2024, 5, 1), amount=Decimal("100.00")
    )

    response = owner_api.patch(f"{API}investment-reports/{report.pk}/", body, format="json")

    assert response.status_code == 400
    assert "请填写更正理由" in str(response.json())
    report.refresh_from_db()
    assert report.amount == Decimal("100.00")
    assert not InvestmentReportRevision.objects.exists()


def test_api_refused_write_changes_and_audits_nothing(other_owner_api, milestone):
    response = other_owner_api.post(
        f"{API}milestones/{milestone.pk}/complete/", {"completed_on": "2024-06-20"}, format="json"
    )
    assert response.status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).completed_on is None
    assert not AuditRecord.objects.exists()


# --- cockpit -------------------------------------------------------------------------------


def test_cockpit_investment_form_audits_once(owner_client, owner, project):
    response = owner_client.post(
        reverse("web:project-invest", args=[project.pk]),
        {"invest-period": "2024-05", "invest-amount": "800.50"},
    )

    assert response.status_code == 302
    record = only_audit("projects.InvestmentReport")
    assert (record.actor, record.action, record.before) == (owner, "create", None)
    assert record.after["amount"] == "800.50"
    assert record.after["reported_by"] == owner.pk


def test_cockpit_milestone_form_audits_once(supervisor_client, supervisor, project, milestone):
    response = supervisor_client.post(
        reverse("web:project-milestone-complete", args=[project.pk]),
        {"milestone-milestone": milestone.pk, "milestone-completed_on": "2024-06-03"},
    )

    assert response.status_code == 302
    record = only_audit("projects.Milestone")
    assert (record.actor, record.action) == (supervisor, "complete")
    assert (record.before["completed_on"], record.after["completed_on"]) == (None, "2024-06-03")
    assert Milestone.objects.get(pk=milestone.pk).completed_by == supervisor


# --- admin ---------------------------------------------------------------------------------


def test_admin_action_completes_through_the_service(admin_client, milestone):
    client, user = admin_client

    response = client.post(
        reverse("admin:projects_milestone_changelist"),
        {"action": "complete_today", "_selected_action": [milestone.pk]},
    )

    assert response.status_code == 302
    record = only_audit("projects.Milestone")
    assert (record.actor, record.action) == (user, "complete")
    assert (record.before["completed_on"], record.after["completed_on"]) == (None, "2024-06-28")
    assert Milestone.objects.get(pk=milestone.pk).completed_by == user


def test_admin_project_edit_goes_through_the_service(admin_client, project):
    client, user = admin_client
    url = reverse("admin:projects_project_change", args=[project.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    data.update(
        name="改过的名称",
        lead_department=project.lead_department_id,
        co_departments=[],
        **{
            f"{prefix}-{key}": value
            for prefix in ("milestones", "investment_reports")
            for key, value in {
                "TOTAL_FORMS": 0,
                "INITIAL_FORMS": 0,
                "MIN_NUM_FORMS": 0,
                "MAX_NUM_FORMS": 1000,
            }.items()
        },
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    record = only_audit("projects.Project")
    assert (record.actor, record.action) == (user, "update")
    assert record.before["name"] == project.name
    assert record.after["name"] == "改过的名称"


def test_admin_cannot_change_an_amount_or_a_completion_date_in_place(admin_client, milestone):
    client, _ = admin_client
    report = factories.InvestmentReportFactory(project=milestone.project, amount=Decimal("5.00"))

    page = client.get(reverse("admin:projects_investmentreport_change", args=[report.pk]))
    response = client.post(
        reverse("admin:projects_investmentreport_change", args=[report.pk]),
        {"amount": "999.00"},
    )

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert response.status_code == 403
    assert InvestmentReport.objects.get(pk=report.pk).amount == Decimal("5.00")
    form = client.get(reverse("admin:projects_milestone_change", args=[milestone.pk]))
    assert "completed_on" not in form.context["adminform"].form.fields
    assert "completed_on" in form.context["adminform"].readonly_fields


def test_admin_shows_derived_history_read_only(admin_client):
    client, _ = admin_client
    for name in (
        "projects_investmentreport",
        "supervision_taskevent",
        "accounts_auditrecord",
        "supervision_reminder",
    ):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403, name


# --- Excel import --------------------------------------------------------------------------


def test_excel_import_files_each_row_through_the_service(supervisor_api, supervisor, department):
    header = ["编号", "事项名称", "来源", "报表类别", "牵头单位", "办理时限"]
    sheet = [
        header,
        ["IMP-1", "推进项目一", "领导批示", "经济", department.code, dt.date(2024, 9, 30)],
        ["IMP-2", "推进项目二", "领导批示", "经济", department.code, dt.date(2024, 9, 30)],
    ]

    response = post_sheet(supervisor_api, workbook_bytes(sheet))

    assert response.status_code == 201, response.content
    tasks = Task.objects.filter(code__in=["IMP-1", "IMP-2"])
    events = TaskEvent.objects.filter(task__in=tasks)
    assert sorted(events.values_list("task__code", "action", "actor")) == [
        ("IMP-1", "create", supervisor.pk),
        ("IMP-2", "create", supervisor.pk),
    ]
