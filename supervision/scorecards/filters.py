import django_filters

from config.api.filters import DepartmentChoiceFilter, FilterSet
from supervision.choices import Domain
from supervision.scorecards.models import ScoreAdjustment


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
