"""Authentication, permission, pagination and throttle classes for the API.

Kept apart from ``config.api`` (which imports DRF's views): DRF imports these classes from
settings while its own views module loads, so they must not import views themselves.
"""

import hashlib
import hmac
import re
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination, permissions
from rest_framework.authentication import BaseAuthentication
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken
from accounts.services import token_digest
from config import clock

# --- authentication ----------------------------------------------------------------------

TOKEN_PREFIX = re.compile(r"[0-9a-f]{1,12}")  # ``token_issue`` makes 8 hex digits


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer wl_<prefix>_<secret>``; tokens are stored as SHA-256 digests."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        raw = header[len(self.keyword) + 1 :].strip()
        parts = raw.split("_", 2)
        if (
            len(parts) != 3
            or parts[0] != "wl"
            or not TOKEN_PREFIX.fullmatch(parts[1])
            or not parts[2].isascii()
        ):
            raise exceptions.AuthenticationFailed(_("令牌格式无效。"))
        token = (
            ApiToken.objects.select_related("user", "user__department")
            .filter(prefix=parts[1], revoked_at__isnull=True)
            .first()
        )
        if token is None or not hmac.compare_digest(token.digest, token_digest(parts[2])):
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销。"))
        now = clock.now()
        if token.expires_at and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("令牌已过期。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用。"))
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


# --- permissions -------------------------------------------------------------------------


class ReadTokenIsReadOnly(permissions.BasePermission):
    """A read-scoped token is refused every write."""

    message = _("只读令牌不能执行写操作。")

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken) and token.scope != "write":
            return request.method in permissions.SAFE_METHODS
        return True


class IsSupervisorOrReadOnly(permissions.BasePermission):
    """Reads for every signed-in user; writes for the supervision office only."""

    message = _("只有督查办可以执行此操作。")

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.is_supervisor


# --- pagination --------------------------------------------------------------------------


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


# --- throttling --------------------------------------------------------------------------


class TokenOrUserRateThrottle(SimpleRateThrottle):
    """One budget per API token, or per user for browser sessions."""

    scope = "user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginRateThrottle(SimpleRateThrottle):
    """Against password guessing: per client address and per username."""

    scope = "login"

    def get_cache_key(self, request, view):
        # The body is not validated yet: it may be a JSON list, a string, or a form.
        data = request.data
        username = str(data.get("username", ""))[:150] if isinstance(data, Mapping) else ""
        ident = f"{self.get_ident(request)}-{hashlib.sha256(username.encode()).hexdigest()[:16]}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
