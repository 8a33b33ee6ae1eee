"""One limit on password guessing for the three doors (``POST api/v1/auth/token/``, the
cockpit's ``login/`` and ``admin/login/``), built on django-axes.

Every door calls ``django.contrib.auth.authenticate(request, …)``; axes' backend, first in
``AUTHENTICATION_BACKENDS``, refuses while the caller is locked (the right password too), and
axes' signal handler counts each failure. Failures are counted per (normalized username,
client address): behind a shared proxy address one user's mistakes lock only that user
there. Per address alone there is a higher cap (``LOGIN_ADDRESS_FAILURE_LIMIT``), against one
address trying many names. Both windows are ``LOGIN_LOCKOUT_MINUTES`` from the last failure.

The client address is ``REMOTE_ADDR``; ``X-Forwarded-For`` is read only through
``TRUSTED_PROXY_COUNT`` proxies of our own (nginx in the compose deployment), so a client
cannot choose its address. Lifting a lock: ``manage.py unlock_login`` or the admin's
"解除登录锁定" action on users. Failures and lockouts are logged (logger ``axes``) and kept in
axes' tables (admin: 访问尝试 / 访问失败).
"""

import ipaddress
import logging
import unicodedata

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger(__name__)


def normalize_username(raw) -> str:
    """The username as every door's form hands it to authentication: NFKC-normalized
    (Django's ``UsernameField``), surrounding whitespace dropped."""
    return unicodedata.normalize("NFKC", str(raw or "")).strip()


class NormalizingModelBackend(ModelBackend):
    """Django's ``ModelBackend``, looking the user up by the normalized username, so the
    name that is counted and the name that logs in are always the same string."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.pop(self._username_field(), None)
        if username is None:
            return None
        return super().authenticate(
            request, username=normalize_username(username), password=password, **kwargs
        )

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


def axes_username(request, credentials) -> str:
    """``AXES_USERNAME_CALLABLE``: failures are counted under the normalized username."""
    if credentials:
        return normalize_username(credentials.get("username"))
    return normalize_username(getattr(request, "POST", {}).get("username"))


def client_address(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or, behind ``TRUSTED_PROXY_COUNT`` proxies of
    ours, the address the outermost of them saw (the N-th ``X-Forwarded-For`` entry from the
    right; each proxy appends the address it was reached from). Entries further left were
    written by the client and are never read."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    candidate = forwarded[-min(count, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class LoginLimitHandler(AxesDatabaseHandler):
    """axes' lock on (username, address), plus a cap on failures per address alone."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or address_limited(request.axes_ip_address)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        locked = request is None or request.axes_locked_out
        if not locked and address_limited(request.axes_ip_address):
            logger.warning(
                "Login limit: address %s reached %d failures, locking it out.",
                request.axes_ip_address,
                settings.LOGIN_ADDRESS_FAILURE_LIMIT,
            )
            request.axes_locked_out = True
            request.axes_credentials = credentials


def address_limited(address: str) -> bool:
    return address_failures(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def address_failures(address: str) -> int:
    """Failures from ``address`` (any username) within the lockout window."""
    since = timezone.now() - get_cool_off()
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


def lockout_message() -> str:
    return (
        f"登录失败次数过多，已暂时锁定，请 {settings.LOGIN_LOCKOUT_MINUTES} 分钟后再试，"
        "或请督查办解除锁定。"
    )


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: 429 with ``Retry-After``; the API's JSON error format on
    API paths, a page elsewhere (cockpit and admin logins)."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "login_locked", "message": lockout_message()},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(
            request, "accounts/login_locked.html", {"message": lockout_message()}, status=429
        )
    response["Retry-After"] = str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    return response


def unlock(*, username: str | None = None, address: str | None = None) -> int:
    """Lift the locks of ``username`` (everywhere) and/or ``address``; returns how many
    counters were cleared."""
    cleared = 0
    if username is not None:
        cleared += reset(username=normalize_username(username))
    if address is not None:
        cleared += reset(ip=address)
    return cleared
