import django_filters

from config.api.filters import BooleanFilter, DateFilter, FilterSet
from supervision.choices import NodeStatus, ReassignStatus
from supervision.phases.models import Node, ReassignRequest


class NodeFilter(FilterSet):
    search_fields = ("title", "target_text", "task__code", "task__title")
    ordering_fields = {"due_date": "计划完成日期", "sequence": "序号", "task": "事项"}
    default_ordering = ("task", "sequence")

    status = django_filters.ChoiceFilter(choices=NodeStatus.choices)
    due_before = DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = DateFilter(field_name="due_date", lookup_expr="gte")
    overdue = BooleanFilter(field_name="is_overdue", label="逾期未完成")

    class Meta:
        model = Node
        fields = ["task", "status"]


class ReassignRequestFilter(FilterSet):
    search_fields = ("task__code", "task__title", "reason")
    ordering_fields = {"created_at": "申请时间"}
    default_ordering = ("-created_at", "-id")

    status = django_filters.ChoiceFilter(choices=ReassignStatus.choices)

    class Meta:
        model = ReassignRequest
        fields = ["status", "task", "department"]
