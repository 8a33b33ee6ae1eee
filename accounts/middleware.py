"""Browser sessions end after ``SESSION_IDLE_MINUTES`` without a request."""

import time

from django.conf import settings
from django.contrib.auth import logout


class SessionIdleTimeoutMiddleware:
    """Logs a session out when its last request is older than ``SESSION_IDLE_MINUTES``.

    The time of the last request is kept in the session, written at most once a minute (not
    on every request), and the cookie expires with the idle window.
    """

    KEY = "last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            idle = settings.SESSION_IDLE_MINUTES * 60
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - last > idle:
                logout(request)  # a fresh anonymous session; the view sees a stranger
            elif last is None or now - last >= 60:
                request.session[self.KEY] = now
                request.session.set_expiry(idle)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` (settings.PERMISSIONS_POLICY) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
