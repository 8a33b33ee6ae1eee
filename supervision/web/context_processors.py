"""The header's unread-message count: one query, and only on pages that show it."""

from django.utils.functional import SimpleLazyObject

from supervision.reminders.models import Notification


def unread_messages(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        )
    }
