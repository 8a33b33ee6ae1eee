"""Rate limits: one budget per token or user (password guessing is ``accounts.login_limits``)."""

from rest_framework.throttling import SimpleRateThrottle

from accounts.login_limits import client_address
from accounts.models import ApiToken


class TokenOrUserRateThrottle(SimpleRateThrottle):
    """One budget per API token, or per user for browser sessions; per client address
    (``TRUSTED_PROXY_COUNT``, never a client-chosen ``X-Forwarded-For``) for anyone else."""

    scope = "user"

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
