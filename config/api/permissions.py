"""Permission classes every API view shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.models import ApiToken


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
