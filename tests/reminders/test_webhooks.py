"""Webhooks without a worker: URL safety, the secret, Standard Webhooks signatures and what one
attempt does with each kind of answer (API.md, "Webhooks")."""

import base64
import datetime as dt
import json
import socket

import pytest
from django.core.exceptions import ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from core import clock
from supervision.webhooks import services as webhooks
from supervision.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.reminders.support import WebhookReceiver, at, day

pytestmark = pytest.mark.django_db

PRIVATE = [
    "http://127.0.0.1/hook",
    "http://10.0.0.5/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://192.168.1.20:8080/hook",
    "http://172.16.0.1/",
    "http://localhost:8000/",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
    "http://2130706433/",  # 127.0.0.1 written as one number
    "http://[fe80::1]/",
    # Shared address space (RFC 6598): not private, not global either; Alibaba Cloud's
    # instance metadata service lives at 100.100.100.200.
    "http://100.100.100.200/latest/meta-data/",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_private_loopback_and_link_local_targets_are_refused(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(ValidationError) as error:
        webhooks.check_url(url)
    assert "url" in error.value.message_dict


@pytest.mark.parametrize("url", PRIVATE)
def test_private_targets_are_allowed_where_explicitly_allowed(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    webhooks.check_url(url)


@pytest.mark.parametrize("url", ["https://93.184.216.34/hook", "http://[2606:4700::1111]/"])
def test_public_addresses_are_allowed(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    webhooks.check_url(url)


@pytest.mark.parametrize("allow", [False, True])
@pytest.mark.parametrize(
    "url",
    [
        "ftp://93.184.216.34/hook",
        "file:///etc/passwd",
        "gopher://93.184.216.34:70/",
        "javascript:alert(1)",
        "//93.184.216.34/hook",
        "https:///nohost",
        "93.184.216.34/hook",
    ],
)
def test_only_http_and_https_are_accepted(settings, url, allow):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = allow
    with pytest.raises(ValidationError):
        webhooks.check_url(url)


@pytest.mark.parametrize("allow", [False, True])
def test_a_port_out_of_range_is_a_validation_error_not_a_crash(settings, allow):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = allow
    with pytest.raises(ValidationError):
        webhooks.check_url("https://93.184.216.34:99999/hook")


def test_a_name_that_does_not_resolve_is_refused(settings, monkeypatch):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False

    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(ValidationError):
        webhooks.check_url("https://hooks.example.invalid/")


def test_a_name_resolving_to_any_private_address_is_refused(settings, monkeypatch):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(ValidationError):
        webhooks.check_url("https://rebind.example.com/")


def test_the_secret_is_whsec_and_base64_of_at_least_24_random_bytes(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    endpoint, secret = webhooks.endpoint_create(name="大数据局", url="https://93.184.216.34/")
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) >= 24
    assert endpoint.secret == secret
    _, another = webhooks.endpoint_create(name="另一个", url="https://93.184.216.34/")
    assert another != secret


def test_unknown_event_types_are_refused(settings):
    with pytest.raises(ValidationError) as error:
        webhooks.endpoint_create(
            name="x", url="https://93.184.216.34/", event_types=["task.deleted"]
        )
    assert "event_types" in error.value.message_dict
    assert not WebhookEndpoint.objects.exists()


def test_the_signature_is_standard_webhooks():
    secret = webhooks.generate_secret()
    body = json.dumps({"type": "task.closed", "data": {"名称": "武隆"}}, ensure_ascii=False)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": webhooks.sign(secret, "msg_1", now, body),
    }
    assert Webhook(secret).verify(body.encode(), headers) == json.loads(body)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.generate_secret()).verify(body.encode(), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.encode() + b" ", headers)


@pytest.mark.parametrize("attempt", [1, 2, 3, 6])
def test_backoff_is_exponential_with_jitter(settings, attempt):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 5.0
    full = 5.0 * 2 ** (attempt - 1)
    delays = [webhooks.backoff_seconds(attempt) for _ in range(200)]
    assert all(full / 2 <= d <= full for d in delays)
    assert len(set(delays)) > 1  # jittered


# --- one attempt, in this process, against a real local HTTP server ----------------------------


@pytest.fixture
def local(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.3
    servers = []

    def make(*statuses):
        server = WebhookReceiver(statuses)
        servers.append(server)
        endpoint, secret = webhooks.endpoint_create(name="本地", url=server.url)
        with clock.override(at(day(9, 30))):
            (delivery_id,) = webhooks.enqueue_event("task.closed", {"id": 7, "名称": "测试"})
        return server, endpoint, secret, WebhookDelivery.objects.get(pk=delivery_id)

    yield make
    for server in servers:
        server.close()


def test_a_2xx_ends_the_delivery_and_the_request_verifies(local):
    server, endpoint, secret, delivery = local(204)

    assert webhooks.attempt_delivery(delivery.pk) is None

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert delivery.finished_at is not None
    (request,) = server.requests
    assert request["headers"]["webhook-id"] == delivery.message_id
    assert request["headers"]["content-type"] == "application/json"
    payload = Webhook(secret).verify(request["body"], request["headers"])
    assert payload == {
        "type": "task.closed",
        "timestamp": "2024-09-30T10:00:00+08:00",
        "data": {"id": 7, "名称": "测试"},
    }
    (attempt,) = WebhookAttempt.objects.filter(delivery=delivery)
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 204, "")
    # A finished delivery is never attempted again.
    assert webhooks.attempt_delivery(delivery.pk) is None
    assert server.count() == 1


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_5xx_408_and_429_are_retried_with_backoff(local, status):
    server, endpoint, secret, delivery = local(status)

    retry_in = webhooks.attempt_delivery(delivery.pk)

    assert 0.15 <= retry_in <= 0.3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at > delivery.created_at


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_4xx_are_not_retried(local, status):
    server, endpoint, secret, delivery = local(status)

    assert webhooks.attempt_delivery(delivery.pk) is None

    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert endpoint.is_active


def test_410_disables_the_endpoint(local):
    server, endpoint, secret, delivery = local(410)

    assert webhooks.attempt_delivery(delivery.pk) is None

    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == "failed"
    assert not endpoint.is_active
    assert "410" in endpoint.disabled_reason
    assert webhooks.enqueue_event("task.closed", {"id": 8}) == []


def test_redirects_are_not_followed(local):
    server, endpoint, secret, delivery = local(302)
    # http.server sends no Location, so a client following redirects would fail differently;
    # not following: one request, recorded as a 302 and not retried.
    assert webhooks.attempt_delivery(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert WebhookAttempt.objects.get(delivery=delivery).status_code == 302
    assert server.count() == 1


def test_an_unreachable_receiver_is_retried_and_the_error_kept(local):
    server, endpoint, secret, delivery = local(200)
    server.close()  # nothing listens on the port any more

    retry_in = webhooks.attempt_delivery(delivery.pk)

    assert retry_in is not None
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert "ConnectError" in attempt.error


def test_attempts_stop_at_the_maximum(local, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    server, endpoint, secret, delivery = local(500)

    results = [webhooks.attempt_delivery(delivery.pk) for _ in range(4)]

    assert [r is not None for r in results] == [True, True, False, False]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert list(
        WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "status_code")
    ) == [(1, 500), (2, 500), (3, 500)]
    assert server.count() == 3
    assert {r["headers"]["webhook-id"] for r in server.requests} == {delivery.message_id}


def test_the_target_is_checked_again_at_send_time(local, settings):
    server, endpoint, secret, delivery = local(200)
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False  # e.g. the name now resolves inside

    assert webhooks.attempt_delivery(delivery.pk) is None

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "内网" in WebhookAttempt.objects.get(delivery=delivery).error
    assert server.count() == 0


def test_the_sweeper_finds_deliveries_whose_retry_is_overdue(local):
    server, endpoint, secret, delivery = local(500)
    webhooks.attempt_delivery(delivery.pk)
    delivery.refresh_from_db()

    with clock.override(delivery.next_attempt_at + dt.timedelta(seconds=30)):
        assert webhooks.overdue_deliveries() == []
    with clock.override(delivery.next_attempt_at + dt.timedelta(seconds=61)):
        assert webhooks.overdue_deliveries() == [delivery.pk]
