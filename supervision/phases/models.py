"""Phased targets (DESIGN.md, "Phased targets"): nodes, indicator values by period, and the
lead unit's requests to change the lead (申请调整牵头单位)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.constraints import OneQueryChecks
from supervision.choices import NodeStatus, ReassignStatus

VALUE = {"max_digits": 16, "decimal_places": 4, "null": True, "blank": True}
# "2024-05" (a month) or "2024Q1" (a quarter).
PERIOD_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4])$"


class Node(OneQueryChecks):
    """节点: one ordered phase target of a task (cumulative value or stage text).

    Overdue is derived (approved, not done, due date passed). Only approved nodes are chased
    by the ladder (``kind=node``) and count for the light; proposed ones await the office.
    """

    task = models.ForeignKey(
        "supervision.Task", verbose_name="事项", on_delete=models.PROTECT, related_name="nodes"
    )
    sequence = models.PositiveSmallIntegerField("序号")
    title = models.CharField("节点名称", max_length=200)
    due_date = models.DateField("计划完成日期")
    target_value = models.DecimalField("累计目标值", **VALUE)
    target_text = models.TextField("阶段目标", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=NodeStatus.choices, default=NodeStatus.PROPOSED
    )
    completed_on = models.DateField("实际完成日期", null=True, blank=True)
    value = models.DecimalField("累计完成值", **VALUE)
    note = models.TextField("完成情况", blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="完成登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assumed = models.BooleanField(
        "推定", default=False, help_text="报告未列节点，由系统按规则推定（见 seeds/README.md）"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "阶段节点"
        verbose_name_plural = "阶段节点"
        ordering = ["task_id", "sequence"]
        indexes = [
            # The scan and the light read open approved nodes by due date.
            models.Index(
                fields=["due_date", "task"],
                condition=Q(status=NodeStatus.APPROVED),
                name="node_open_due_idx",
            ),
            # The light's 序时 interpolation reads a task's nodes around a date.
            models.Index(fields=["task", "due_date"], name="node_task_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=NodeStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.UniqueConstraint(
                fields=["task", "sequence"],
                name="%(app_label)s_%(class)s_unique_sequence",
                violation_error_message="该事项已有同序号节点。",
            ),
            models.CheckConstraint(
                condition=Q(status=NodeStatus.DONE, completed_on__isnull=False)
                | (~Q(status=NodeStatus.DONE) & Q(completed_on__isnull=True)),
                name="%(app_label)s_%(class)s_done_has_date",
                violation_error_message="已完成的节点须有完成日期。",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=dt.date(2000, 1, 1))
                & Q(due_date__lte=dt.date(2100, 12, 31)),
                name="%(app_label)s_%(class)s_due_date_range",
                violation_error_message="计划完成日期须在 2000–2100 年之间。",
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=False) | ~Q(target_text=""),
                name="%(app_label)s_%(class)s_has_target",
                violation_error_message="节点须有累计目标值或阶段目标。",
            ),
        ]

    def __str__(self):
        return f"{self.task_id}#{self.sequence} {self.title}"

    def is_overdue_on(self, day: dt.date) -> bool:
        return self.status == NodeStatus.APPROVED and self.due_date < day


class IndicatorValue(models.Model):
    """An indicator's value for one month (``2024-05``) or quarter (``2024Q1``)."""

    indicator = models.ForeignKey(
        "supervision.Indicator",
        verbose_name="指标",
        on_delete=models.PROTECT,
        related_name="values",
    )
    period = models.CharField("期别", max_length=7, help_text="月度如 2024-05，季度如 2024Q1")
    value = models.DecimalField("数值", max_digits=16, decimal_places=4)
    note = models.TextField("说明", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("填报时间")

    class Meta:
        verbose_name = "指标分期数值"
        verbose_name_plural = "指标分期数值"
        ordering = ["indicator_id", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="%(app_label)s_%(class)s_one_per_period",
                violation_error_message="该指标本期数值已填报，请修改原填报。",
            ),
            models.CheckConstraint(
                condition=Q(period__regex=PERIOD_PATTERN),
                name="%(app_label)s_%(class)s_period_format",
                violation_error_message="期别须为 2024-05（月）或 2024Q1（季度）格式。",
            ),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.period}"


class ReassignRequest(models.Model):
    """申请调整牵头单位: the lead unit asks, within the policy's working days after 交办."""

    task = models.ForeignKey(
        "supervision.Task",
        verbose_name="事项",
        on_delete=models.PROTECT,
        related_name="reassign_requests",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="申请单位",
        on_delete=models.PROTECT,
        related_name="+",
    )
    suggested_department = models.ForeignKey(
        "accounts.Department",
        verbose_name="建议牵头单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField("申请理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("申请时间")
    status = models.CharField(
        "审批状态", max_length=10, choices=ReassignStatus.choices, default=ReassignStatus.PENDING
    )
    new_department = models.ForeignKey(
        "accounts.Department",
        verbose_name="调整后牵头单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
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

    class Meta:
        verbose_name = "调整牵头单位申请"
        verbose_name_plural = "调整牵头单位申请"
        ordering = ["task_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReassignStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status=ReassignStatus.PENDING),
                name="%(app_label)s_%(class)s_one_pending",
                violation_error_message="该事项已有待审批的调整申请。",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReassignStatus.APPROVED) | Q(new_department__isnull=False),
                name="%(app_label)s_%(class)s_approved_has_department",
            ),
        ]

    def __str__(self):
        return f"{self.task_id} 调整牵头单位 {self.get_status_display()}"
