"""API.md's error statuses for auth, transitions and throttling; login; audit; the schema.

401 without (or with bad) credentials, with ``WWW-Authenticate: Bearer``; 403 for every write
with a read-scoped token; 409 for a move not allowed from the current status; 403 when the
actor may not make it; 429 with ``Retry-After``. Every refusal leaves the database as it was.
"""

import datetime as dt
import hashlib
import threading
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts import audit
from accounts.models import ApiToken, AuditRecord
from config.api.throttles import TokenOrUserRateThrottle
from projects.models import Project
from supervision.models import ExtensionRequest, Indicator, TaskEvent
from tests import factories
from tests.api.test_errors import counts
from tests.clients import API, bearer_client


@pytest.fixture
def world(db, settings, department, other_department, supervisor, owner):
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    project = factories.ProjectFactory(lead_department=department)
    tasks = {
        status: factories.TaskFactory(status=status, lead_department=department)
        for status in ("draft", "assigned", "in_progress", "submitted", "closed", "cancelled")
    }
    extension = ExtensionRequest.objects.create(
        task=tasks["in_progress"],
        requested_by=owner,
        original_deadline=tasks["in_progress"].deadline,
        requested_deadline=dt.date(2025, 3, 31),
        reason="汛期",
        created_at=dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
    )
    return {
        "department": department,
        "project": project,
        "milestone": factories.MilestoneFactory(project=project),
        "report": factories.InvestmentReportFactory(project=project, reported_by=owner),
        "tasks": tasks,
        "extension": extension,
        "indicator": Indicator.objects.create(code="I-1", name="GDP", domain="economy"),
    }


# --- 401 -----------------------------------------------------------------------------------

