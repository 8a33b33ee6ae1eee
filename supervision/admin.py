from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from accounts.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from core import clock
from projects.choices import Light
from supervision.loop import transitions
from supervision.loop.filters import ExtensionFilter, IndicatorFilter, TaskFilter
from supervision.loop.models import (
    EscalationPolicy,
    ExtensionRequest,
    Indicator,
    ProgressReport,
    Task,
    TaskEvent,
)
from supervision.loop.selectors import overdue_days
from supervision.loop.services import (
    TASK_EDITABLE,
    extension_approve,
    extension_reject,
    task_create,
)
from supervision.reminders.filters import NotificationFilter, ReminderFilter
from supervision.reminders.models import Notification, Reminder
from supervision.scorecards.filters import ScoreAdjustmentFilter
from supervision.scorecards.models import RankingSnapshot, ScoreAdjustment, ScoringRule


class TaskEventInline(ReadOnlyInline):
    model = TaskEvent
    fields = ["created_at", "actor", "action", "from_status", "to_status", "comment", "data"]
    readonly_fields = fields


class ProgressReportInline(ReadOnlyInline):
    model = ProgressReport
    fields = ["created_at", "department", "author", "content", "problems", "percent", "value"]
    readonly_fields = fields


class ExtensionRequestInline(ReadOnlyInline):
    model = ExtensionRequest
    fields = [
        "created_at",
        "requested_by",
        "original_deadline",
        "requested_deadline",
        "reason",
        "status",
        "decided_by",
        "decision_comment",
    ]
    readonly_fields = fields


def _run(modeladmin, request, queryset, move, label, **kwargs):
    """Apply a transition to each selected task; report successes and refusals."""
    done = 0
    for task in queryset:
        try:
            move(task=task, actor=request.user, **kwargs)
            done += 1
        except (transitions.TransitionError, ValidationError) as exc:
            text = (
                exc.message
                if isinstance(exc, transitions.TransitionError)
                else "；".join(exc.messages)
            )
            modeladmin.message_user(request, f"{task.code}：{text}", messages.WARNING)
    if done:
        modeladmin.message_user(request, f"已{label} {done} 项。", messages.SUCCESS)


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "domain",
        "lead_department",
        "deadline",
        "status",
        "light",
        "overdue",
        "assumed",
    ]
    list_filter = ["status", "domain", "source", "priority", "assumed", "lead_department"]
    search_fields = TaskFilter.search_fields
    date_hierarchy = "deadline"
    autocomplete_fields = ["lead_department", "co_departments", "responsible_leader", "project"]
    readonly_fields = [
        "status",
        "latest_value",
        "created_by",
        "created_at",
        "updated_at",
        "assigned_at",
        "accepted_at",
        "submitted_at",
        "closed_at",
    ]
    inlines = [TaskEventInline, ProgressReportInline, ExtensionRequestInline]
    actions = ["assign", "close"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_light(clock.today())

    def has_delete_permission(self, request, obj=None):
        return False  # drafts are deleted through the API; anything later is cancelled

    def has_change_permission(self, request, obj=None):
        # Edits go through services (with their event); the admin shows, and acts via actions.
        return False

    def has_add_permission(self, request):
        return transitions.is_supervisor(request.user)

    def save_model(self, request, obj, form, change):
        """New tasks are filed through the service, which writes the CREATE event."""
        data = form.cleaned_data
        fields = {name: data[name] for name in TASK_EDITABLE if name in data}
        for name in ("code", "title", "source", "domain", "lead_department", "deadline"):
            fields[name] = data[name]
        task = task_create(
            actor=request.user, co_departments=data.get("co_departments") or (), **fields
        )
        obj.pk = task.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """``task_create`` already set the co-departments; inlines are read-only."""

    @admin.display(description="亮灯", ordering="deadline")
    def light(self, obj):
        return Light(obj.light).label

    @admin.display(description="逾期工作日")
    def overdue(self, obj):
        return overdue_days(obj)

    @admin.action(description="交办所选事项")
    def assign(self, request, queryset):
        _run(self, request, queryset, transitions.task_assign, "交办")

    @admin.action(description="核验通过并销号")
    def close(self, request, queryset):
        _run(self, request, queryset, transitions.task_verify, "销号", approved=True)


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = [
        "task",
        "original_deadline",
        "requested_deadline",
        "status",
        "requested_by",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ExtensionFilter.search_fields
    actions = ["approve", "reject"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    @admin.action(description="批准所选延期申请")
    def approve(self, request, queryset):
        self._decide(request, queryset, extension_approve, "批准", comment="")

    @admin.action(description="驳回所选延期申请")
    def reject(self, request, queryset):
        self._decide(request, queryset, extension_reject, "驳回", comment="督查办驳回")

    def _decide(self, request, queryset, decide, label, **kwargs):
        done = 0
        for extension in queryset:
            try:
                decide(extension=extension, actor=request.user, **kwargs)
                done += 1
            except (transitions.TransitionError, ValidationError) as exc:
                self.message_user(request, f"{extension}：{exc}", messages.WARNING)
        if done:
            self.message_user(request, f"已{label} {done} 项延期申请。", messages.SUCCESS)


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ["task", "department", "author", "percent", "value", "created_at"]
    list_filter = ["department"]
    search_fields = ["task__code", "task__title", "content"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(TaskEvent)
class TaskEventAdmin(ReadOnlyAdmin):
    list_display = ["task", "action", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["action"]
    search_fields = ["task__code", "comment"]


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "warning_days",
        "escalate_days",
        "notice_days",
        "acceptance_days",
        "is_active",
    ]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "domain", "target_value", "unit", "comparison", "latest_value"]
    list_filter = ["domain", "comparison"]
    search_fields = IndicatorFilter.search_fields


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "level",
        "task",
        "milestone",
        "department",
        "deadline",
        "created_at",
        "sent_at",
        "acknowledged_at",
    ]
    list_filter = ["kind", "level", "department"]
    search_fields = ReminderFilter.search_fields
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "title", "created_at", "read_at", "emailed_at"]
    search_fields = NotificationFilter.search_fields


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(ReadOnlyAdmin):
    """Published quarters (晾晒) are frozen: published through the API, never edited."""

    list_display = ["period", "published_at", "published_by", "as_of"]


@admin.register(ScoringRule)
class ScoringRuleAdmin(ReadOnlyAdmin):
    """Edited by the office in the cockpit or through scoring-rules/ (audited there)."""

    list_display = [
        "domain",
        "card_weight",
        "indicators_weight",
        "nodes_weight",
        "closure_weight",
        "problems_weight",
        "investment_weight",
        "updated_at",
        "updated_by",
    ]


@admin.register(ScoreAdjustment)
class ScoreAdjustmentAdmin(ReadOnlyAdmin):
    """加分/扣分 are entered through the service (cockpit, API) and never edited."""

    list_display = ["period", "department", "domain", "points", "reason", "created_by"]
    list_filter = ["period", "domain"]
    search_fields = ScoreAdjustmentFilter.search_fields
