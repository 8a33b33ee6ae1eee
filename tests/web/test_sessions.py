"""Browser sessions end when idle, people change their password in the cockpit, and
``users/`` shows an owner only the people the cockpit shows them (issue 12 item 15)."""

import time

import pytest
from django.test import Client

from accounts.choices import Role
from accounts.services import token_issue
from tests import factories
from tests.clients import API, bearer_client

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"


def signed_in(owner) -> Client:
    client = Client()
    response = client.post("/login/", {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_idle_timeout_defaults_to_two_hours(settings):
    assert settings.SESSION_IDLE_MINUTES == 120


def test_a_session_idle_past_the_timeout_is_signed_out(settings, owner, monkeypatch):
    settings.SESSION_IDLE_MINUTES = 120
    client = signed_in(owner)
    assert client.get("/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 119 * 60)
    assert client.get("/").status_code == 200  # active within the window: renewed
    monkeypatch.setattr(time, "time", lambda: now + (119 + 121) * 60)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_the_session_cookie_expires_with_the_idle_window(settings, owner):
    settings.SESSION_IDLE_MINUTES = 30
    client = signed_in(owner)
    client.get("/")
    assert client.session.get_expiry_age() == 30 * 60


def test_the_cockpit_changes_the_password_and_revokes_tokens(owner):
    _, plaintext = token_issue(user=owner, scope="write")
    client = signed_in(owner)
    page = client.get("/password/")
    assert page.status_code == 200
    assert "修改密码" in page.content.decode()
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Brand-new-pass-2024",
            "new_password2": "Brand-new-pass-2024",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session stays signed in
    owner.refresh_from_db()
    assert owner.check_password("Brand-new-pass-2024")
    api = bearer_client(owner)
    assert api.get(API + "me/").status_code == 200
    old = Client()
    old.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    assert old.get(API + "me/").status_code == 401


def test_a_wrong_old_password_changes_nothing(owner):
    client = signed_in(owner)
    response = client.post(
        "/password/",
        {
            "old_password": "wrong",
            "new_password1": "Brand-new-2024",
            "new_password2": "Brand-new-2024",
        },
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_users_shows_an_owner_only_whom_the_cockpit_shows(owner, department, other_owner):
    colleague = factories.UserFactory(role=Role.OWNER, department=department)
    leader = factories.UserFactory(role=Role.LEADER)
    factories.TaskFactory(lead_department=department, responsible_leader=leader)
    idle_leader = factories.UserFactory(role=Role.LEADER)
    admin = factories.UserFactory(role=Role.VIEWER, is_superuser=True, is_staff=True)
    service = factories.UserFactory(role=Role.VIEWER, username="svc-sync")
    client = bearer_client(owner)
    listed = {row["id"] for row in client.get(API + "users/?page_size=100").json()["results"]}
    assert listed == {owner.pk, colleague.pk, leader.pk}
    for hidden in (other_owner, idle_leader, admin, service):
        assert client.get(f"{API}users/{hidden.pk}/").status_code == 404


def test_the_supervision_office_sees_every_user(supervisor, owner, other_owner):
    client = bearer_client(supervisor)
    listed = {row["id"] for row in client.get(API + "users/?page_size=100").json()["results"]}
    assert {supervisor.pk, owner.pk, other_owner.pk} <= listed
