import django_filters
from django.db.models import Exists, OuterRef, Q

from config.api.filters import (
    BooleanFilter,
    DateFilter,
    DepartmentChoiceFilter,
    FilterSet,
)
from core import clock
from projects.choices import Light
from supervision.choices import (
    OPEN_STATUSES,
    Domain,
    ExtensionStatus,
    NodeStatus,
    Priority,
    TaskSource,
    TaskStatus,
)
from supervision.loop.models import EscalationPolicy, ExtensionRequest, Indicator, Task


def lit(queryset):
    """``queryset`` with the light's annotations, added when it was read without them (the
    API's list completes its page with ``attach_lights`` instead)."""
    if "light" in queryset.query.annotations:
        return queryset
    return queryset.with_light(clock.today())


class TaskFilter(FilterSet):
    # A problem's description and a proposal's number too (issue 17 item 7).
    search_fields = ("code", "title", "content", "problem__description", "proposal__number")
    search_index = "search_doc"  # supervision.search_index
    search_ordering = ("deadline", "code")  # supervision/0022, ordered by supervision/0029
    ordering_fields = {
        "deadline": "办理时限",
        "code": "编号",
        "priority": "优先级",
        "status": "状态",
        "assigned_at": "交办时间",
        "updated_at": "更新时间",
    }
    default_ordering = ("deadline", "code")

    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices, distinct=False)
    domain = django_filters.ChoiceFilter(choices=Domain.choices)
    source = django_filters.ChoiceFilter(choices=TaskSource.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    light = django_filters.ChoiceFilter(choices=Light.choices, method="filter_light")
    deadline_before = DateFilter(field_name="deadline", lookup_expr="lte")
    deadline_after = DateFilter(field_name="deadline", lookup_expr="gte")
    overdue = BooleanFilter(method="filter_overdue", label="逾期（至少一个工作日）")
    node_overdue = BooleanFilter(method="filter_node_overdue", label="节点逾期")
    behind = BooleanFilter(method="filter_behind", label="落后序时进度")
    department = DepartmentChoiceFilter(method="filter_department", label="牵头或配合单位")

    class Meta:
        model = Task
        fields = [
            "status",
            "domain",
            "source",
            "priority",
            "lead_department",
            "responsible_leader",
            "project",
            "report_frequency",
            "assumed",
            "parent",
            "indicator",
            "rating",
        ]

    def filter_light(self, queryset, name, value):
        return lit(queryset).filter(light=value)

    def filter_overdue(self, queryset, name, value):
        # At least one working day past the deadline or an open node's (``loop.progress``).
        return lit(queryset).filter(is_overdue=value)

    def filter_node_overdue(self, queryset, name, value):
        # An approved node not done, at least one working day past its due date.
        from supervision.loop.querysets import light_thresholds
        from supervision.phases.models import Node

        last_workday, _ = light_thresholds(clock.today(), EscalationPolicy.current().warning_days)
        late = Node.objects.filter(
            task=OuterRef("pk"), status=NodeStatus.APPROVED, due_date__lt=last_workday
        )
        condition = Exists(late) & Q(status__in=OPEN_STATUSES)
        return queryset.filter(condition if value else ~condition)

    def filter_behind(self, queryset, name, value):
        # The latest value below the 序时 target (``lag`` from ``TaskQuerySet.with_light``).
        queryset = lit(queryset)
        # ``exclude(lag__gt=0)`` would drop a null lag (no value target): not behind either.
        if value:
            return queryset.filter(lag__gt=0)
        return queryset.filter(Q(lag__lte=0) | Q(lag__isnull=True))

    def filter_department(self, queryset, name, value):
        co = Task.co_departments.through.objects.filter(task=OuterRef("pk"), department=value)
        return queryset.filter(Q(lead_department=value) | Exists(co))


class ExtensionFilter(FilterSet):
    search_fields = ("task__code", "task__title", "reason")
    ordering_fields = {"created_at": "申请时间", "requested_deadline": "申请延至"}
    default_ordering = ("-created_at", "-id")

    status = django_filters.ChoiceFilter(choices=ExtensionStatus.choices)

    class Meta:
        model = ExtensionRequest
        fields = ["status", "task"]


class IndicatorFilter(FilterSet):
    search_fields = ("code", "name", "target_text")
    ordering_fields = {"code": "编号", "domain": "报表类别"}
    default_ordering = ("code",)

    class Meta:
        model = Indicator
        fields = ["domain", "comparison", "year", "department"]
