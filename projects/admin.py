from django.contrib import admin

from config import clock
from projects.choices import Light
from projects.filters import InvestmentReportFilter, MilestoneFilter, ProjectFilter
from projects.models import InvestmentReport, InvestmentReportRevision, Milestone, Project


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["sequence", "name", "due_date", "completed_on", "note"]


class InvestmentReportInline(admin.TabularInline):
    model = InvestmentReport
    extra = 0
    fields = ["period", "amount", "note", "reported_by", "reported_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "stage",
        "lead_department",
        "annual_plan_investment",
        "completed_investment",
        "completion_rate",
        "time_progress",
        "light",
    ]
    list_filter = ["category", "stage", "year", "lead_department", "assumed", "is_archived"]
    search_fields = ProjectFilter.search_fields
    autocomplete_fields = ["lead_department", "co_departments", "responsible_leader"]
    inlines = [MilestoneInline, InvestmentReportInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_figures(clock.today())

    @admin.display(description="累计完成（万元）")
    def completed_investment(self, obj):
        return obj.completed_investment

    @admin.display(description="完成率%")
    def completion_rate(self, obj):
        return obj.completion_rate

    @admin.display(description="序时进度%")
    def time_progress(self, obj):
        return obj.time_progress

    @admin.display(description="亮灯")
    def light(self, obj):
        return Light(obj.light).label


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["project", "sequence", "name", "due_date", "completed_on"]
    list_filter = ["due_date", "completed_on"]
    search_fields = MilestoneFilter.search_fields
    autocomplete_fields = ["project"]


class RevisionInline(admin.TabularInline):
    model = InvestmentReportRevision
    extra = 0
    readonly_fields = ["amount", "note", "revised_by", "revised_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InvestmentReport)
class InvestmentReportAdmin(admin.ModelAdmin):
    list_display = ["project", "period", "amount", "reported_by", "reported_at"]
    list_filter = ["period"]
    search_fields = InvestmentReportFilter.search_fields
    autocomplete_fields = ["project", "reported_by"]
    inlines = [RevisionInline]
