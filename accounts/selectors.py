"""Reads about people."""

from django.db.models import Q, QuerySet

from accounts.choices import Role
from accounts.models import User


def visible_users(viewer: User) -> QuerySet[User]:
    """The active users ``viewer`` may look up: everyone for the supervision office and
    leaders (they assign and oversee); for owners and read-only staff what their cockpit
    shows them — themselves, their own department's people, and the responsible leaders
    named on tasks and projects. Other departments' staff, service accounts and
    administrators stay out of their lists (and their usernames out of reach)."""
    users = User.objects.filter(is_active=True)
    if viewer.is_supervisor or viewer.role == Role.LEADER:
        return users
    shown = Q(pk=viewer.pk) | Q(led_tasks__isnull=False) | Q(led_projects__isnull=False)
    if viewer.department_id is not None:
        shown |= Q(department_id=viewer.department_id)
    return users.filter(pk__in=User.objects.filter(shown).values("pk"))
