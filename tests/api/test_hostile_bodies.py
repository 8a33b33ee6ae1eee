"""Bodies built to hurt: deep nesting is a 400, oversized bodies are a 413, both in the API's
JSON error format (issue 12 item 10)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import ApiToken, Department
from tests.clients import API

pytestmark = pytest.mark.django_db


def assert_json_error(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == code
    assert response.json()["message"]


@pytest.mark.parametrize("depth", [3000, 100_000])
def test_deeply_nested_json_on_the_token_endpoint_is_a_400(depth):
    client = APIClient(raise_request_exception=False)
    body = "[" * depth + "]" * depth
    response = client.post(API + "auth/token/", data=body, content_type="application/json")
    assert_json_error(response, 400, "parse_error")
    assert not ApiToken.objects.exists()


def test_deep_but_parseable_nesting_is_refused_on_writes(supervisor_api):
    nested: object = "x"
    for _ in range(200):
        nested = {"a": nested}
    body = json.dumps({"code": "N1", "name": "嵌套", "kind": "district", "short_name": nested})
    response = supervisor_api.post(API + "departments/", data=body, content_type="application/json")
    assert_json_error(response, 400, "parse_error")
    assert not Department.objects.filter(code="N1").exists()


def test_ordinary_nesting_still_parses(supervisor_api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    response = supervisor_api.post(
        API + "webhooks/",
        {"name": "接收端", "url": "http://127.0.0.1:9/hook", "event_types": ["task.assigned"]},
        format="json",
    )
    assert response.status_code == 201, response.content[:300]


def test_a_json_body_over_the_upload_limit_is_a_413(supervisor_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = json.dumps({"code": "BIG", "name": "x" * 200_000, "kind": "district"})
    response = supervisor_api.post(API + "departments/", data=body, content_type="application/json")
    assert_json_error(response, 413, "request_too_large")
    assert not Department.objects.filter(code="BIG").exists()


def test_a_form_body_over_the_upload_limit_is_a_413(supervisor_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    response = supervisor_api.post(
        API + "departments/",
        data=f"code=BIG&kind=district&name={'x' * 200_000}",
        content_type="application/x-www-form-urlencoded",
    )
    assert_json_error(response, 413, "request_too_large")


def test_any_api_body_over_the_cap_is_a_413_before_it_is_read(supervisor_api, settings):
    settings.API_MAX_BODY_BYTES = 50_000
    big = b"PK" + b"\0" * 60_000
    response = supervisor_api.post(
        "/api/v1/imports/tasks/",
        {"file": SimpleUploadedFile("big.xlsx", big)},
        format="multipart",
    )
    assert_json_error(response, 413, "request_too_large")
