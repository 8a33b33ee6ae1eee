"""Webhooks per the Standard Webhooks specification (API.md, "Webhooks").

Each event becomes one ``WebhookDelivery`` per subscribed endpoint, written in the caller's
transaction (an outbox) and sent after commit. Every attempt is kept; the ``webhook-id`` is
the delivery's ``message_id`` and never changes between retries.
"""

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import random
import secrets
import socket
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from accounts import audit
from config.celery import enqueue
from core import clock
from core.errors import NotPermitted
from supervision.webhooks.choices import DeliveryStatus
from supervision.webhooks.models import (
    EVENT_TYPES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)

RETRYABLE = {408, 429}
SEND_TASK = "supervision.webhooks.tasks.send_webhook"


def generate_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


# IPv6 forms that carry an IPv4 address (RFC 4291 mapped and compatible, 6to4, Teredo,
# NAT64): the embedded address is where the packets end up, so it is judged too.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local use only
_V4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if ip in _NAT64 or ip in _V4_COMPATIBLE:
        found.append(low32)
    return [address for address in found if address is not None]


def _is_public(address: str) -> bool:
    """A global unicast address that no form maps to a private, loopback, link-local or
    otherwise non-global IPv4 address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        if not all(_is_public(str(v4)) for v4 in _embedded_ipv4(ip)):
            return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve(url: str) -> list[str]:
    """The addresses a delivery to ``url`` may connect to: resolved once, each checked.

    Refuses (``ValidationError`` on ``url``) non-HTTP(S) URLs, names that do not resolve and,
    unless ``WEBHOOK_ALLOW_PRIVATE_NETWORKS``, any address that is not public.
    """
    parts = _parse(url)
    default_port = 443 if parts.scheme == "https" else 80
    try:
        infos = socket.getaddrinfo(
            parts.hostname, parts.port or default_port, proto=socket.IPPROTO_TCP
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError({"url": f"无法解析主机名：{parts.hostname}"}) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS and not all(map(_is_public, addresses)):
        raise ValidationError({"url": "不允许指向内网、回环或链路本地地址。"})
    return addresses


def _parse(url: str):
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError when out of range or not a number
    except ValueError as exc:
        raise ValidationError({"url": f"地址无效：{exc}"}) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": "只支持 http(s) 地址。"})
    return parts


def check_url(url: str) -> None:
    """Refuse non-HTTP(S) URLs and hosts on private, loopback or link-local addresses (where
    private targets are allowed, the name is looked up only when sending)."""
    if settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS:
        _parse(url)
    else:
        resolve(url)


def post_pinned(url: str, *, content: bytes, headers: dict, timeout: float) -> httpx.Response:
    """POST to ``url`` at an address ``resolve`` checked — the name is never looked up again,
    so a resolver that answers differently the second time (DNS rebinding) is not asked. The
    request keeps the original ``Host`` header and TLS server name (certificate checked for
    the name). Redirects are not followed."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    host_header = parts.netloc.rpartition("@")[2]
    last_error: httpx.HTTPError | None = None
    for address in resolve(url):
        host = f"[{address}]" if ":" in address else address
        netloc = (f"{userinfo}@" if userinfo else "") + host
        netloc += f":{parts.port}" if parts.port else ""
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        extensions = {}
        if parts.scheme == "https" and not _is_ip_literal(parts.hostname):
            extensions["sni_hostname"] = parts.hostname
        try:
            with httpx.Client(timeout=timeout, follow_redirects=False) as client:
                return client.post(
                    pinned,
                    content=content,
                    headers={**headers, "host": host_header},
                    extensions=extensions,
                )
        except httpx.ConnectError as exc:  # the next checked address, as a resolver would
            last_error = exc
    raise last_error or httpx.ConnectError(f"no address for {parts.hostname}")


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


ENDPOINT_EDITABLE = ("name", "url", "event_types", "is_active")


def can_manage_endpoints(user) -> bool:
    """Endpoints (where our data goes) are the supervision office's business only (the
    API's ``SupervisorOnly``)."""
    return bool(user and user.is_authenticated and user.is_supervisor)


def _require_manager(actor) -> None:
    if not can_manage_endpoints(actor):
        raise NotPermitted("只有督查办可以管理 Webhook。")


def _check_event_types(event_types) -> None:
    unknown = set(event_types or []) - set(EVENT_TYPES)
    if unknown:
        raise ValidationError({"event_types": f"未知事件：{'、'.join(sorted(unknown))}"})


def _endpoint_snapshot(endpoint: WebhookEndpoint) -> dict:
    """What an audit record keeps of an endpoint: never its secret."""
    return audit.snapshot(endpoint, [*ENDPOINT_EDITABLE, "disabled_reason"])


