"""Password guessing is limited the same way at all three doors (issue 12 item 1): the API's
``auth/token/``, the cockpit's ``login/`` and ``admin/login/``.

Attackers spoof ``X-Forwarded-For`` (a new address per request) and pad the username with
spaces (login trims them); neither gets past the limit, and the right password does not
lift a lock.
"""

import logging

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"
LIMIT = 3


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3 * LIMIT
    settings.TRUSTED_PROXY_COUNT = 0


@pytest.fixture
def staff(db):
    return factories.UserFactory(
        username="chief", role=Role.SUPERVISOR, is_staff=True, is_superuser=True
    )


def login(door: str, username: str, password: str, *, address="127.0.0.1", forwarded=None):
    """One login attempt at ``door``; returns (succeeded, response)."""
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    if door == "api":
        client = APIClient()
        response = client.post(
            "/api/v1/auth/token/",
            {"username": username, "password": password},
            format="json",
            **extra,
        )
        return response.status_code == 201, response
    from django.test import Client

    client = Client()
    url = reverse("web:login") if door == "cockpit" else reverse("admin:login")
    response = client.post(url, {"username": username, "password": password}, **extra)
    return "_auth_user_id" in client.session, response


def assert_locked(response):
    assert response.status_code == 429, response.content[:300]
    assert int(response["Retry-After"]) > 0
    if response["Content-Type"].startswith("application/json"):
        assert response.json()["code"] == "login_locked"
    else:
        assert "登录失败次数过多" in response.content.decode()


DOORS = ["api", "cockpit", "admin"]


@pytest.mark.parametrize("door", DOORS)
def test_spoofed_forwarded_for_and_padded_names_do_not_escape_the_limit(door, staff):
    for attempt in range(LIMIT):
        padded = " " * attempt + staff.username + " " * (attempt + 1)
        ok, _ = login(door, padded, "wrong", forwarded=f"203.0.113.{attempt + 1}")
        assert not ok
    ok, response = login(door, staff.username, PASSWORD, forwarded="198.51.100.7")
    assert not ok
    assert_locked(response)
    assert not ApiToken.objects.filter(user=staff).exists()


@pytest.mark.parametrize("door", DOORS)
def test_a_padded_name_does_not_log_in_once_the_name_is_locked(door, staff):
    for _ in range(LIMIT):
        login("cockpit", staff.username, "wrong")
    ok, response = login(door, f"  {staff.username} ", PASSWORD)
    assert not ok
    assert_locked(response)


@pytest.mark.parametrize("door", DOORS)
def test_below_the_limit_the_right_password_logs_in(door, staff):
    for _ in range(LIMIT - 1):
        assert not login(door, staff.username, "wrong")[0]
    ok, response = login(door, f" {staff.username} ", PASSWORD)
    assert ok, response.content[:300]


def test_behind_a_shared_address_one_users_failures_lock_only_that_user(staff):
    colleague = factories.UserFactory(role=Role.OWNER, department=factories.DepartmentFactory())
    for _ in range(LIMIT):
        login("api", staff.username, "wrong", address="10.1.1.1")
    assert_locked(login("api", staff.username, PASSWORD, address="10.1.1.1")[1])
    assert login("api", colleague.username, PASSWORD, address="10.1.1.1")[0]
    assert login("api", staff.username, PASSWORD, address="10.2.2.2")[0]


def test_one_address_trying_many_names_is_rate_limited(staff):
    for number in range(3 * LIMIT):  # one failure each: no (name, address) pair is locked
        assert not login("api", f"guess{number}", "wrong", address="10.9.9.9")[0]
    ok, response = login("cockpit", staff.username, PASSWORD, address="10.9.9.9")
    assert not ok
    assert_locked(response)
    assert login("cockpit", staff.username, PASSWORD, address="10.8.8.8")[0]


def test_forwarded_for_is_read_only_through_the_trusted_proxies(settings, staff):
    settings.TRUSTED_PROXY_COUNT = 1  # nginx at 127.0.0.1 appends the address it saw
    for attempt in range(LIMIT):
        forwarded = f"203.0.113.{attempt + 1}, 192.0.2.10"  # the left part is the client's
        assert not login("api", staff.username, "wrong", forwarded=forwarded)[0]
    assert_locked(login("api", staff.username, PASSWORD, forwarded="9.9.9.9, 192.0.2.10")[1])
    # Another real client behind the same proxy is not locked.
    assert login("api", staff.username, PASSWORD, forwarded="192.0.2.11")[0]


def test_without_trusted_proxies_forwarded_for_is_ignored(staff):
    for attempt in range(LIMIT):
        login("api", staff.username, "wrong", forwarded=f"192.0.2.{attempt + 1}")
    assert_locked(login("api", staff.username, PASSWORD, forwarded="192.0.2.200")[1])


def test_unlock_command_lifts_the_lock(staff, capsys):
    for _ in range(LIMIT):
        login("admin", staff.username, "wrong")
    assert not login("admin", staff.username, PASSWORD)[0]
    call_command("unlock_login", f" {staff.username}")
    assert login("admin", staff.username, PASSWORD)[0]


def test_unlock_command_by_address_lifts_the_address_limit(staff):
    for number in range(3 * LIMIT):
        login("api", f"guess{number}", "wrong", address="10.9.9.9")
    call_command("unlock_login", address=["10.9.9.9"])
    assert login("api", staff.username, PASSWORD, address="10.9.9.9")[0]


def test_admin_action_unlocks_the_selected_users(client, staff):
    victim = factories.UserFactory(role=Role.VIEWER)
    for _ in range(LIMIT):
        login("cockpit", victim.username, "wrong")
    assert not login("cockpit", victim.username, PASSWORD)[0]
    client.force_login(staff)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_login", "_selected_action": [victim.pk]},
    )
    assert response.status_code == 302
    assert login("cockpit", victim.username, PASSWORD)[0]


def test_failures_and_lockouts_are_logged(staff, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        for _ in range(LIMIT):
            login("api", staff.username, "wrong", address="10.3.3.3")
    text = caplog.text
    assert "login failure" in text
    assert "Locking out" in text
    assert staff.username in text
    assert "10.3.3.3" in text
    assert "wrong" not in text  # never the password
