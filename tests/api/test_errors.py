"""Bad input gets a JSON error ``{"code", "message", "errors"?}``: never a 500, never a write.

API.md: 400 validation (with per-field errors), 404 not found; "Never 500 for any input".
Each case below checks the status, the error body, and that no table changed.
"""

import datetime as dt
import functools
import json

import jsonschema_rs
import pytest

from accounts.models import AuditRecord, Department, IdempotencyRecord
from projects.models import InvestmentReport, Milestone, Project
from supervision.models import ExtensionRequest, Indicator, ProgressReport, Task, TaskEvent
from tests import factories
from tests.clients import API

MODELS = (
    Department,
    Project,
    Milestone,
    InvestmentReport,
    Task,
    TaskEvent,
    ProgressReport,
    ExtensionRequest,
    AuditRecord,
    IdempotencyRecord,
)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def world(db, settings, department, other_department, supervisor, owner):
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    project = factories.ProjectFactory(lead_department=department)
    return {
        "project": project,
        "milestone": factories.MilestoneFactory(project=project),
        "draft": factories.TaskFactory(lead_department=department),
        "in_progress": factories.TaskFactory(lead_department=department, status="in_progress"),
        "indicator": Indicator.objects.create(code="I-1", name="GDP", domain="economy"),
    }


def task_body(department, **overrides):
    return {
        "code": "T-NEW",
        "title": "新建督办事项",
        "source": "work_report",
        "domain": "economy",
        "lead_department": department.pk,
        "deadline": "2024-12-31",
        **overrides,
    }


