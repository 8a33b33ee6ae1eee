"""The phased-target endpoints in the OpenAPI schema under API.md's names ("Added resources")."""

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    with override_settings(DEBUG=True):
        return SchemaGenerator().get_schema(request=None, public=True)


def _operation(schema, path, method):
    return schema["paths"]["/api/v1/" + path][method]


def _fields(schema, operation, kind="requestBody"):
    if kind == "requestBody":
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    else:
        content = operation["responses"][kind]["content"]["application/json"]["schema"]
        ref = content.get("$ref") or content["items"]["$ref"]
    return set(schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"])


def test_indicator_values_are_in_the_schema(schema):
    post = _operation(schema, "indicators/{id}/values/", "post")
    assert {"period", "value", "note"} <= _fields(schema, post)
    assert {"200", "201", "400", "401", "403", "404"} <= set(post["responses"])
    get = _operation(schema, "indicators/{id}/values/", "get")
    assert {"period", "value", "entered_by"} <= _fields(schema, get, "200")
    assert "post" not in schema["paths"]["/api/v1/indicators/"]
    indicator = schema["components"]["schemas"]["Indicator"]["properties"]
    assert {"light", "behind", "department", "latest_value", "period_values"} <= set(indicator)
    assert "/api/v1/exports/indicators.xlsx" in schema["paths"]


def test_split_is_in_the_schema(schema):
    post = _operation(schema, "tasks/{id}/split/", "post")
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    child = body["properties"]["children"]["items"]["$ref"].rsplit("/", 1)[1]
    fields = set(schema["components"]["schemas"][child]["properties"])
    assert fields == {"lead_department", "title", "deadline", "target_value", "target_unit"}
    assert {"201", "400", "403", "409"} <= set(post["responses"])
    assert "reason" in _fields(schema, _operation(schema, "tasks/{id}/split-override/", "post"))
    task = set(schema["components"]["schemas"]["Task"]["properties"])
    assert {"parent", "rating", "carried_from", "indicator"} <= task


def test_reassign_requests_are_in_the_schema(schema):
    post = _operation(schema, "tasks/{id}/reassign-requests/", "post")
    assert {"reason", "suggested_department"} <= _fields(schema, post)
    for verb in ("approve", "reject"):
        operation = _operation(schema, f"reassign-requests/{{id}}/{verb}/", "post")
        assert "comment" in _fields(schema, operation)
    approve = _operation(schema, "reassign-requests/{id}/approve/", "post")
    assert "new_department" in _fields(schema, approve)
    assert "get" in schema["paths"]["/api/v1/reassign-requests/"]


def test_rating_is_in_the_schema(schema):
    post = _operation(schema, "tasks/{id}/rating/", "post")
    assert _fields(schema, post) == {"rating", "comment"}
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    rating = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]["rating"]
    enum = schema["components"]["schemas"][rating["$ref"].rsplit("/", 1)[1]]["enum"]
    assert enum == ["completed", "mostly_completed", "not_completed"]