READS = ["me/", "tasks/", "projects/", "departments/", "users/", "milestones/", "indicators/"]


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize(
    "header",
    [None, "Bearer wl_deadbeef_wrong", "Bearer not-a-token", "Token abc"],
    ids=["none", "wrong-secret", "malformed", "other-scheme"],
)
def test_no_or_bad_credentials_is_401_with_www_authenticate(world, path, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(API + path)
    assert response.status_code == 401, response.content[:300]
    assert response["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert body["code"] in ("not_authenticated", "authentication_failed")
    assert body["message"]


def test_a_revoked_or_expired_token_is_401(world, supervisor):
    from accounts.services import token_issue, token_revoke

    token, plaintext = token_issue(user=supervisor, scope="write")
    token_revoke(token=token)
    response = APIClient().get(API + "me/", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 401
    _, plaintext = token_issue(
        user=supervisor, scope="write", expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    response = APIClient().get(API + "me/", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 401


def test_anonymous_write_is_401_and_writes_nothing(world, department):
    before = counts()
    response = APIClient().post(API + "departments/", {"code": "X"}, format="json")
    assert response.status_code == 401
    assert counts() == before


# --- 403 for a read-scoped token -----------------------------------------------------------


def writes(world):
    tasks, pk = world["tasks"], lambda name: world[name].pk
    return [
        ("post", "departments/", {"code": "NEW", "name": "新单位", "kind": "district"}),
        ("patch", f"departments/{world['department'].pk}/", {"short_name": "x"}),
        (
            "post",
            "projects/",
            {
                "code": "P-NEW",
                "name": "新项目",
                "category": "district",
                "year": 2024,
                "stage": "reserve",
                "lead_department": world["department"].pk,
            },
        ),
        ("patch", f"projects/{pk('project')}/", {"name": "x"}),
        ("delete", f"projects/{pk('project')}/", None),
        ("post", "milestones/", {"project": pk("project"), "name": "x", "due_date": "2024-09-01"}),
        ("patch", f"milestones/{pk('milestone')}/", {"name": "x"}),
        ("post", f"milestones/{pk('milestone')}/complete/", {"completed_on": "2024-06-01"}),
        (
            "post",
            "investment-reports/",
            {"project": pk("project"), "period": "2024-05", "amount": 1},
        ),
        (
            "patch",
            f"investment-reports/{pk('report')}/",
            {"amount": "2.00", "reason": "更正"},
        ),
        (
            "post",
            "tasks/",
            {
                "code": "T-NEW",
                "title": "x",
                "source": "work_report",
                "domain": "economy",
                "lead_department": world["department"].pk,
                "deadline": "2024-12-31",
            },
        ),
        ("patch", f"tasks/{tasks['draft'].pk}/", {"title": "x"}),
        ("delete", f"tasks/{tasks['draft'].pk}/", None),
        ("post", f"tasks/{tasks['draft'].pk}/assign/", {}),
        ("post", f"tasks/{tasks['assigned'].pk}/accept/", {}),
        ("post", f"tasks/{tasks['in_progress'].pk}/progress/", {"content": "进展"}),
        ("post", f"tasks/{tasks['in_progress'].pk}/submit/", {"summary": "完成"}),
        ("post", f"tasks/{tasks['submitted'].pk}/verify/", {"approved": True}),
        ("post", f"tasks/{tasks['in_progress'].pk}/cancel/", {"reason": "重复"}),
        (
            "post",
            f"tasks/{tasks['assigned'].pk}/extensions/",
            {"requested_deadline": "2025-06-30", "reason": "x"},
        ),
        ("post", f"extensions/{pk('extension')}/approve/", {"comment": ""}),
        ("post", f"extensions/{pk('extension')}/reject/", {"comment": "不同意"}),
        ("patch", f"indicators/{pk('indicator')}/", {"name": "x"}),
    ]


WRITE_COUNT = 23


@pytest.mark.parametrize("index", range(WRITE_COUNT))
@pytest.mark.parametrize("role", ["supervisor", "owner"])
def test_every_write_with_a_read_scoped_token_is_403(world, index, role, request):
    cases = writes(world)
    assert len(cases) == WRITE_COUNT
    method, path, body = cases[index]
    client = bearer_client(request.getfixturevalue(role), scope="read")
    before = counts()
    response = getattr(client, method)(API + path, body, format="json")
    assert response.status_code == 403, (method, path, response.content[:300])
    assert response.json()["code"] == "permission_denied"
    assert counts() == before


def test_a_read_scoped_token_still_reads(world, supervisor_read_api):
    for path in READS:
        assert supervisor_read_api.get(API + path).status_code == 200


# --- 409 / 403 on transitions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "body"),
    [
        ("closed", "assign", {}),
        ("in_progress", "assign", {}),
        ("cancelled", "cancel", {"reason": "再次撤销"}),
        ("closed", "verify", {"approved": True}),
        ("draft", "verify", {"approved": False, "comment": "退回"}),
        ("assigned", "verify", {"approved": True}),
    ],
)
def test_illegal_transition_is_409_and_changes_nothing(world, supervisor_api, status, action, body):
    task = world["tasks"][status]
    before = counts()
    response = supervisor_api.post(f"{API}tasks/{task.pk}/{action}/", body, format="json")
    assert response.status_code == 409, response.content[:300]
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["message"]
    task.refresh_from_db()
    assert task.status == status
    assert counts() == before


@pytest.mark.parametrize(
    ("status", "action", "body"),
    [
        ("assigned", "accept", {}),
        ("in_progress", "submit", {"summary": "完成"}),
        ("in_progress", "progress", {"content": "进展"}),
    ],
)
def test_owner_of_another_department_is_403(world, other_owner_api, status, action, body):
    task = world["tasks"][status]
    before = counts()
    response = other_owner_api.post(f"{API}tasks/{task.pk}/{action}/", body, format="json")
    assert response.status_code == 403, response.content[:300]
    assert response.json()["code"] == "permission_denied"
    task.refresh_from_db()
    assert task.status == status
    assert counts() == before


def test_owner_cannot_move_a_task_as_the_supervision_office(world, owner_api):
    task = world["tasks"]["draft"]
    response = owner_api.post(f"{API}tasks/{task.pk}/assign/", {}, format="json")
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == "draft"


def test_the_closed_loop_through_the_api(world, supervisor_api, owner_api):
    task = world["tasks"]["draft"]
    url = f"{API}tasks/{task.pk}/"
    steps = [
        (supervisor_api, "assign", {"comment": "请按期办理"}, 200, "assigned"),
        (owner_api, "accept", {}, 200, "in_progress"),
        (owner_api, "progress", {"content": "已完成 60%", "percent": 60}, 201, "in_progress"),
        (owner_api, "submit", {"summary": "已完成"}, 200, "submitted"),
        (supervisor_api, "verify", {"approved": True}, 200, "closed"),
    ]
    for client, action, body, code, status in steps:
        response = client.post(f"{url}{action}/", body, format="json")
        assert response.status_code == code, (action, response.content[:300])
        assert client.get(url).json()["status"] == status
    events = supervisor_api.get(f"{url}events/").json()
    assert [event["action"] for event in events] == [
        "assign",
        "accept",
        "progress",
        "submit",
        "close",
    ]


# --- 429 -----------------------------------------------------------------------------------


@pytest.fixture
def tight_rates(monkeypatch, settings):
    """DRF copies the rates into the throttle class when it is defined: patch the class.
    Logins are limited by failures (django-axes, ``accounts.login_limits``)."""
    monkeypatch.setattr(TokenOrUserRateThrottle, "THROTTLE_RATES", {"user": "3/min"})
    settings.AXES_FAILURE_LIMIT = 3


def test_api_requests_are_throttled_with_retry_after(world, supervisor_api, tight_rates):
    for _ in range(3):
        assert supervisor_api.get(API + "me/").status_code == 200
    response = supervisor_api.get(API + "me/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_throttle_budget_is_per_token(world, supervisor, tight_rates):
    first, second = bearer_client(supervisor), bearer_client(supervisor)
    for _ in range(3):
        first.get(API + "me/")
    assert first.get(API + "me/").status_code == 429
    assert second.get(API + "me/").status_code == 200


def test_a_throttled_write_writes_nothing(world, supervisor_api, tight_rates):
    for _ in range(3):
        supervisor_api.get(API + "me/")
    before = counts()
    response = supervisor_api.post(
        API + "departments/",
        {"code": "NEW", "name": "新单位", "kind": "district"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="throttled",
    )
    assert response.status_code == 429
    assert counts() == before


def test_login_is_throttled(world, owner, tight_rates):
    """Three failures lock the login (the third is already answered 429), even for the
    right password."""
    client = APIClient()
    statuses = [
        client.post(
            API + "auth/token/", {"username": owner.username, "password": "wrong"}, format="json"
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    response = client.post(
        API + "auth/token/",
        {"username": owner.username, "password": "pass-word-123"},
        format="json",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"
    assert int(response["Retry-After"]) > 0
    assert not ApiToken.objects.filter(user=owner).exists()


# --- login ---------------------------------------------------------------------------------


def test_login_returns_a_write_token_that_works(world, owner):
    response = APIClient().post(
        API + "auth/token/",
        {"username": owner.username, "password": "pass-word-123"},
        format="json",
    )
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    assert body["scope"] == "write"
    assert body["token"].startswith("wl_")
    assert body["expires_at"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    me = client.get(API + "me/")
    assert me.status_code == 200
    assert me.json()["username"] == owner.username
    # The token is stored hashed: only the prefix and a SHA-256 digest of the secret.
    _, prefix, secret = body["token"].split("_", 2)
    stored = ApiToken.objects.get(user=owner)
    assert stored.prefix == prefix
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()


@pytest.mark.parametrize(
    "body",
    [
        {"username": "nobody", "password": "pass-word-123"},
        {"username": "{owner}", "password": "wrong"},
    ],
)
def test_login_with_bad_credentials_is_401(world, owner, body):
    body = {**body, "username": body["username"].format(owner=owner.username)}
    response = APIClient().post(API + "auth/token/", body, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not ApiToken.objects.exists()


def test_login_without_fields_is_400(db):
    response = APIClient().post(API + "auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}


def test_issue_token_command_prints_a_working_token(world, supervisor, capsys):
    call_command("issue_token", supervisor.username, "--scope", "read")
    plaintext = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(API + "me/").json()["role"] == "supervisor"
    assert client.post(API + "departments/", {}, format="json").status_code == 403


# --- audit ---------------------------------------------------------------------------------


def test_project_patch_writes_an_audit_record_with_before_and_after(
    world, supervisor_api, supervisor
):
    project = world["project"]
    old_name = project.name
    response = supervisor_api.patch(
        f"{API}projects/{project.pk}/", {"name": "新名称"}, format="json"
    )
    assert response.status_code == 200
    record = AuditRecord.objects.get()
    assert record.actor == supervisor
    assert record.action == "update"
    assert record.model == "projects.Project"
    assert record.object_id == str(project.pk)
    assert record.before["name"] == old_name
    assert record.after["name"] == "新名称"
    saved = Project.objects.get(pk=project.pk)
    co_departments = sorted(saved.co_departments.values_list("pk", flat=True))
    assert record.after == {**audit.snapshot(saved), "co_departments": co_departments}


def test_create_and_delete_are_audited(world, supervisor_api, department):
    response = supervisor_api.post(
        API + "projects/",
        {
            "code": "P-AUD",
            "name": "审计项目",
            "category": "district",
            "year": 2024,
            "stage": "reserve",
            "lead_department": department.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert supervisor_api.delete(f"{API}projects/{pk}/").status_code == 204
    actions = list(
        AuditRecord.objects.filter(object_id=str(pk)).order_by("id").values_list("action", "after")
    )
    assert actions[0][0] == "create"
    assert actions[0][1]["code"] == "P-AUD"
    assert actions[1] == ("delete", None)


def test_a_task_action_writes_a_task_event_not_an_audit_record(world, supervisor_api):
    task = world["tasks"]["draft"]
    response = supervisor_api.post(
        f"{API}tasks/{task.pk}/assign/", {"comment": "交办"}, format="json"
    )
    assert response.status_code == 200
    event = TaskEvent.objects.get(task=task)
    assert (event.action, event.from_status, event.to_status, event.comment) == (
        "assign",
        "draft",
        "assigned",
        "交办",
    )
    response = supervisor_api.patch(f"{API}tasks/{task.pk}/", {"title": "改名"}, format="json")
    assert response.status_code == 200
    assert TaskEvent.objects.filter(task=task, action="edit").exists()
    assert not AuditRecord.objects.exists()


def test_a_refused_write_is_not_audited(world, owner_api):
    project = world["project"]
    response = owner_api.patch(f"{API}projects/{project.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert not AuditRecord.objects.exists()


# --- the schema describes all of this ------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operation(schema, path, method):
    return schema["paths"]["/api/v1/" + path][method]


def header_names(op):
    return {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}


def test_schema_has_the_bearer_scheme_and_the_error_body(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "wl_<prefix>_<secret>",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message"}
    assert set(error["properties"]) == {"code", "message", "errors"}


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        ("tasks/", "get", {"200", "400", "401", "403", "404", "429"}),
        ("tasks/", "post", {"201", "400", "401", "403", "409", "429"}),
        ("tasks/{id}/", "get", {"200", "401", "403", "404", "429"}),
        ("tasks/{id}/", "patch", {"200", "400", "401", "403", "404", "409", "412", "429"}),
        ("tasks/{id}/", "delete", {"204", "401", "403", "404", "409", "412", "429"}),
        ("tasks/{id}/accept/", "post", {"200", "400", "401", "403", "404", "409", "429"}),
        ("projects/{id}/", "patch", {"200", "400", "401", "403", "404", "409", "412", "429"}),
        ("auth/token/", "post", {"201", "400", "401", "429"}),
        ("me/", "get", {"200", "401", "403", "429"}),
    ],
)
def test_schema_documents_the_error_responses(schema, path, method, codes):
    responses = operation(schema, path, method)["responses"]
    assert set(responses) == codes
    for code in codes - {"200", "201", "204"}:
        ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/Error"
    assert responses["429"]["headers"]["Retry-After"]["required"] is True
    assert "WWW-Authenticate" in responses["401"]["headers"]


def test_schema_documents_the_concurrency_headers(schema):
    assert "Idempotency-Key" in header_names(operation(schema, "tasks/", "post"))
    assert "Idempotency-Key" in header_names(operation(schema, "tasks/{id}/assign/", "post"))
    assert "Idempotency-Key" not in header_names(operation(schema, "auth/token/", "post"))
    for path in ("tasks/{id}/", "projects/{id}/", "milestones/{id}/", "departments/{id}/"):
        assert "If-Match" in header_names(operation(schema, path, "patch"))
        assert operation(schema, path, "get")["responses"]["200"]["headers"]["ETag"]["required"]
    replayed = operation(schema, "tasks/", "post")["responses"]["201"]["headers"]
    assert "Idempotent-Replayed" in replayed


def test_schema_keeps_the_contract_field_names(schema):
    """API.md "Fields that clients rely on": the schema must describe each of them."""
    expected = {
        "Project": "id code name category year stage lead_department responsible_leader "
        "location total_investment annual_plan_investment completed_investment "
        "completion_rate time_progress light planned_start planned_end target_text description",
        "Milestone": "id project name due_date completed_on sequence note is_overdue",
        "InvestmentReport": "id project period amount note reported_by reported_at",
        "Task": "id code title content source domain lead_department co_departments "
        "responsible_leader project deadline report_frequency priority status light "
        "target_value target_unit latest_value overdue_days assigned_at accepted_at closed_at",
        "Indicator": "id code name domain unit target_value comparison latest_value period_values",
        "TaskEvent": "id task actor action from_status to_status comment created_at",
        "CurrentUser": "id username name role department",
        "Node": "id task sequence title due_date target_value target_text status "
        "completed_on value note is_overdue",
        "Dashboard": "today tasks_by_status tasks_by_light projects_by_light tasks_overdue "
        "tasks_behind overdue_tasks unacknowledged_escalations upcoming key_works "
        "key_works_total key_works_by_light investment",
        "DashboardKeyWork": "id code name annual_plan_investment completed_investment "
        "completion_rate time_progress light",
        "DashboardLightCounts": "green yellow red",
        "DashboardInvestment": "annual_plan completed completion_rate time_progress "
        "unplanned_completed unplanned_projects",
    }
    components = schema["components"]["schemas"]
    for name, fields in expected.items():
        assert set(fields.split()) <= set(components[name]["properties"]), name
    statuses = components["TaskStatusEnum"]["enum"]
    assert statuses == ["draft", "assigned", "in_progress", "submitted", "closed", "cancelled"]


def test_racing_requests_never_get_past_the_budget(world, supervisor, tight_rates):
    """Twenty requests of one token at once against a budget of three: exactly three pass
    (the budget is checked and taken in one step; reading then writing a list let racing
    requests through)."""
    bearer_client(supervisor)
    token = ApiToken.objects.filter(user=supervisor).latest("pk")
    start = threading.Barrier(20)
    allowed = []

    def ask():
        request = SimpleNamespace(auth=token, user=supervisor)
        throttle = TokenOrUserRateThrottle()
        start.wait()
        allowed.append(throttle.allow_request(request, None))

    threads = [threading.Thread(target=ask) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 3
    assert len(allowed) == 20
    refused = TokenOrUserRateThrottle()
    assert refused.allow_request(SimpleNamespace(auth=token, user=supervisor), None) is False
    assert 0 < refused.wait() <= 60
