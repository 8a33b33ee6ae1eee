import datetime as dt

import pytest
from rest_framework.test import APIClient

TODAY = dt.date(2024, 6, 28)  # a Friday, a working day


@pytest.fixture(autouse=True)
def _pinned_today(settings):
    settings.SUPERVISION_TODAY = TODAY


def api_for(user) -> APIClient:
    """An API client signed in by session (the cockpit's own calls), not by a Bearer token."""
    client = APIClient()
    client.raise_request_exception = False
    client.force_login(user)
    return client
