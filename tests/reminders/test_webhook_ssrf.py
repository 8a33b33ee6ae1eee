"""Webhooks reach only public addresses (issue 12 item 5): every IPv6 form that carries a
private, loopback or link-local IPv4 address is refused, and a delivery connects to the
address that was checked — a resolver that answers "public" once and 127.0.0.1 afterwards
(DNS rebinding) never gets the request to loopback.

The "public" receiver listens on 127.0.0.2 (no packet leaves the machine): the test tells
the check that this one address is public, and everything else private.
"""

import http.server
import socket
import ssl
import subprocess
import threading

import pytest
from django.db import transaction

from supervision.webhooks import services as webhooks
from supervision.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.clients import API, bearer_client

pytestmark = pytest.mark.django_db

PUBLIC, INTERNAL = "127.0.0.2", "127.0.0.1"


@pytest.fixture(autouse=True)
def _public_targets_only(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False


@pytest.mark.parametrize(
    "url",
    [
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[2002:a00:1::]/",  # 6to4 of 10.0.0.1
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "http://[::ffff:169.254.169.254]/",
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
        "http://[64:ff9b:1::808:808]/",  # local-use NAT64
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
    ],
)
def test_addresses_that_map_to_private_ones_are_refused(supervisor, url):
    response = bearer_client(supervisor).post(
        API + "webhooks/", {"name": "内网", "url": url}, format="json"
    )
    assert response.status_code == 400, response.content[:300]
    assert "url" in response.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("address", ["2002:5db8:d822::1", "2606:4700::1111", "93.184.216.34"])
def test_public_addresses_in_those_forms_are_accepted(address):
    assert webhooks._is_public(address)


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.server.hits.append(
            {
                "host": self.headers["Host"],
                "body": self.rfile.read(int(self.headers["Content-Length"])),
            }
        )
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(address: str, port: int = 0, *, tls: ssl.SSLContext | None = None):
    server = http.server.HTTPServer((address, port), Receiver)
    server.hits = []
    server.server_names = []
    if tls is not None:
        tls.sni_callback = lambda sock, name, ctx: server.server_names.append(name)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def receivers():
    """An "internal" receiver on 127.0.0.1 and a "public" one on 127.0.0.2, same port."""
    internal = serve(INTERNAL)
    port = internal.server_address[1]
    public = serve(PUBLIC, port)
    yield port, public, internal
    for server in (public, internal):
        server.shutdown()
        server.server_close()


class RebindingResolver:
    """Answers ``PUBLIC`` for ``name`` the first time after ``reset()``, loopback after."""

    def __init__(self, name: str):
        self.name, self.calls, self.real = name, 0, socket.getaddrinfo

    def reset(self):
        self.calls = 0

    def __call__(self, host, port, *args, **kwargs):
        if host != self.name:
            return self.real(host, port, *args, **kwargs)
        self.calls += 1
        address = PUBLIC if self.calls == 1 else INTERNAL
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]


@pytest.fixture
def rebinding(monkeypatch):
    resolver = RebindingResolver("rebind.test")
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(webhooks, "_is_public", lambda address: address == PUBLIC)
    return resolver


def deliver_one(url: str, rebinding) -> WebhookDelivery:
    rebinding.reset()
    endpoint, _ = webhooks.endpoint_create(name="接收端", url=url)
    with transaction.atomic():
        [delivery_id] = webhooks.enqueue_event("task.assigned", {"id": 1})
    rebinding.reset()  # the name answers "public" once more, then loopback
    webhooks.attempt_delivery(delivery_id)
    return WebhookDelivery.objects.get(pk=delivery_id)


def test_a_rebinding_name_is_delivered_to_the_checked_address(receivers, rebinding):
    port, public, internal = receivers
    delivery = deliver_one(f"http://rebind.test:{port}/hook", rebinding)

    assert internal.hits == []  # loopback never reached
    assert len(public.hits) == 1
    assert public.hits[0]["host"] == f"rebind.test:{port}"  # the original Host header
    assert delivery.status == "succeeded"
    assert rebinding.calls == 1  # resolved once per attempt, never again


def test_tls_goes_to_the_checked_address_with_the_original_server_name(tmp_path, rebinding):
    subprocess.run(  # noqa: S603 — a fixed command line: a throwaway certificate
        [  # noqa: S607
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=rebind.test", "-addext", "subjectAltName=DNS:rebind.test"),
            *("-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    internal = serve(INTERNAL)
    port = internal.server_address[1]
    public = serve(PUBLIC, port, tls=context)
    try:
        delivery = deliver_one(f"https://rebind.test:{port}/hook", rebinding)
    finally:
        for server in (public, internal):
            server.shutdown()
            server.server_close()

    assert public.server_names == ["rebind.test"]  # SNI: the name, at the checked address
    assert internal.hits == []
    # Our certificate is self-signed: the client refuses it, checked against the name.
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.status_code is None
    assert "CERTIFICATE_VERIFY_FAILED" in attempt.error or "certificate" in attempt.error
