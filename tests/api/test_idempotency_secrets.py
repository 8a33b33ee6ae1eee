"""A response that carries a secret is never stored in, nor replayed from, the idempotency
table (issue 12 item 13)."""

import json

import pytest

from accounts.models import ApiToken, IdempotencyRecord
from supervision.webhooks.models import WebhookEndpoint
from tests.clients import API

pytestmark = pytest.mark.django_db


def stored_text() -> str:
    return json.dumps(list(IdempotencyRecord.objects.values("body")), ensure_ascii=False)


def test_a_token_from_a_password_is_neither_stored_nor_replayed(owner_api, owner):
    first = owner_api.post(
        API + "auth/token/",
        {"username": owner.username, "password": "pass-word-123"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="token-1",
    )
    assert first.status_code == 201
    token = first.json()["token"]
    assert token not in stored_text()
    assert not IdempotencyRecord.objects.filter(key="token-1").exists()

    replay = owner_api.post(
        API + "auth/token/",
        {"username": owner.username, "password": "wrong"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="token-1",
    )
    assert replay.status_code == 401
    assert token not in replay.content.decode()
    assert not replay.has_header("Idempotent-Replayed")
    assert ApiToken.objects.filter(user=owner, name="auth/token").count() == 1


def test_a_webhook_secret_is_shown_once_and_never_stored(supervisor_api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    body = {"name": "接收端", "url": "http://127.0.0.1:9/hook"}
    first = supervisor_api.post(
        API + "webhooks/", body, format="json", HTTP_IDEMPOTENCY_KEY="hook-1"
    )
    assert first.status_code == 201
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    assert secret not in stored_text()

    replay = supervisor_api.post(
        API + "webhooks/", body, format="json", HTTP_IDEMPOTENCY_KEY="hook-1"
    )
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert "secret" not in replay.json()
    assert secret not in replay.content.decode()
    assert WebhookEndpoint.objects.count() == 1
