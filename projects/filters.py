import django_filters
from django.db.models import Exists, OuterRef, Q

from projects.choices import Category, Light, Stage
from projects.models import InvestmentReport, Milestone, Project


class ProjectFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Category.choices)
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    light = django_filters.ChoiceFilter(choices=Light.choices)
    department = django_filters.NumberFilter(method="filter_department", label="牵头或配合单位")

    class Meta:
        model = Project
        fields = ["category", "stage", "year", "lead_department", "light", "is_archived"]

    def filter_department(self, queryset, name, value):
        co = Project.co_departments.through.objects.filter(project=OuterRef("pk"), department=value)
        return queryset.filter(Q(lead_department=value) | Exists(co))


class MilestoneFilter(django_filters.FilterSet):
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    completed = django_filters.BooleanFilter(
        field_name="completed_on", lookup_expr="isnull", exclude=True
    )
    overdue = django_filters.BooleanFilter(field_name="is_overdue")
    lead_department = django_filters.NumberFilter(field_name="project__lead_department")

    class Meta:
        model = Milestone
        fields = ["project"]


class InvestmentReportFilter(django_filters.FilterSet):
    period_after = django_filters.DateFilter(field_name="period", lookup_expr="gte")
    period_before = django_filters.DateFilter(field_name="period", lookup_expr="lte")
    lead_department = django_filters.NumberFilter(field_name="project__lead_department")

    class Meta:
        model = InvestmentReport
        fields = ["project"]
