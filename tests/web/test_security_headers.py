"""Content-Security-Policy and Permissions-Policy on every page; Swagger UI served by the
application, not a CDN (issue 12 item 14)."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.choices import Role
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(db):
    user = factories.UserFactory(role=Role.SUPERVISOR, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


PAGES = [
    "/",
    "/tasks/",
    "/projects/",
    "/login/",
    "/admin/",
    "/api/docs/",
    "/api/v1/me/",
    "/api/schema/",
    "/password/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_csp_and_a_permissions_policy(staff_client, path):
    response = staff_client.get(path)
    assert response.status_code in (200, 302), (path, response.status_code)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_swagger_ui_is_served_by_the_application(staff_client):
    page = staff_client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    for url in assets:
        assert url.startswith("/"), url  # nothing from another host (no CDN)
        if url.startswith("/static/"):  # collected and served with the app's static files
            assert finders.find(url.removeprefix("/static/")), url
        else:
            assert staff_client.get(url).status_code == 200, url
    assert "<script>" not in page
    assert "<style>" not in page
    assert "swagger-ui-bundle.js" in page


TEMPLATE_DIRS = ["supervision/web/templates", "accounts/templates"]
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "on…= handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    """The policy allows no inline code: a template must use static files (or classes)."""
    found = []
    for folder in TEMPLATE_DIRS:
        for path in (ROOT / folder).rglob("*.html"):
            text = path.read_text()
            for pattern, what in INLINE:
                if pattern.search(text):
                    found.append(f"{path.relative_to(ROOT)}: {what}")
    assert found == []
