import django_filters
from django.db.models import Exists, OuterRef, Q

from accounts.models import Department
from config.api.filters import BooleanFilter, DateFilter, DepartmentChoiceFilter, FilterSet
from projects.choices import Category, Light, Stage
from projects.models import InvestmentReport, Milestone, Project

DEPARTMENTS = Department.objects.all()


class ProjectFilter(FilterSet):
    search_fields = ("code", "name", "target_text", "location")
    search_index = "search_doc"  # supervision.search_index
    search_ordering = ("code",)  # supervision/0022's rank index
    ordering_fields = {
        "code": "编码",
        "name": "名称",
        "year": "年度",
        "annual_plan_investment": "年度计划投资",
        "completion_rate": "完成率",
    }
    default_ordering = ("code",)

    category = django_filters.ChoiceFilter(choices=Category.choices)
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    light = django_filters.ChoiceFilter(choices=Light.choices)
    department = DepartmentChoiceFilter(method="filter_department", label="牵头或配合单位")

    class Meta:
        model = Project
        fields = ["category", "stage", "year", "lead_department", "light", "is_archived"]

    def filter_department(self, queryset, name, value):
        co = Project.co_departments.through.objects.filter(project=OuterRef("pk"), department=value)
        return queryset.filter(Q(lead_department=value) | Exists(co))


class MilestoneFilter(FilterSet):
    search_fields = ("name", "project__name", "project__code")
    ordering_fields = {
        "due_date": "计划完成日期",
        "sequence": "序号",
        "completed_on": "实际完成日期",
    }
    default_ordering = ("project_id", "sequence", "due_date", "id")

    due_before = DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = DateFilter(field_name="due_date", lookup_expr="gte")
    completed = BooleanFilter(field_name="completed_on", lookup_expr="isnull", exclude=True)
    overdue = BooleanFilter(field_name="is_overdue")
    lead_department = django_filters.ModelChoiceFilter(
        queryset=DEPARTMENTS, field_name="project__lead_department"
    )

    class Meta:
        model = Milestone
        fields = ["project"]


class InvestmentReportFilter(FilterSet):
    search_fields = ("project__name", "project__code", "note")
    ordering_fields = {"period": "填报月份", "amount": "金额", "reported_at": "填报时间"}
    default_ordering = ("project_id", "period")

    period_after = DateFilter(field_name="period", lookup_expr="gte")
    period_before = DateFilter(field_name="period", lookup_expr="lte")
    lead_department = django_filters.ModelChoiceFilter(
        queryset=DEPARTMENTS, field_name="project__lead_department"
    )

    class Meta:
        model = InvestmentReport
        fields = ["project"]