@functools.cache
def error_validator():
    """The ``Error`` component of the generated OpenAPI schema, as a JSON Schema validator."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return jsonschema_rs.Draft4Validator(schema["components"]["schemas"]["Error"])


def assert_error(response, status, code=None, field=None):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    error_validator().validate(body)  # the body is what the schema documents
    assert isinstance(body["code"], str)
    assert isinstance(body["message"], str)
    assert body["message"]
    if code:
        assert body["code"] == code, body
    if field:
        assert field in body["errors"], body
    return body


# --- malformed bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ['{"title": ', "{'title': 'x'}", "[1, 2", "\xff\xfe", "NaN", '{"title": Infinity}'],
    ids=["truncated", "single-quotes", "unclosed-list", "not-utf8", "nan", "infinity"],
)
def test_malformed_json_is_400_parse_error(world, supervisor_api, raw):
    before = counts()
    response = supervisor_api.post(
        API + "tasks/", data=raw.encode("latin-1"), content_type="application/json"
    )
    assert_error(response, 400, code="parse_error")
    assert counts() == before


def test_malformed_json_patch_is_400_and_changes_nothing(world, supervisor_api):
    project = world["project"]
    response = supervisor_api.patch(
        API + f"projects/{project.pk}/", data=b'{"name": "x"', content_type="application/json"
    )
    assert_error(response, 400, code="parse_error")
    project.refresh_from_db()
    assert project.name != "x"
    assert not AuditRecord.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([1, 2, 3], "non_field_errors"),
        ("a string", "non_field_errors"),
        ({"deadline": 20241231}, "deadline"),
        ({"lead_department": "abc"}, "lead_department"),
        ({"lead_department": [1]}, "lead_department"),
        ({"co_departments": "1,2"}, "co_departments"),
        ({"target_value": "lots"}, "target_value"),
        ({"target_value": "1e400"}, "target_value"),
        ({"target_value": -1}, "target_value"),
        ({"priority": 5}, "priority"),
        ({"domain": "weather"}, "domain"),
        ({"title": None}, "title"),
        ({"title": {"zh": "x"}}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"assumed": "perhaps"}, "assumed"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_wrong_types_are_400_with_the_field(world, supervisor_api, department, body, field):
    payload = body if not isinstance(body, dict) else task_body(department, **body)
    before = counts()
    response = supervisor_api.post(API + "tasks/", payload, format="json")
    assert_error(response, 400, code="validation_error", field=field)
    assert counts() == before


@pytest.mark.parametrize("field", ["title", "code", "content", "target_unit"])
def test_huge_strings_are_refused_or_kept_whole(world, supervisor_api, department, field):
    """100 000 characters: a bounded field says 400; a free-text field stores it whole."""
    huge = "督" * 100_000
    before = counts()
    response = supervisor_api.post(
        API + "tasks/", task_body(department, **{field: huge}), format="json"
    )
    if field == "content":  # TextField: no limit in the contract
        assert response.status_code == 201, response.content[:300]
        assert Task.objects.get(code="T-NEW").content == huge
        return
    assert_error(response, 400, code="validation_error", field=field)
    assert counts() == before


def test_huge_string_in_a_project_patch_changes_nothing(world, supervisor_api):
    project = world["project"]
    response = supervisor_api.patch(
        API + f"projects/{project.pk}/", {"name": "x" * 100_000}, format="json"
    )
    assert_error(response, 400, field="name")
    project.refresh_from_db()
    assert len(project.name) < 1000


# --- unknown ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("tasks/", {"lead_department": 999999}, "lead_department"),
        ("tasks/", {"co_departments": [999999]}, "co_departments"),
        ("tasks/", {"project": 999999}, "project"),
        ("tasks/", {"responsible_leader": 999999}, "responsible_leader"),
        ("tasks/", {"lead_department": 10**30}, "lead_department"),
        ("milestones/", {"project": 999999, "name": "x", "due_date": "2024-09-30"}, "project"),
        ("investment-reports/", {"project": 999999, "period": "2024-03", "amount": "1"}, "project"),
    ],
    ids=lambda value: str(value)[:40],
)
def test_unknown_foreign_key_is_400_with_the_field(
    world, supervisor_api, department, path, body, field
):
    payload = task_body(department, **body) if path == "tasks/" else body
    before = counts()
    response = supervisor_api.post(API + path, payload, format="json")
    assert_error(response, 400, code="validation_error", field=field)
    assert counts() == before


@pytest.mark.parametrize(
    "path",
    [
        "tasks/999999/",
        "tasks/999999/events/",
        "projects/999999/",
        "milestones/999999/",
        "departments/999999/",
        "extensions/999999/",
        "tasks/abc/",
        "tasks/1.5/",
        "tasks/-1/",
        "tasks/99999999999999999999999999/",
    ],
)
def test_unknown_id_is_a_json_404(world, supervisor_api, path):
    assert_error(supervisor_api.get(API + path), 404, code="not_found")


@pytest.mark.parametrize(
    "path",
    ["tasks/999999/assign/", "tasks/abc/accept/", "milestones/999999/complete/"],
)
def test_action_on_unknown_id_is_a_json_404_and_writes_nothing(world, supervisor_api, path):
    before = counts()
    response = supervisor_api.post(API + path, {"comment": ""}, format="json")
    assert_error(response, 404, code="not_found")
    assert counts() == before


# --- dates ---------------------------------------------------------------------------------

BAD_DATES = ["1999-12-31", "2101-01-01", "2024-02-30", "2024-13-01", "24-01-01", "tomorrow"]


@pytest.mark.parametrize("value", BAD_DATES)
def test_task_deadline_outside_2000_2100_or_invalid_is_400(
    world, supervisor_api, department, value
):
    before = counts()
    response = supervisor_api.post(
        API + "tasks/", task_body(department, deadline=value), format="json"
    )
    assert_error(response, 400, code="validation_error", field="deadline")
    assert counts() == before


@pytest.mark.parametrize("value", BAD_DATES)
@pytest.mark.parametrize(
    ("path", "field", "body"),
    [
        ("milestones/", "due_date", {"name": "开工"}),
        ("projects/{project}/", "planned_start", {}),
        ("tasks/{in_progress}/extensions/", "requested_deadline", {"reason": "汛期"}),
        ("milestones/{milestone}/complete/", "completed_on", {}),
    ],
)
def test_other_dates_outside_2000_2100_or_invalid_are_400(
    world, supervisor_api, owner_api, path, field, body, value
):
    path = path.format(**{key: getattr(obj, "pk", None) for key, obj in world.items()})
    if path == "milestones/":
        body = {**body, "project": world["project"].pk}
    client = owner_api if "extensions" in path else supervisor_api
    send = client.patch if path.startswith("projects/") else client.post
    before = counts()
    response = send(API + path, {**body, field: value}, format="json")
    assert_error(response, 400, code="validation_error", field=field)
    assert counts() == before


def test_a_past_deadline_is_accepted(world, supervisor_api, department):
    """API.md: "past deadlines are accepted (tasks are back-filed)"."""
    response = supervisor_api.post(
        API + "tasks/", task_body(department, deadline="2000-01-01"), format="json"
    )
    assert response.status_code == 201, response.content[:300]


def test_investment_period_outside_range_is_400(world, owner_api):
    for period in ("1999-12", "2101-01", "2024-13", "2024-3", "2024-03-01"):
        response = owner_api.post(
            API + "investment-reports/",
            {"project": world["project"].pk, "period": period, "amount": "1.00"},
            format="json",
        )
        assert_error(response, 400, field="period")
    assert not InvestmentReport.objects.exists()


# --- filters and pagination ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("tasks/", "status=bogus"),
        ("tasks/", "status=draft&status=bogus"),
        ("tasks/", "domain=weather"),
        ("tasks/", "light=blue"),
        ("tasks/", "lead_department=999999"),
        ("tasks/", "lead_department=abc"),
        ("tasks/", "department=999999"),
        ("tasks/", "department=1.5"),
        ("tasks/", "overdue=maybe"),
        ("tasks/", "assumed=2"),
        ("tasks/", "deadline_before=2024-02-30"),
        ("tasks/", "deadline_after=1999-01-01"),
        ("tasks/", "deadline_after=2101-01-01"),
        ("tasks/", "project=999999"),
        ("projects/", "stage=bogus"),
        ("projects/", "department=abc"),
        ("projects/", "is_archived=yes"),
        ("projects/", "year=abc"),
        ("milestones/", "due_before=2101-01-01"),
        ("milestones/", "completed=nope"),
        ("milestones/", "lead_department=999999"),
        ("investment-reports/", "period_after=2024-02-30"),
        ("departments/", "kind=planet"),
        ("departments/", "is_active=maybe"),
        ("users/", "role=king"),
        ("extensions/", "status=maybe"),
        ("indicators/", "comparison=roughly"),
    ],
)
def test_unknown_filter_values_are_400(world, supervisor_api, path, param):
    response = supervisor_api.get(f"{API}{path}?{param}")
    assert_error(response, 400, code="validation_error", field=param.split("=")[0])


@pytest.mark.parametrize("param", ["overdue=true", "overdue=false", "overdue=1", "overdue="])
def test_known_boolean_spellings_still_filter(world, supervisor_api, param):
    assert supervisor_api.get(f"{API}tasks/?{param}").status_code == 200


def test_null_character_in_search_is_400(world, supervisor_api):
    response = supervisor_api.get(API + "tasks/?search=a%00b")
    assert_error(response, 400, code="validation_error")


@pytest.fixture
def many_departments(db):
    Department.objects.bulk_create(
        Department(code=f"PG{i:04d}", name=f"分页单位{i}", kind="district") for i in range(520)
    )


@pytest.mark.parametrize(
    ("query", "size"),
    [
        ("page_size=100000", 500),
        ("page_size=500", 500),
        ("page_size=-1", 50),
        ("page_size=0", 50),
        ("page_size=abc", 50),
        ("page_size=1e3", 50),
        ("", 50),
        ("page_size=7", 7),
    ],
)
def test_page_size_is_capped_at_500_and_defaults_to_50(
    many_departments, supervisor_api, query, size
):
    response = supervisor_api.get(f"{API}departments/?{query}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == size


@pytest.mark.parametrize("page", ["999", "0", "-1", "abc", "99999999999999999999"])
def test_a_page_past_the_end_is_a_json_404(world, supervisor_api, page):
    assert_error(supervisor_api.get(f"{API}tasks/?page={page}"), 404, code="not_found")


# --- regressions found by schemathesis (tests/api/test_schemathesis.py) ----------------------


@pytest.mark.parametrize("raw", ["[null, null]", '"admin"', "42", "null"])
def test_login_with_a_body_that_is_not_an_object_is_400(db, anonymous_api, raw):
    """LoginRateThrottle read ``request.data.get`` before validation: a JSON list was a 500."""
    response = anonymous_api.post(API + "auth/token/", data=raw, content_type="application/json")
    assert_error(response, 400, code="validation_error")


def test_creating_a_department_ignores_is_active(world, supervisor_api):
    """``is_active`` was writable on create but ``department_create`` takes no such argument
    (500). A new department is active; PATCH deactivates it."""
    response = supervisor_api.post(
        API + "departments/",
        {"code": "NEW", "name": "新单位", "kind": "district", "is_active": False},
        format="json",
    )
    assert response.status_code == 201, response.content[:300]
    assert response.json()["is_active"] is True
    department = Department.objects.get(code="NEW")
    response = supervisor_api.patch(
        API + f"departments/{department.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    department.refresh_from_db()
    assert department.is_active is False


@pytest.mark.parametrize("sub", ["events", "reports", "extensions"])
def test_nested_task_lists_ignore_list_filters(world, supervisor_api, sub):
    """The task filters were documented (and applied by ``get_object``) on the nested lists:
    ``tasks/{id}/events/?status=closed`` was a 404 for an open task."""
    task = world["in_progress"]
    response = supervisor_api.get(f"{API}tasks/{task.pk}/{sub}/?status=closed&overdue=true")
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response.json(), list)


@pytest.mark.parametrize(
    "number", ["1e400", "-1e400", '"Infinity"', '"NaN"', '"1e999999"', "1000000000000"]
)
def test_indicator_period_value_that_is_not_finite_is_400(world, supervisor_api, number):
    """JSON ``1e400`` parses to float infinity, which no JSON column or response can hold:
    it was stored (SQLite) or refused by PostgreSQL, a 500 either way. Period values are
    entered through ``indicators/{id}/values/`` (issue 13)."""
    indicator = world["indicator"]
    raw = '{"period": "2024Q1", "value": ' + number + "}"
    response = supervisor_api.post(
        API + f"indicators/{indicator.pk}/values/", data=raw, content_type="application/json"
    )
    assert_error(response, 400, field="value")
    indicator.refresh_from_db()
    assert indicator.period_values == {}
    assert not indicator.values.exists()


def test_indicator_period_values_are_read_only_and_follow_the_values_entered(world, supervisor_api):
    """``period_values`` shows the values entered (``IndicatorValue``, the one record); a
    PATCH of it — hostile numbers included — changes nothing and is never a 500."""
    indicator = world["indicator"]
    for body in (
        {"period_values": {"2024Q1": 6.8, "2024-03": "7.1", "2024": 7}},
        '{"period_values": {"2024Q1": 1e400}}',
    ):
        data = body if isinstance(body, str) else json.dumps(body)
        response = supervisor_api.patch(
            API + f"indicators/{indicator.pk}/", data=data, content_type="application/json"
        )
        assert response.status_code == 200, response.content[:300]
        assert response.json()["period_values"] == {}
    response = supervisor_api.post(
        API + f"indicators/{indicator.pk}/values/",
        data=json.dumps({"period": "2024Q1", "value": 6.8}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content[:300]
    body = supervisor_api.get(API + f"indicators/{indicator.pk}/").json()
    assert body["period_values"] == {"2024Q1": "6.8"}
    assert body["latest_value"] == "6.8000"


@pytest.mark.parametrize(
    "value",
    [
        "6952-02-14T09:26:32-23:07",
        "2024-06-01T00:00:00-23:59",
        "1999-12-31T00:00:00Z",
        "2024-02-30T00:00:00Z",
    ],
)
def test_reminder_created_after_odd_or_out_of_range_datetimes_are_400_or_filtered(
    world, supervisor_api, value
):
    """An offset past ±15:59 reached PostgreSQL as is ("time zone displacement out of
    range", a 500). Datetimes are now bounded to 2000–2100 and sent to the database in UTC."""
    response = supervisor_api.get(API + "reminders/", {"created_after": value})
    if value.startswith("2024-06-01"):
        assert response.status_code == 200, response.content[:300]
    else:
        assert_error(response, 400, field="created_after")


@pytest.mark.parametrize(
    "header",
    ["Bearer wl_\x00\x00_secret", "Bearer wl_zz_secret", "Bearer wl_abcdef01_ünïcode", "Bearer x"],
)
def test_malformed_bearer_tokens_are_401(world, anonymous_api, header):
    response = anonymous_api.get(API + "me/", HTTP_AUTHORIZATION=header)
    assert_error(response, 401, code="authentication_failed")
    assert response["WWW-Authenticate"] == "Bearer"


def test_errors_of_a_list_item_are_keyed_by_its_index(world, supervisor_api):
    """The Error schema said every field maps to a list of messages; a list field's errors
    are ``{"0": [...]}`` per bad item (found by schemathesis on ``webhooks/``)."""
    response = supervisor_api.post(
        API + "webhooks/",
        {"name": "x", "url": "https://example.org/hook", "event_types": ["task.closed", "nope"]},
        format="json",
    )
    body = assert_error(response, 400, field="event_types")
    assert list(body["errors"]["event_types"]) == ["1"]
