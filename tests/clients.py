"""Test clients, defined once: a Bearer-token API client and a signed-in cockpit client.

The role fixtures in ``tests/conftest.py`` are built from these; a test that needs a client
for some other user calls them directly.
"""

from django.test import Client
from rest_framework.test import APIClient

API = "/api/v1/"


def bearer_client(user, scope: str = "write") -> APIClient:
    """An API client sending ``Authorization: Bearer <token>`` for ``user``."""
    from accounts.services import token_issue

    _, plaintext = token_issue(user=user, scope=scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def session_client(user) -> Client:
    """A browser-like client signed in to the cockpit as ``user`` (session cookie)."""
    client = Client()
    client.force_login(user)
    return client
