"""The header's unread-message count: one query, and only on pages that show it."""

from django.utils.functional import SimpleLazyObject

from supervision.reminders.models import Notification


def unread_messages(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "home_label": home_label(user),
        "unread_count": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        ),
    }


def home_label(user) -> str:
    """The nav's name for the user's own home (``/``); empty when it is the district."""
    from accounts.choices import Role

    if user.is_owner:
        return "本单位"
    if user.role == Role.LEADER and not user.is_supervisor:
        return "我的包保"
    return ""
