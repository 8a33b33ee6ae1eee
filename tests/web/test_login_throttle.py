import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_repeated_failed_logins_are_refused_even_with_the_right_password(client, settings, owner):
    settings.WEB_LOGIN_FAILURES_PER_MINUTE = 3
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    url = reverse("web:login")
    for _ in range(3):
        response = client.post(url, {"username": owner.username, "password": "wrong"})
        assert response.status_code == 200
        assert (
            "请输入一个正确的" in response.content.decode() or "正确" in response.content.decode()
        )
    response = client.post(url, {"username": owner.username, "password": "pass-word-123"})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_good_login_goes_through(client, settings, owner):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    response = client.post(
        reverse("web:login"), {"username": owner.username, "password": "pass-word-123"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
