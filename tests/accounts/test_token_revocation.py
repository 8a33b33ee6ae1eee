"""Tokens can be listed and revoked — by their owner through the API, by an administrator in
the admin or with ``manage.py revoke_token`` — service tokens may expire, and a password
change revokes them all (issue 12 item 8)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import ApiToken
from accounts.services import token_issue
from core import clock
from tests import factories
from tests.clients import API

pytestmark = pytest.mark.django_db


def client_with(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def works(plaintext: str) -> bool:
    return client_with(plaintext).get(API + "me/").status_code == 200


def test_the_owner_lists_their_tokens_without_secrets(owner, other_owner):
    mine, plaintext = token_issue(user=owner, scope="write", name="笔记本")
    token_issue(user=owner, scope="read", name="报表")
    token_issue(user=other_owner, scope="write", name="别人的")
    response = client_with(plaintext).get(API + "auth/tokens/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["name"] for row in rows} == {"笔记本", "报表"}
    assert set(rows[0]) == {
        *("id", "name", "prefix", "scope", "created_at", "expires_at"),
        *("last_used_at", "revoked_at"),
    }
    assert plaintext.split("_", 2)[2] not in response.content.decode()
    assert next(r for r in rows if r["id"] == mine.pk)["last_used_at"]  # this request used it


def test_delete_one_of_my_tokens_revokes_it(owner):
    _, current = token_issue(user=owner, scope="write")
    other, other_plaintext = token_issue(user=owner, scope="write")
    response = client_with(current).delete(f"{API}auth/tokens/{other.pk}/")
    assert response.status_code == 204
    other.refresh_from_db()
    assert other.revoked_at is not None
    assert not works(other_plaintext)
    assert works(current)


def test_someone_elses_token_is_a_404_and_stays_valid(owner, other_owner):
    _, mine = token_issue(user=owner, scope="write")
    theirs, their_plaintext = token_issue(user=other_owner, scope="write")
    assert client_with(mine).delete(f"{API}auth/tokens/{theirs.pk}/").status_code == 404
    assert works(their_plaintext)


def test_delete_auth_token_revokes_the_token_in_use(owner):
    _, plaintext = token_issue(user=owner, scope="read")  # even a read token may revoke itself
    response = client_with(plaintext).delete(API + "auth/token/")
    assert response.status_code == 204
    assert not works(plaintext)
    assert client_with(plaintext).get(API + "me/").status_code == 401


def test_delete_auth_token_from_a_browser_session_is_a_400(client, owner):
    client.force_login(owner)
    response = client.delete(API + "auth/token/")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_a_password_change_revokes_every_token(owner):
    _, first = token_issue(user=owner, scope="write")
    _, second = token_issue(user=owner, scope="read")
    owner.set_password("a-new-pass-word-456")
    owner.save()
    assert not works(first)
    assert not works(second)
    assert not ApiToken.objects.filter(user=owner, revoked_at__isnull=True).exists()


def test_a_login_does_not_revoke_tokens(owner):
    _, plaintext = token_issue(user=owner, scope="write")
    client = Client()  # a login saves last_login, not the password
    response = client.post(
        reverse("web:login"), {"username": owner.username, "password": "pass-word-123"}
    )
    assert response.status_code == 302
    assert works(plaintext)


def test_the_admin_password_change_revokes_tokens(owner):
    admin = factories.UserFactory(role=Role.SUPERVISOR, is_staff=True, is_superuser=True)
    _, plaintext = token_issue(user=owner, scope="write")
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[owner.pk]),
        {"password1": "Another-pass-789", "password2": "Another-pass-789"},
    )
    assert response.status_code == 302, response.content[:500]
    assert not works(plaintext)


def test_the_admin_lists_tokens_without_digests_and_revokes_them(owner):
    admin = factories.UserFactory(role=Role.SUPERVISOR, is_staff=True, is_superuser=True)
    token, plaintext = token_issue(user=owner, scope="write", name="对接系统")
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert "对接系统" in page
    assert token.prefix in page
    assert token.digest not in page
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert token.digest not in detail.content.decode()
    response = client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert not works(plaintext)


def test_manage_py_revoke_token_by_prefix_and_by_user(owner):
    one, one_plaintext = token_issue(user=owner, scope="write")
    _, two = token_issue(user=owner, scope="write")
    _, three = token_issue(user=owner, scope="read")
    call_command("revoke_token", one.prefix, stdout=io.StringIO())
    assert not works(one_plaintext)
    assert works(two)
    call_command("revoke_token", user=owner.username, stdout=io.StringIO())
    assert not works(two)
    assert not works(three)


def test_a_service_token_may_expire(owner):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "issue_token", owner.username, scope="read", expires_days=7, stdout=out, stderr=err
    )
    plaintext = out.getvalue().strip()
    token = ApiToken.objects.get(prefix=plaintext.split("_")[1])
    assert token.expires_at is not None
    assert token.expires_at - clock.now() <= dt.timedelta(days=7)
    assert works(plaintext)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=clock.now() - dt.timedelta(seconds=1))
    assert not works(plaintext)


def test_the_token_list_query_count_does_not_grow_with_page_size(owner, django_assert_num_queries):
    _, plaintext = token_issue(user=owner, scope="read")
    for number in range(110):
        token_issue(user=owner, scope="read", name=f"t{number}")
    client = client_with(plaintext)
    client.get(API + "me/")  # stamps last_used_at once
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(API + "auth/tokens/?page_size=1").json()["results"]) == 1
    with django_assert_num_queries(len(one)):
        response = client.get(API + "auth/tokens/?page_size=100")
    assert len(response.json()["results"]) == 100


def test_the_kept_lookup_reads_the_token_its_user_and_unit_in_one_query(owner):
    from config.api.authentication import live_token

    token, _ = token_issue(user=owner, scope="write", name="一次")
    with CaptureQueriesContext(connection) as queries:
        found = live_token(token.prefix)
        assert (found.pk, found.scope, found.user.username) == (token.pk, "write", owner.username)
        assert found.user.department.name == owner.department.name
    assert len(queries) == 1
    assert live_token("0" * 12) is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=clock.now())
    assert live_token(token.prefix) is None
