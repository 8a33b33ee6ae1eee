"""Bearer-token authentication.

Like ``permissions``, ``pagination`` and ``throttles``, this module must not import DRF's
views: DRF imports these classes from settings while its own views module loads.
"""

import hmac
import re

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from accounts.models import ApiToken
from accounts.services import token_digest
from core import clock

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
