import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.constraints import OneQueryChecks
from core.validators import YEAR_MAX, YEAR_MIN, FieldNames, validate_year_range
from supervision.cache import in_process
from supervision.choices import (
    OPEN_STATUSES,
    Comparison,
    Domain,
    ExtensionStatus,
    Priority,
    Rating,
    ReportFrequency,
    TaskAction,
    TaskSource,
    TaskStatus,
)
from supervision.loop.indicators import Indicator  # noqa: F401 (re-exported)
from supervision.loop.querysets import TaskQuerySet
from supervision.loop.targets import target_constraints

VALUE = {"max_digits": 16, "decimal_places": 4, "null": True, "blank": True}
# ``assumed_fields``: which fields hold a value the source does not state (inferred).
ASSUMED = {"default": list, "blank": True, "help_text": "来源未载明、系推定的字段"}
TASK_ASSUMABLE = ("deadline", "target_comparison", "target_tolerance", "project")


def _valid(field: str, choices, blank: bool = False) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": [*choices.values, *([""] if blank else [])]}),
        name=f"%(app_label)s_%(class)s_{field}_valid",
    )


class Task(OneQueryChecks):
    """督办事项. Only ``supervision.transitions`` changes ``status``."""

    code = models.CharField("编号", max_length=30, unique=True)
    title = models.CharField("事项名称", max_length=200)
    content = models.TextField("事项内容", blank=True)
    source = models.CharField("来源", max_length=16, choices=TaskSource.choices)
    source_ref = models.CharField("来源依据", max_length=200, blank=True)
    domain = models.CharField("报表类别", max_length=12, choices=Domain.choices)
    lead_department = models.ForeignKey(
        "accounts.Department",
        verbose_name="牵头单位",
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    co_departments = models.ManyToManyField(
        "accounts.Department", verbose_name="配合单位", blank=True, related_name="co_tasks"
    )
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任领导",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_tasks",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name="关联项目",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    deadline = models.DateField("办理时限", validators=[validate_year_range])
    deadline_auto = models.BooleanField(
        "时限按规则计算", default=False, help_text="交办时按该类别的默认时限自交办日重算"
    )
    report_frequency = models.CharField(
        "报送频次", max_length=10, choices=ReportFrequency.choices, default=ReportFrequency.MONTHLY
    )
    priority = models.CharField(
        "优先级", max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    target_metric = models.CharField("量化指标", max_length=100, blank=True)
    target_value = models.DecimalField("目标值", **VALUE)
    target_unit = models.CharField("单位", max_length=20, blank=True)
    # API clients that give a number without a direction get at_least, the meaning a task
    # target had before this field; the seed loader refuses a number without one.
    target_comparison = models.CharField(
        "目标方向",
        max_length=10,
        choices=Comparison.choices,
        blank=True,
        default=Comparison.AT_LEAST,
    )
    target_tolerance = models.DecimalField(
        "允许偏差", help_text="“左右”的幅度，与目标同单位", **VALUE
    )
    latest_value = models.DecimalField("最新值", **VALUE)
    status = models.CharField(
        "状态", max_length=12, choices=TaskStatus.choices, default=TaskStatus.DRAFT
    )
    assumed = models.BooleanField("牵头单位为推定", default=False)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级事项（分解交办）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    indicator = models.ForeignKey(
        "supervision.Indicator",
        verbose_name="对应预期指标",
        help_text="事项重复某项预期指标时，其最新值读自该指标的分期数值",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    carried_from = models.OneToOneField(
        "self",
        verbose_name="结转自",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_to",
    )
    rating = models.CharField("年度评定", max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.TextField("评定说明", blank=True)
    rated_at = models.DateTimeField("评定时间", null=True, blank=True)
    assumed_fields = models.JSONField(
        "推定字段",
        validators=[FieldNames(*TASK_ASSUMABLE)],
        **ASSUMED,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    accepted_at = models.DateTimeField("签收时间", null=True, blank=True)
    submitted_at = models.DateTimeField("申请办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "督办事项"
        verbose_name_plural = "督办事项"
        ordering = ["deadline", "code"]
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(status__in=OPEN_STATUSES),
                name="task_open_deadline_idx",
            ),
            models.Index(fields=["lead_department", "status"], name="task_dept_status_idx"),
            # The lists' order (deadline, code), also of one status or of one lead unit.
            models.Index(fields=["deadline", "code"], name="task_deadline_code_idx"),
            models.Index(fields=["status", "deadline", "code"], name="task_status_order_idx"),
            models.Index(
                fields=["lead_department", "deadline", "code"], name="task_dept_order_idx"
            ),
            # The scan's report reminders: in progress, by frequency and signing (index-only).
            models.Index(
                fields=["report_frequency", "accepted_at"],
                include=["lead_department"],
                condition=Q(status=TaskStatus.IN_PROGRESS),
                name="task_reporting_idx",
            ),
            # The scan's node reminders: tasks in the unit's hands, hashed from the index alone.
            models.Index(
                fields=["id"],
                include=["lead_department"],
                condition=Q(status__in=(TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)),
                name="task_in_hand_idx",
            ),
        ]
        constraints = [
            _valid("source", TaskSource),
            _valid("domain", Domain),
            _valid("report_frequency", ReportFrequency),
            _valid("priority", Priority),
            _valid("status", TaskStatus),
            *target_constraints("target_value", "target_comparison", "target_tolerance"),
            models.CheckConstraint(
                condition=Q(rating="") | Q(rating__in=Rating.values),
                name="%(app_label)s_%(class)s_rating_valid",
            ),
            models.CheckConstraint(
                condition=Q(rating__in=["", Rating.COMPLETED]) | ~Q(rating_comment=""),
                name="%(app_label)s_%(class)s_rating_reason",
                violation_error_message="评定为基本完成或未完成的，须说明理由。",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=dt.date(YEAR_MIN, 1, 1))
                & Q(deadline__lte=dt.date(YEAR_MAX, 12, 31)),
                name="%(app_label)s_%(class)s_deadline_range",
                violation_error_message=f"办理时限须在 {YEAR_MIN}–{YEAR_MAX} 年之间。",
            ),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.CLOSED) | Q(closed_at__isnull=False),
                name="%(app_label)s_%(class)s_closed_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TaskEvent(models.Model):
    """流转记录: the append-only closed-loop log."""

    task = models.ForeignKey(
        Task, verbose_name="事项", on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("动作", max_length=20, choices=TaskAction.choices)
    from_status = models.CharField("原状态", max_length=12, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=TaskStatus.choices, blank=True)
    comment = models.TextField("意见/说明", blank=True)
    data = models.JSONField("变更明细", default=dict, blank=True)
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["task_id", "created_at", "id"]
        indexes = [models.Index(fields=["task", "created_at"], name="taskevent_task_time_idx")]
        constraints = [_valid("action", TaskAction)]

    def __str__(self):
        return f"{self.task_id} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("TaskEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("TaskEvent is append-only")


class ProgressReport(models.Model):
    """进展反馈: 进展情况, 存在问题, 需协调事项, 下步计划."""

    task = models.ForeignKey(
        Task, verbose_name="事项", on_delete=models.PROTECT, related_name="reports"
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    content = models.TextField("进展情况")
    problems = models.TextField("存在问题", blank=True)
    coordination = models.TextField("需协调事项", blank=True)
    next_steps = models.TextField("下步计划", blank=True)
    percent = models.PositiveSmallIntegerField("完成进度%", null=True, blank=True)
    value = models.DecimalField("指标完成值", **VALUE)
    created_at = models.DateTimeField("报送时间")

    class Meta:
        verbose_name = "进展反馈"
        verbose_name_plural = "进展反馈"
        ordering = ["task_id", "created_at", "id"]
        indexes = [models.Index(fields=["task", "created_at"], name="progress_task_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100),
                name="%(app_label)s_%(class)s_percent_range",
                violation_error_message="完成进度须在 0–100 之间。",
            ),
        ]

    def __str__(self):
        return f"{self.task_id} @ {self.created_at:%Y-%m-%d}"


class ExtensionRequest(models.Model):
    """延期申请: the original deadline is kept alongside the requested one."""

    task = models.ForeignKey(
        Task, verbose_name="事项", on_delete=models.PROTECT, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    original_deadline = models.DateField("原办理时限", validators=[validate_year_range])
    requested_deadline = models.DateField("申请延至", validators=[validate_year_range])
    reason = models.TextField("延期理由")
    status = models.CharField(
        "审批状态", max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_comment = models.TextField("审批意见", blank=True)
    created_at = models.DateTimeField("申请时间")

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["task_id", "created_at", "id"]
        constraints = [
            _valid("status", ExtensionStatus),
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="%(app_label)s_%(class)s_one_pending",
                violation_error_message="该事项已有待审批的延期申请。",
            ),
            models.CheckConstraint(
                condition=Q(requested_deadline__gt=F("original_deadline")),
                name="%(app_label)s_%(class)s_later_date",
                violation_error_message="申请延期的日期须晚于原办理时限。",
            ),
        ]

    def __str__(self):
        return f"{self.task_id} → {self.requested_deadline}"


class EscalationPolicy(models.Model):
    """The reminder ladder's thresholds, in working days (DESIGN.md defaults)."""

    name = models.CharField("名称", max_length=50, unique=True, default="默认")
    warning_days = models.PositiveSmallIntegerField("预警（到期前工作日）", default=3)
    escalate_days = models.PositiveSmallIntegerField("督办（逾期工作日）", default=3)
    notice_days = models.PositiveSmallIntegerField("通报（逾期工作日）", default=5)
    acceptance_days = models.PositiveSmallIntegerField("签收时限（交办后工作日）", default=2)
    yellow_gap = models.PositiveSmallIntegerField("黄灯差距（落后序时目标的百分点）", default=10)
    red_gap = models.PositiveSmallIntegerField("红灯差距（落后序时目标的百分点）", default=20)
    interview_after_notices = models.PositiveSmallIntegerField(
        "约谈提议（季度内通报次数）",
        default=3,
        help_text="一个单位在同一季度内第 N 次被通报时，系统提议约谈",
    )
    reassign_days = models.PositiveSmallIntegerField(
        "申请调整牵头单位时限（交办后工作日）", default=5
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "督办提醒策略"
        verbose_name_plural = "督办提醒策略"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="%(app_label)s_%(class)s_one_active",
                violation_error_message="只能启用一个提醒策略。",
            ),
            models.CheckConstraint(
                condition=Q(escalate_days__gte=1) & Q(notice_days__gte=F("escalate_days")),
                name="%(app_label)s_%(class)s_rungs_in_order",
                violation_error_message="通报天数不能少于督办天数，且督办天数至少为 1。",
            ),
            models.CheckConstraint(
                condition=Q(red_gap__gte=F("yellow_gap")),
                name="%(app_label)s_%(class)s_gaps_in_order",
                violation_error_message="红灯差距不能小于黄灯差距。",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls) -> "EscalationPolicy":
        """The active policy, or an unsaved one with the defaults (``cache.in_process``)."""
        return in_process("policy", lambda: cls.objects.filter(is_active=True).first() or cls())
