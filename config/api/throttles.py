"""Rate limits: one budget per token or user; the login limit against password guessing."""

import hashlib
from collections.abc import Mapping

from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken


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
