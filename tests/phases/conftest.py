import datetime as dt
from uuid import uuid4

import pytest
from django.test import Client
from rest_framework.test import APIClient

TODAY = dt.date(2024, 6, 28)  # a Friday, a working day
API = "/api/v1/"


@pytest.fixture(autouse=True)
def _pinned_today(settings):
    settings.SUPERVISION_TODAY = TODAY
    default = settings.CACHES["default"]  # a fresh throttle budget per test
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": uuid4().hex}}


def api_for(user) -> APIClient:
    client = APIClient()
    client.raise_request_exception = False
    client.force_login(user)
    return client


def web_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
