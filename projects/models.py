from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.constraints import OneQueryChecks
from core.validators import YEAR_MAX, YEAR_MIN, FieldNames, validate_year_range
from projects.choices import Category, Level, Stage
from projects.money import MONEY
from projects.querysets import ProjectQuerySet

# ``assumed_fields``: which fields hold a value the source does not state (inferred).
ASSUMED = {"default": list, "blank": True, "help_text": "来源未载明、系推定的字段"}
PROJECT_ASSUMABLE = ("location", "level", "stage", "category")
MILESTONE_ASSUMABLE = ("due_date",)


class Project(OneQueryChecks):
    """重点项目. Derived figures (completed investment, 序时进度, light) are annotations."""

    code = models.CharField("项目编码", max_length=30, unique=True)
    name = models.CharField("项目名称", max_length=200)
    category = models.CharField("类别", max_length=24, choices=Category.choices)
    level = models.CharField(
        "项目层级", max_length=12, choices=Level.choices, blank=True, help_text="来源未载明时为空"
    )
    year = models.PositiveSmallIntegerField("年度", validators=[validate_year_range])
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices)
    lead_department = models.ForeignKey(
        "accounts.Department",
        verbose_name="牵头单位",
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    co_departments = models.ManyToManyField(
        "accounts.Department", verbose_name="配合单位", blank=True, related_name="co_projects"
    )
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="包保领导",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    location = models.CharField("所在乡镇/街道", max_length=100, blank=True)
    industry_chain = models.CharField("产业链", max_length=100, blank=True)
    total_investment = models.DecimalField("总投资（万元）", null=True, blank=True, **MONEY)
    annual_plan_investment = models.DecimalField("年度计划投资（万元）", default=0, **MONEY)
    planned_start = models.DateField(
        "计划开工", null=True, blank=True, validators=[validate_year_range]
    )
    planned_end = models.DateField(
        "计划完工", null=True, blank=True, validators=[validate_year_range]
    )
    target_text = models.TextField("年度目标（报告原文）", blank=True)
    description = models.TextField("项目说明", blank=True)
    source_ref = models.CharField("来源章节", max_length=200, blank=True)
    assumed = models.BooleanField("推定", default=False)
    assumed_fields = models.JSONField(
        "推定字段", validators=[FieldNames(*PROJECT_ASSUMABLE)], **ASSUMED
    )
    is_archived = models.BooleanField("已归档", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "重点项目"
        verbose_name_plural = "重点项目"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["year", "category"], name="project_year_category_idx"),
            models.Index(fields=["lead_department", "year"], name="project_dept_year_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=Category.values),
                name="%(app_label)s_%(class)s_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="%(app_label)s_%(class)s_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(level__in=[*Level.values, ""]),
                name="%(app_label)s_%(class)s_level_valid",
            ),
            models.CheckConstraint(
                condition=~(Q(category=Category.MUNICIPAL) & Q(level=Level.DISTRICT))
                & ~(Q(category=Category.DISTRICT) & Q(level=Level.MUNICIPAL)),
                name="%(app_label)s_%(class)s_level_matches_category",
                violation_error_message="项目层级与类别（市级/区级重点项目）不一致。",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN) & Q(year__lte=YEAR_MAX),
                name="%(app_label)s_%(class)s_year_range",
                violation_error_message=f"年度须在 {YEAR_MIN}–{YEAR_MAX} 之间。",
            ),
            models.CheckConstraint(
                condition=Q(annual_plan_investment__gte=0),
                name="%(app_label)s_%(class)s_annual_plan_not_negative",
                violation_error_message="年度计划投资不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(total_investment__isnull=True) | Q(total_investment__gte=0),
                name="%(app_label)s_%(class)s_total_not_negative",
                violation_error_message="总投资不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="%(app_label)s_%(class)s_dates_in_order",
                violation_error_message="计划完工日期不能早于计划开工日期。",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Milestone(models.Model):
    """节点. Overdue is derived: due date passed and not completed."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="milestones"
    )
    name = models.CharField("节点名称", max_length=200)
    due_date = models.DateField("计划完成日期", validators=[validate_year_range])
    completed_on = models.DateField(
        "实际完成日期", null=True, blank=True, validators=[validate_year_range]
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="完成填报人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField("完成填报时间", null=True, blank=True)
    sequence = models.PositiveSmallIntegerField("序号", default=1)
    note = models.TextField("说明/佐证", blank=True)
    source_ref = models.CharField("来源章节", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)  # the API's ETag version
    assumed_fields = models.JSONField(
        "推定字段", validators=[FieldNames(*MILESTONE_ASSUMABLE)], **ASSUMED
    )

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = "项目节点"
        ordering = ["project_id", "sequence", "due_date"]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(completed_on__isnull=True),
                name="milestone_open_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message="该项目已有同名节点。",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} · {self.name}"

    def is_overdue_on(self, day) -> bool:
        return self.completed_on is None and self.due_date < day


class InvestmentReport(models.Model):
    """月度投资填报: one per project and month; corrections keep a revision history."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="investment_reports"
    )
    period = models.DateField("填报月份", help_text="当月第一天", validators=[validate_year_range])
    amount = models.DecimalField("当月完成投资（万元）", **MONEY)
    note = models.TextField("说明", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        on_delete=models.PROTECT,
        related_name="investment_reports",
    )
    reported_at = models.DateTimeField("填报时间")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "月度投资填报"
        verbose_name_plural = "月度投资填报"
        ordering = ["project_id", "period"]
        indexes = [
            # Year-to-date sums over a period range (report cards' investment, dashboard):
            # an index-only scan on PostgreSQL; SQLite ignores INCLUDE.
            models.Index(
                fields=["period", "project"], include=["amount"], name="report_period_ytd_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                name="%(app_label)s_%(class)s_one_per_month",
                violation_error_message="该项目本月投资已填报，请更正原填报。",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message="投资金额不能为负数。",
            ),
            models.CheckConstraint(
                condition=Q(period__day=1),
                name="%(app_label)s_%(class)s_period_first_day",
                violation_error_message="填报月份须为当月第一天。",
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.period:%Y-%m}"


class InvestmentReportRevision(models.Model):
    """The figures a report held before a correction (append-only)."""

    report = models.ForeignKey(
        InvestmentReport, verbose_name="填报", on_delete=models.PROTECT, related_name="revisions"
    )
    amount = models.DecimalField("原金额（万元）", **MONEY)
    note = models.TextField("原说明", blank=True)
    reason = models.TextField("更正理由", blank=True)
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更正人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    revised_at = models.DateTimeField("更正时间")

    class Meta:
        verbose_name = "投资填报更正记录"
        verbose_name_plural = "投资填报更正记录"
        ordering = ["report_id", "revised_at"]

    def __str__(self):
        return f"{self.report} @ {self.revised_at:%Y-%m-%d %H:%M}"
