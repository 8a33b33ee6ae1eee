"""The compose deployment (issue 12 items 6 and 7): only nginx is published, it buffers
requests, caps bodies and times out slow clients, serves static files and tells the app the
client address and scheme the way TRUSTED_PROXY_COUNT=1 expects; SECRET_KEY and
POSTGRES_PASSWORD (and MINIO_ROOT_PASSWORD, the file store's, issue 16) have no default, so a
deployment that forgets them refuses to start."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse_lazy

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
NGINX = ROOT / "deploy" / "nginx" / "default.conf"


REQUIRED = ("SECRET_KEY", "POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD")
VALUES = {"SECRET_KEY": "k" * 50, "POSTGRES_PASSWORD": "pw", "MINIO_ROOT_PASSWORD": "minio-pw-1"}


def compose_config(tmp_path, **variables) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is missing (make test installs Debian's package)")
    env = {k: v for k, v in os.environ.items() if k not in REQUIRED}
    empty = tmp_path / "empty.env"
    empty.write_text("")
    return subprocess.run(  # noqa: S603 — our own file, fixed arguments
        [binary, "--env-file", str(empty), "-f", str(COMPOSE), "config", "-q"],
        env={**env, **variables},
        capture_output=True,
        text=True,
        check=False,
    )


def test_compose_validates_with_the_required_variables(tmp_path):
    result = compose_config(tmp_path, **VALUES)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", REQUIRED)
def test_compose_refuses_to_start_without_each_required_variable(tmp_path, missing):
    variables = dict(VALUES)
    del variables[missing]
    result = compose_config(tmp_path, **variables)
    assert result.returncode != 0
    assert f"set {missing}" in result.stderr


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_only_nginx_is_published():
    published = {name for name, service in services().items() if service.get("ports")}
    assert published == {"nginx"}
    assert services()["web"].get("expose") == ["8000"]


def test_no_insecure_defaults():
    text = COMPOSE.read_text()
    assert "change-me" not in text
    assert not re.search(r"\$\{(SECRET_KEY|POSTGRES_PASSWORD):-", text)
    env = services()["web"]["environment"]
    assert env["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-1}"
    assert env["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"  # exactly nginx


def directives() -> str:
    return re.sub(r"#[^\n]*", "", NGINX.read_text())


def test_nginx_passes_the_client_address_and_scheme_it_saw():
    conf = directives()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header Host $host;" in conf
    assert "proxy_pass http://duban_app;" in conf
    assert "server web:8000;" in conf


def test_nginx_buffers_bodies_times_out_slow_clients_and_caps_the_size():
    conf = directives()
    assert "proxy_request_buffering on;" in conf
    for directive in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        seconds = re.search(rf"{directive}\s+(\d+)s;", conf)
        assert seconds is not None, directive
        assert int(seconds.group(1)) <= 30, directive
    size = re.search(r"client_max_body_size\s+(\d+)m;", conf)
    assert size is not None
    assert int(size.group(1)) * 1024 * 1024 == settings.API_MAX_BODY_BYTES
    assert re.search(r"location /static/ \{\s*alias /srv/static/;", conf)
    nginx = services()["nginx"]
    assert "static:/srv/static:ro" in nginx["volumes"]
    assert "static:/app/staticfiles" in services()["migrate"]["volumes"]
    assert "collectstatic" in " ".join(services()["migrate"]["command"])


def location(conf: str, pattern: str) -> str:
    """The body of the ``location <pattern> { … }`` block (no nested blocks in ours)."""
    found = re.search(rf"location {re.escape(pattern)} \{{([^}}]*)\}}", conf)
    assert found is not None, f"no location {pattern}"
    return found.group(1)


@pytest.mark.parametrize("path", [reverse_lazy("attachment-list"), reverse_lazy("web:upload")])
def test_nginx_lets_the_upload_doors_take_what_the_app_takes(path):
    """Issue 16: the file cap (FILES_MAX_SIZE_MB, 20 MB) and the request cap
    (FILES_MAX_REQUEST_MB) are the app's; nginx must not refuse below them."""
    assert settings.FILES_MAX_SIZE_MB <= settings.FILES_MAX_REQUEST_MB
    block = location(directives(), f"= {path}")
    size = re.search(r"client_max_body_size\s+(\d+)m;", block)
    assert size is not None
    assert int(size.group(1)) == settings.FILES_MAX_REQUEST_MB
    assert "proxy_pass http://duban_app;" in block
    assert "error_page 413 = @upload_too_large;" in block
    answer = location(directives(), "@upload_too_large")
    assert f"上限 {settings.FILES_MAX_REQUEST_MB} MB" in answer


def test_nginx_serves_accel_downloads_from_an_internal_location_on_the_file_store():
    """FILES_DELIVERY=accel: X-Accel-Redirect to FILES_ACCEL_PREFIX, an internal location
    that proxies the signed request to the compose file store (the S3 endpoint the app signs
    for, with that Host) and adds the download's safety headers itself."""
    env = services()["web"]["environment"]
    assert env["FILE_STORAGE"] == "s3"
    assert env["FILES_DELIVERY"].startswith("${FILES_DELIVERY:-")
    block = location(directives(), settings.FILES_ACCEL_PREFIX)
    assert re.search(r"^\s*internal;", block, re.MULTILINE)
    assert f"proxy_pass {env['S3_ENDPOINT_URL']}/;" in block
    assert "proxy_set_header Host $proxy_host;" in block
    assert 'proxy_set_header Authorization "";' in block
    assert 'proxy_set_header Cookie "";' in block
    assert "add_header X-Content-Type-Options nosniff always;" in block
    assert "add_header Content-Security-Policy \"default-src 'none'; sandbox\" always;" in block
