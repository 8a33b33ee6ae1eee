"""Shared by the API tests: isolated throttle budgets, Bearer-token clients per role."""

from uuid import uuid4

import pytest
from rest_framework.test import APIClient

from accounts.services import token_issue

API = "/api/v1/"


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache namespace, so throttle counters never leak between tests
    (with ``REDIS_URL`` set the cache is the real Redis, which outlives a test run)."""
    default = settings.CACHES["default"]
    settings.CACHES = {
        **settings.CACHES,
        "default": {**default, "KEY_PREFIX": f"test-{uuid4().hex}"},
    }


def bearer_client(user, scope: str = "write") -> APIClient:
    """An API client sending ``Authorization: Bearer <token>`` for ``user``."""
    _, plaintext = token_issue(user=user, scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def supervisor_client(supervisor):
    return bearer_client(supervisor)


@pytest.fixture
def supervisor_read_client(supervisor):
    return bearer_client(supervisor, scope="read")


@pytest.fixture
def owner_client(owner):
    return bearer_client(owner)


@pytest.fixture
def other_owner_client(other_owner):
    return bearer_client(other_owner)
