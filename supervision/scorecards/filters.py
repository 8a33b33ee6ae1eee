import django_filters

from config.api.filters import DepartmentChoiceFilter, FilterSet
from supervision.choices import Domain
from supervision.scorecards.choices import InterventionType
from supervision.scorecards.models import Intervention, ScoreAdjustment


class ScoreAdjustmentFilter(FilterSet):
    search_fields = ("reason",)
    ordering_fields = {"created_at": "登记时间", "period": "季度", "points": "分值"}
    default_ordering = ("period", "department", "created_at", "id")

    period = django_filters.CharFilter(max_length=6)
    domain = django_filters.ChoiceFilter(choices=Domain.choices)
    department = DepartmentChoiceFilter()

    class Meta:
        model = ScoreAdjustment
        fields = ["period", "domain", "department"]


class InterventionFilter(FilterSet):
    search_fields = ("summary", "participants", "outcome")
    ordering_fields = {"occurred_on": "日期", "created_at": "登记时间", "type": "类型"}
    default_ordering = ("-occurred_on", "-id")

    type = django_filters.ChoiceFilter(choices=InterventionType.choices)
    period = django_filters.CharFilter(max_length=6)
    department = DepartmentChoiceFilter()
    task = django_filters.NumberFilter(min_value=1)

    class Meta:
        model = Intervention
        fields = ["type", "period", "department", "task"]
