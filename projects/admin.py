"""Admin for projects: plans are edited here through the services (audited like every other
writer); derived history (investment reports and their corrections) is read-only, and a
milestone's completion is recorded by an action calling ``milestone_complete``."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from accounts.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from core import clock
from core.errors import DomainError
from projects import services
from projects.choices import Light
from projects.filters import InvestmentReportFilter, MilestoneFilter, ProjectFilter
from projects.models import InvestmentReport, InvestmentReportRevision, Milestone, Project


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["sequence", "name", "due_date", "completed_on", "completed_by", "note"]
    readonly_fields = fields


class InvestmentReportInline(ReadOnlyInline):
    model = InvestmentReport
    fields = ["period", "amount", "note", "reported_by", "reported_at"]
    readonly_fields = fields


class OfficeWritesAdmin(admin.ModelAdmin):
    """Only the supervision office changes plans here (the services check it again)."""

    def has_add_permission(self, request):
        return request.user.is_supervisor and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_supervisor and super().has_change_permission(request, obj)


def _refused(modeladmin, request, what, exc) -> None:
    text = exc.message if isinstance(exc, DomainError) else "；".join(exc.messages)
    modeladmin.message_user(request, f"{what}：{text}", messages.WARNING)


@admin.register(Project)
class ProjectAdmin(OfficeWritesAdmin):
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
    actions = ["archive"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_figures(clock.today())

    def has_delete_permission(self, request, obj=None):
        return False  # a project anything refers to is archived (action), never deleted here

    def save_model(self, request, obj, form, change):
        """Through ``project_create``/``project_update``: one AuditRecord, the actor's right."""
        data = form.cleaned_data
        if change:
            fields = {
                name: data[name] for name in form.changed_data if name in services.PROJECT_EDITABLE
            }
            co = data["co_departments"] if "co_departments" in form.changed_data else None
            project = services.project_update(
                actor=request.user, project=obj, co_departments=co, **fields
            )
        else:
            fields = {name: data[name] for name in services.PROJECT_EDITABLE if name in data}
            project = services.project_create(
                actor=request.user,
                code=data["code"],
                co_departments=data.get("co_departments") or (),
                **fields,
            )
        obj.pk = project.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """The service set the co-departments (no ``form.save_m2m()``); the inlines are
        read-only, so saving their formsets changes nothing."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

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

    @admin.action(description="归档所选项目")
    def archive(self, request, queryset):
        done = 0
        for project in queryset.filter(is_archived=False):
            try:
                services.project_update(actor=request.user, project=project, is_archived=True)
                done += 1
            except (DomainError, ValidationError) as exc:
                _refused(self, request, project.code, exc)
        self.message_user(request, f"已归档 {done} 个项目。")


@admin.register(Milestone)
class MilestoneAdmin(OfficeWritesAdmin):
    list_display = ["project", "sequence", "name", "due_date", "completed_on", "completed_by"]
    list_filter = ["due_date", "completed_on"]
    search_fields = MilestoneFilter.search_fields
    autocomplete_fields = ["project"]
    # Completion is recorded by the action (``milestone_complete``), never typed in place.
    readonly_fields = ["completed_on", "completed_by", "completed_at", "updated_at"]
    actions = ["complete_today"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        editable = services.MILESTONE_EDITABLE
        if change:
            fields = {name: data[name] for name in form.changed_data if name in editable}
            milestone = services.milestone_update(actor=request.user, milestone=obj, **fields)
        else:
            fields = {name: data[name] for name in editable if name in data}
            milestone = services.milestone_create(actor=request.user, **fields)
        obj.pk = milestone.pk
        obj._state.adding = False

    @admin.action(description="标记所选节点今日完成")
    def complete_today(self, request, queryset):
        done = 0
        for milestone in queryset.filter(completed_on__isnull=True):
            try:
                services.milestone_complete(
                    actor=request.user, milestone=milestone, completed_on=clock.today()
                )
                done += 1
            except (DomainError, ValidationError) as exc:
                _refused(self, request, str(milestone), exc)
        self.message_user(request, f"已标记 {done} 个节点完成。")


class RevisionInline(ReadOnlyInline):
    model = InvestmentReportRevision
    fields = ["amount", "note", "revised_by", "revised_at"]
    readonly_fields = fields


@admin.register(InvestmentReport)
class InvestmentReportAdmin(ReadOnlyAdmin):
    """Reported figures are history: entered and corrected in the cockpit or the API (through
    the services, with a revision and an AuditRecord), only looked at here."""

    list_display = ["project", "period", "amount", "reported_by", "reported_at"]
    list_filter = ["period"]
    search_fields = InvestmentReportFilter.search_fields
    inlines = [RevisionInline]
