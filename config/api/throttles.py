"""Rate limits: one budget per token or user (password guessing is ``accounts.login_limits``).

DRF's ``SimpleRateThrottle`` keeps each budget's request times as one cached list: it reads
the list, then writes it back — two round trips carrying up to a whole budget of timestamps
(600 a minute), and two requests racing between the read and the write both get through on
one place. On Redis the same sliding window is a sorted set changed by one script, atomically,
in one round trip; other caches (``make run`` without Redis) keep DRF's way.
"""

import uuid

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from rest_framework.throttling import SimpleRateThrottle

from accounts.login_limits import client_address
from accounts.models import ApiToken
from core.cache import RedisCache

# KEYS[1]: the budget, KEYS[2]: the data version (``supervision.cache``); ARGV: now, the
# window in seconds, the budget's size, a unique member. Returns whether the request is
# allowed, as text (Lua numbers become integers) the time of the oldest request still in the
# window, and the data version ("" when unset): the request reads it here, not in a round trip
# of its own.
WINDOW = """
local now, window, size = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local allowed = 0
if redis.call('ZCARD', KEYS[1]) < size then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  allowed = 1
end
redis.call('EXPIRE', KEYS[1], window)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {allowed, oldest[2] or ARGV[1], redis.call('GET', KEYS[2]) or ''}
"""
_scripts = {}  # by the id of the redis client


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

    def allow_request(self, request, view):
        backend = caches[DEFAULT_CACHE_ALIAS]
        if self.rate is None or not isinstance(backend, RedisCache):
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        key = backend.make_and_validate_key(self.key)
        client = backend._cache.get_client(key, write=True)  # noqa: SLF001
        script = _scripts.get(id(client))
        if script is None:
            script = _scripts[id(client)] = client.register_script(WINDOW)
        from supervision import cache as data

        self.now = self.timer()
        allowed, oldest, version = script(
            keys=[key, backend.make_and_validate_key(data.VERSION_KEY)],
            args=[repr(self.now), self.duration, self.num_requests, uuid.uuid4().hex],
        )
        self.oldest = float(oldest)
        data.remember_version(version)
        return bool(allowed)

    def wait(self):
        """Seconds until the oldest request in the window leaves it (asked when refused)."""
        if not hasattr(self, "oldest"):
            return super().wait()
        return max(self.duration - (self.now - self.oldest), 0)