def endpoint_create(
    *,
    name: str,
    url: str,
    event_types: list[str] | None = None,
    is_active: bool = True,
    actor=None,
):
    """Create an endpoint; returns (endpoint, secret) — the secret is shown this once.

    With an ``actor`` (the cockpit) the right is checked and an ``AuditRecord`` written
    here; the API's viewset audits its own writes and passes none."""
    if actor is not None:
        _require_manager(actor)
    _check_event_types(event_types)
    check_url(url)
    secret = generate_secret()
    endpoint = WebhookEndpoint(
        name=name, url=url, secret=secret, event_types=event_types or [], is_active=is_active
    )
    endpoint.full_clean()
    endpoint.save()
    if actor is not None:
        audit.record(
            actor=actor, action="create", instance=endpoint, after=_endpoint_snapshot(endpoint)
        )
    return endpoint, secret


@transaction.atomic
def endpoint_update(*, actor, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    """Change an endpoint's name, URL (checked as at creation), events or 启用/停用."""
    unknown = set(fields) - set(ENDPOINT_EDITABLE)
    if unknown:
        raise ValueError(f"unknown endpoint fields: {sorted(unknown)}")
    _require_manager(actor)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if "event_types" in fields:
        _check_event_types(fields["event_types"])
        fields["event_types"] = list(fields["event_types"] or [])
    if "url" in fields and fields["url"] != endpoint.url:
        check_url(fields["url"])
    before = _endpoint_snapshot(endpoint)
    for name, value in fields.items():
        setattr(endpoint, name, value)
    endpoint.full_clean()
    endpoint.save()
    audit.record(
        actor=actor,
        action="update",
        instance=endpoint,
        before=before,
        after=_endpoint_snapshot(endpoint),
    )
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint with its delivery log (as the API's ``DELETE``)."""
    _require_manager(actor)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    audit.record(
        actor=actor, action="delete", instance=endpoint, before=_endpoint_snapshot(endpoint)
    )
    endpoint.delete()


def enqueue_event(event_type: str, data: dict) -> list[int]:
    """Write one delivery per subscribed endpoint (inside the caller's transaction)."""
    return enqueue_events([(event_type, data)])


def enqueue_events(events: list[tuple[str, dict]]) -> list[int]:
    """``enqueue_event`` for many events at once: one read of the endpoints, one insert."""
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    if not endpoints or not events:
        return []
    now = clock.now()
    deliveries = []
    for event_type, data in events:
        payload = {"type": event_type, "timestamp": now.isoformat(), "data": data}
        payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
        deliveries += [
            WebhookDelivery(
                endpoint=endpoint,
                message_id=f"msg_{uuid.uuid4().hex}",
                event_type=event_type,
                payload=payload,
                created_at=now,
                next_attempt_at=now,
            )
            for endpoint in endpoints
            if endpoint.wants(event_type)
        ]
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in deliveries]
    if ids:
        transaction.on_commit(lambda: [enqueue(SEND_TASK, pk) for pk in ids])
    return ids


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter: base · 2^(attempt-1), jittered to [½, 1]×."""
    delay = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    return delay * (0.5 + random.random() / 2)  # noqa: S311 — jitter, not security


def attempt_delivery(delivery_id: int) -> float | None:
    """Make one attempt now. Returns the delay before the next attempt, or None when done."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None  # already finished, or another worker holds it
        endpoint = delivery.endpoint
        number = delivery.attempts + 1
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"))
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": delivery.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(endpoint.secret, delivery.message_id, timestamp, body),
        }
        status_code, error, retryable = None, "", False
        started = time.monotonic()
        try:
            response = post_pinned(  # checked again at send time: DNS may have changed
                endpoint.url,
                content=body.encode(),
                headers=headers,
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            )
            status_code = response.status_code
            retryable = status_code in RETRYABLE or status_code >= 500
        except ValidationError as exc:
            error = "；".join(exc.messages)
        except httpx.HTTPError as exc:  # timeouts and connection failures are transient
            error, retryable = f"{type(exc).__name__}: {exc}"[:500], True
        duration = int((time.monotonic() - started) * 1000)
        now = clock.now()
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            attempted_at=now,
            status_code=status_code,
            duration_ms=duration,
            error=error,
        )
        delivery.attempts = number
        retry_in = None
        if status_code is not None and 200 <= status_code < 300:
            delivery.status, delivery.finished_at = DeliveryStatus.SUCCEEDED, now
        elif status_code == 410:
            delivery.status, delivery.finished_at = DeliveryStatus.FAILED, now
            endpoint.is_active = False
            endpoint.disabled_reason = "接收端返回 410 Gone，已自动停用"
            endpoint.save(update_fields=["is_active", "disabled_reason", "updated_at"])
        elif retryable and number < settings.WEBHOOK_MAX_ATTEMPTS:
            retry_in = backoff_seconds(number)
            delivery.next_attempt_at = now + dt.timedelta(seconds=retry_in)
        else:
            delivery.status, delivery.finished_at = DeliveryStatus.FAILED, now
        delivery.save(update_fields=["attempts", "status", "next_attempt_at", "finished_at"])
    return retry_in


def overdue_deliveries(grace_seconds: int = 60) -> list[int]:
    now = clock.now()
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now - dt.timedelta(seconds=grace_seconds),
        ).values_list("pk", flat=True)[:1000]
    )
