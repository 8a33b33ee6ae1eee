"""激励 and 问责: the 约谈 proposal at the Nth 通报, what each record needs, the 问责移送
bundle and webhook, and the formula-safe Excel ledger."""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from accounts.models import AuditRecord
from supervision.models import Attachment, EscalationPolicy, Intervention, Reminder, TaskEvent
from supervision.scorecards.interventions import intervention_create
from supervision.scorecards.publish import publish_quarter
from supervision.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.clients import API
from tests.scorecards.conftest import at

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 7, 10)


@pytest.fixture(autouse=True)
def _today(settings):
    settings.SUPERVISION_TODAY = TODAY


def notice(task, day: dt.datetime) -> Reminder:
    """The 通报 rung reached by ``task`` (one reminder row per time)."""
    return Reminder.objects.create(
        kind="deadline",
        level="notice",
        task=task,
        department=task.lead_department,
        deadline=day.date() - dt.timedelta(days=7 + Reminder.objects.count()),
        created_at=day,
        deliver_after=day,
    )


def proposals(client, period="2024Q2"):
    response = client.get(f"{API}interventions/proposals/", {"period": period})
    assert response.status_code == 200, response.content
    return [(row["department"], row["notices"], row["threshold"]) for row in response.json()]


def test_the_interview_proposal_appears_at_the_nth_notice(supervisor_api, department, supervisor):
    tasks = [
        factories.TaskFactory(lead_department=department, status="in_progress") for _ in range(3)
    ]
    notice(tasks[0], at(3, 28))  # Q1: not counted in Q2
    notice(tasks[0], at(4, 10))
    notice(tasks[1], at(5, 10))
    assert proposals(supervisor_api) == []  # 2 of 3

    notice(tasks[2], at(6, 30, hour=23))  # the 3rd, late on the quarter's last day (Shanghai)
    assert proposals(supervisor_api) == [(department.pk, 3, 3)]
    assert proposals(supervisor_api, "2024Q1") == []

    # The office lowers N to 2: the unit with two in Q1… still only one there.
    EscalationPolicy.objects.update_or_create(
        is_active=True, defaults={"interview_after_notices": 1}
    )
    assert proposals(supervisor_api, "2024Q1") == [(department.pk, 1, 1)]

    # Recording the 约谈 for Q2 settles the proposal.
    recorded = supervisor_api.post(
        f"{API}interventions/",
        {
            "type": "interview",
            "department": department.pk,
            "period": "2024Q2",
            "occurred_on": "2024-07-08",
            "summary": "二季度三次被通报",
            "participants": "督查办主任、单位主要负责人",
            "outcome": "限期一个月整改到位",
        },
        format="json",
    )
    assert recorded.status_code == 201, recorded.content
    assert proposals(supervisor_api) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "interview", "participants": ""}, "participants"),
        ({"type": "interview", "outcome": ""}, "outcome"),
        ({"type": "criticism"}, "period"),  # neither a quarter nor a task
        ({"type": "criticism", "period": "2024Q2"}, "period"),  # not published
        ({"type": "referral"}, "task"),
        ({"type": "best_practice", "occurred_on": "2024-07-11"}, "occurred_on"),
        ({"type": "best_practice", "summary": "  "}, "summary"),
        ({"type": "rumour"}, "type"),
    ],
)
def test_a_record_missing_what_it_needs_is_400_and_writes_nothing(
    supervisor_api, department, body, field
):
    base = {
        "department": department.pk,
        "occurred_on": "2024-07-08",
        "summary": "事由",
        "participants": "甲、乙",
        "outcome": "整改",
    }
    response = supervisor_api.post(f"{API}interventions/", {**base, **body}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not Intervention.objects.exists()


def test_criticism_from_work_needs_the_notice_rung(supervisor_api, department, owner_api):
    task = factories.TaskFactory(lead_department=department, status="in_progress")
    body = {
        "type": "criticism",
        "department": department.pk,
        "task": task.pk,
        "occurred_on": "2024-07-08",
        "summary": "逾期未办结",
    }
    early = supervisor_api.post(f"{API}interventions/", body, format="json")
    assert early.status_code == 400
    assert "通报档" in early.json()["errors"]["task"][0]
    assert owner_api.post(f"{API}interventions/", body, format="json").status_code == 403

    notice(task, at(6, 20))
    WebhookEndpoint.objects.create(name="纪委", url="https://example.com/hook", secret="whsec_x")
    created = supervisor_api.post(f"{API}interventions/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["bundle_url"] is None
    assert AuditRecord.objects.filter(model="supervision.Intervention", object_id=str(pk)).exists()
    delivery = WebhookDelivery.objects.get(event_type="intervention.created")
    assert delivery.payload["data"]["id"] == pk
    listed = owner_api.get(f"{API}interventions/", {"department": department.pk}).json()
    assert [row["id"] for row in listed["results"]] == [pk]


def commendation(department) -> dict:
    return {
        "type": "commendation",
        "department": department.pk,
        "period": "2024Q2",
        "occurred_on": "2024-07-09",
        "summary": "二季度八张报表位列前茅",
    }


def test_commendation_from_a_published_quarter(supervisor_api, supervisor, department):
    body = commendation(department)
    assert supervisor_api.post(f"{API}interventions/", body, format="json").status_code == 400
    publish_quarter(period="2024Q2", actor=supervisor)
    assert supervisor_api.post(f"{API}interventions/", body, format="json").status_code == 201


def test_a_notice_issues_its_document_and_links_it(
    supervisor_api, supervisor, supervisor_client, department, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    publish_quarter(period="2024Q2", actor=supervisor)
    body = {**commendation(department), "issue_document": True}
    interview = {**body, "type": "interview", "participants": "甲", "outcome": "整改"}
    refused = supervisor_api.post(f"{API}interventions/", interview, format="json")
    assert refused.json()["errors"]["issue_document"]
    assert not Intervention.objects.exists()

    created = supervisor_api.post(f"{API}interventions/", body, format="json")
    assert created.status_code == 201, created.content
    record = Intervention.objects.select_related("document").get()
    assert created.json()["document"] == record.document.pk
    assert (record.document.type, record.document.department) == ("commendation", department)
    page = supervisor_client.get(f"/units/{department.pk}/").content.decode()
    assert record.document.code in page


def test_referral_bundles_the_log_and_the_evidence(supervisor_api, supervisor, department):
    task = factories.TaskFactory(lead_department=department, status="in_progress")
    TaskEvent.objects.create(
        task=task, actor=supervisor, action="assign", comment="请按期办结", created_at=at(4, 1)
    )
    content = b"%PDF-1.4 evidence"
    Attachment.objects.create(
        target_type="",
        task=task,
        purpose="evidence",
        file=ContentFile(content, name="photo.pdf"),
        name="现场照片.pdf",
        size=len(content),
        content_type="application/pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=supervisor,
        created_at=at(5, 1),
    )
    created = supervisor_api.post(
        f"{API}interventions/",
        {
            "type": "referral",
            "department": department.pk,
            "task": task.pk,
            "occurred_on": "2024-07-09",
            "summary": "多次督办仍未落实，移送区纪委监委",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    response = supervisor_api.get(created.json()["bundle_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    names = bundle.namelist()
    assert {"办理记录.txt", "事项.json"} <= set(names)
    assert "请按期办结" in bundle.read("办理记录.txt").decode()
    assert bundle.read("佐证材料/001-现场照片.pdf") == content
    other = Intervention.objects.create(
        type="best_practice",
        department=department,
        occurred_on=dt.date(2024, 7, 1),
        summary="经验",
        created_by=supervisor,
        created_at=at(7, 1),
    )
    assert supervisor_api.get(f"{API}interventions/{other.pk}/bundle/").status_code == 404


def test_the_ledger_is_formula_safe(supervisor_api, supervisor, department):
    intervention_create(
        actor=supervisor,
        type="best_practice",
        department=department,
        occurred_on=dt.date(2024, 7, 1),
        summary='=HYPERLINK("http://evil.example","点此")',
    )
    response = supervisor_api.get(f"{API}exports/interventions.xlsx", {"type": "best_practice"})
    assert response.status_code == 200, response.content
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    row = [cell for cell in sheet[3]]
    summary = row[5]
    assert summary.value.startswith("=HYPERLINK")
    assert summary.data_type == "s"
    assert row[1].value == "最佳实践"
    bad = supervisor_api.get(f"{API}exports/interventions.xlsx", {"type": "rumour"})
    assert bad.status_code == 400
