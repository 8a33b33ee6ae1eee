import django_filters

from config.api.filters import BooleanFilter, DateTimeFilter, FilterSet
from supervision.choices import ReminderKind, ReminderLevel
from supervision.reminders.models import Notification, Reminder


class ReminderFilter(FilterSet):
    search_fields = ("task__code", "task__title", "milestone__name")
    ordering_fields = {"created_at": "生成时间", "deadline": "期限", "level": "等级"}
    default_ordering = ("-created_at", "-id")

    kind = django_filters.ChoiceFilter(choices=ReminderKind.choices)
    level = django_filters.ChoiceFilter(choices=ReminderLevel.choices)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    sent = BooleanFilter(field_name="sent_at", lookup_expr="isnull", exclude=True)
    acknowledged = BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True)
    ack_overdue = BooleanFilter(
        method="filter_ack_overdue", label="督办及以上、发送超过一个工作日仍未签收"
    )

    class Meta:
        model = Reminder
        fields = ["kind", "level", "task", "milestone", "department"]

    def filter_ack_overdue(self, queryset, name, value):
        from core import clock
        from supervision.loop.selectors import unacknowledged_escalations

        overdue = unacknowledged_escalations(clock.now())
        return (
            queryset.filter(pk__in=overdue.values("pk"))
            if value
            else queryset.exclude(pk__in=overdue.values("pk"))
        )


class NotificationFilter(FilterSet):
    search_fields = ("title", "body")
    ordering_fields = {"created_at": "时间"}
    default_ordering = ("-created_at", "-id")

    read = BooleanFilter(field_name="read_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Notification
        fields = ["read"]
