"""八张报表: the published quarter (晾晒), the scoring rules and the office's 加分/扣分."""

import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from supervision.choices import Domain
from supervision.scorecards.choices import InterventionType

# Portable (no REGEXP): 2000Q1 ≤ period ≤ 2100Q4 and it ends in Q1–Q4.
QUARTER_FORMAT = Q(period__gte="2000Q1", period__lte="2100Q4") & (
    Q(period__endswith="Q1")
    | Q(period__endswith="Q2")
    | Q(period__endswith="Q3")
    | Q(period__endswith="Q4")
)
WEIGHT_MAX = 100


class RankingSnapshot(models.Model):
    """晾晒: a quarter's report cards and ranking as the supervision office published them.

    ``report_cards`` holds every unit's eight cards exactly as computed at publication,
    ``rows`` the ranking's figures and ``rules`` the scoring rules then in force (decimals
    as strings, see ``supervision.scorecards.rankings``); once a quarter is published the API
    and the cockpit show this snapshot, never a recomputation, so later edits to tasks,
    investment, rules or adjustments do not rewrite history.
    """

    period = models.CharField("季度", max_length=6, unique=True, help_text="如 2024Q1")
    as_of = models.DateField("评价日期", help_text="季度末，或发布时尚未结束季度的当日")
    rows = models.JSONField("排名明细", encoder=DjangoJSONEncoder, default=list)
    report_cards = models.JSONField("八张报表", encoder=DjangoJSONEncoder, default=list)
    rules = models.JSONField("评分规则", encoder=DjangoJSONEncoder, default=list)
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "季度晾晒"
        verbose_name_plural = "季度晾晒"
        ordering = ["-period"]
        constraints = [
            models.CheckConstraint(
                condition=QUARTER_FORMAT,
                name="%(app_label)s_%(class)s_period_format",
                violation_error_message="季度格式应为 2024Q1。",
            ),
        ]

    def __str__(self):
        return f"{self.period} 晾晒"


def _weight(label: str, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, default=default, help_text="0–100，相对权重")


class ScoringRule(models.Model):
    """How one report card (八张报表之一) is scored: the weight of each component and of the
    card in the total. Weights are relative (a card's score is the weighted mean of the
    components that can be judged, 0–100). Defaults: ``supervision.scorecards.rules``."""

    domain = models.CharField("报表", max_length=12, choices=Domain.choices, unique=True)
    card_weight = _weight("报表权重（总分中）", 1)
    indicators_weight = _weight("指标序时达标", 30)
    nodes_weight = _weight("节点按期完成", 25)
    closure_weight = _weight("到期事项按期办结", 25)
    problems_weight = _weight("问题清零", 20)
    investment_weight = _weight("投资序时进度", 0)
    note = models.TextField("说明", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)  # the API's ETag version
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    COMPONENT_FIELDS = (
        "indicators_weight",
        "nodes_weight",
        "closure_weight",
        "problems_weight",
        "investment_weight",
    )

    class Meta:
        verbose_name = "评分规则"
        verbose_name_plural = "评分规则"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain__in=Domain.values), name="%(app_label)s_%(class)s_domain_valid"
            ),
            models.CheckConstraint(
                condition=Q(card_weight__lte=WEIGHT_MAX)
                & Q(indicators_weight__lte=WEIGHT_MAX)
                & Q(nodes_weight__lte=WEIGHT_MAX)
                & Q(closure_weight__lte=WEIGHT_MAX)
                & Q(problems_weight__lte=WEIGHT_MAX)
                & Q(investment_weight__lte=WEIGHT_MAX),
                name="%(app_label)s_%(class)s_weight_range",
                violation_error_message=f"权重须在 0–{WEIGHT_MAX} 之间。",
            ),
            models.CheckConstraint(
                condition=Q(indicators_weight__gt=0)
                | Q(nodes_weight__gt=0)
                | Q(closure_weight__gt=0)
                | Q(problems_weight__gt=0)
                | Q(investment_weight__gt=0),
                name="%(app_label)s_%(class)s_some_component",
                violation_error_message="至少一项评分内容的权重须大于 0。",
            ),
        ]

    def __str__(self):
        return f"{self.get_domain_display()}报表评分规则"


class ScoreAdjustment(models.Model):
    """加分/扣分: the office's entry on one unit's card for one quarter, with its reason.

    Append-only: a wrong entry is corrected by a second one with the opposite points. A
    published quarter takes no new entries.
    """

    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="单位",
        on_delete=models.PROTECT,
        related_name="score_adjustments",
    )
    period = models.CharField("季度", max_length=6, help_text="如 2024Q2")
    domain = models.CharField("报表", max_length=12, choices=Domain.choices)
    points = models.DecimalField(
        "分值", max_digits=5, decimal_places=2, help_text="正数加分，负数扣分"
    )
    reason = models.TextField("理由")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间", auto_now=True)  # the API's ETag version

    class Meta:
        verbose_name = "加分扣分"
        verbose_name_plural = "加分扣分"
        ordering = ["period", "department_id", "created_at", "id"]
        indexes = [models.Index(fields=["period", "department"], name="adjustment_period_dept_idx")]
        constraints = [
            models.CheckConstraint(
                condition=QUARTER_FORMAT,
                name="%(app_label)s_%(class)s_period_format",
                violation_error_message="季度格式应为 2024Q1。",
            ),
            models.CheckConstraint(
                condition=Q(domain__in=Domain.values), name="%(app_label)s_%(class)s_domain_valid"
            ),
            models.CheckConstraint(
                condition=~Q(points=0) & Q(points__gte=-100) & Q(points__lte=100),
                name="%(app_label)s_%(class)s_points_range",
                violation_error_message="分值须为 −100 至 100 之间的非零数。",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="%(app_label)s_%(class)s_has_reason",
                violation_error_message="加分、扣分须写明理由。",
            ),
        ]

    def __str__(self):
        return f"{self.period} {self.department_id} {self.domain} {self.points:+}"


class Intervention(models.Model):
    """通报表扬/批评, 约谈, 问责移送 (to the 纪委监委) or a 最佳实践, recorded by the office
    against one unit; append-only, listed on the unit's page (``supervision.scorecards.
    interventions`` says what each type needs)."""

    type = models.CharField("类型", max_length=16, choices=InterventionType.choices)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="单位",
        on_delete=models.PROTECT,
        related_name="interventions",
    )
    task = models.ForeignKey(
        "supervision.Task",
        verbose_name="事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
    )
    period = models.CharField("季度", max_length=6, blank=True, help_text="如 2024Q2")
    occurred_on = models.DateField("日期")
    summary = models.TextField("事由/摘要")
    participants = models.TextField("参加人员", blank=True)
    outcome = models.TextField("结果", blank=True)
    # The 公文 of the same type (通报表扬/批评) issued with the record, when the office did.
    document = models.OneToOneField(
        "supervision.Document",
        verbose_name="公文",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intervention",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间", auto_now=True)  # the API's ETag version

    class Meta:
        verbose_name = "激励问责记录"
        verbose_name_plural = "激励问责记录"
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["department", "occurred_on"], name="intervention_dept_day_idx"),
            models.Index(fields=["period", "type"], name="intervention_period_type_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=InterventionType.values),
                name="%(app_label)s_%(class)s_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(period="") | QUARTER_FORMAT,
                name="%(app_label)s_%(class)s_period_format",
                violation_error_message="季度格式应为 2024Q1。",
            ),
            models.CheckConstraint(
                condition=~Q(summary=""),
                name="%(app_label)s_%(class)s_has_summary",
                violation_error_message="请写明事由。",
            ),
            models.CheckConstraint(
                condition=~Q(type=InterventionType.REFERRAL) | Q(task__isnull=False),
                name="%(app_label)s_%(class)s_referral_has_task",
                violation_error_message="问责移送须指明事项。",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.department_id} {self.occurred_on}"


def _figure_unit() -> models.ForeignKey:
    """A figure row's lead unit: a copy kept by triggers, no constraint or index of its own."""
    return models.ForeignKey(
        "accounts.Department",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )


class TaskFigure(models.Model):
    """A task's time-independent figures, kept by database triggers in the writing
    statement's transaction (``supervision.scorecards.summaries``): never written by Django.

    ``first_due`` is ``with_light``'s: the deadline or an approved node's due date,
    whichever comes first, for an open task (null once closed or cancelled); ``measurable``
    marks the open tasks whose light may also depend on their 序时 lag (a target to reach),
    which the dashboard evaluates in full."""

    task = models.OneToOneField(
        "supervision.Task",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="figure",
    )
    lead_department = _figure_unit()
    status = models.CharField(max_length=12)
    first_due = models.DateField(null=True)
    measurable = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(
                fields=["first_due", "lead_department", "measurable"],
                condition=Q(first_due__isnull=False),
                name="taskfigure_open_due_idx",
            ),
            models.Index(
                fields=["task"], condition=Q(measurable=True), name="taskfigure_measurable_idx"
            ),
        ]

    def __str__(self):
        return f"{self.task_id} {self.first_due}"


class ProjectFigure(models.Model):
    """A project's investment of its year and its earliest open milestone, kept by database
    triggers as ``TaskFigure`` is (the same values ``ProjectQuerySet.with_figures`` computes)."""

    project = models.OneToOneField(
        "projects.Project",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="figure",
    )
    completed = models.DecimalField(max_digits=16, decimal_places=2)
    next_milestone_due = models.DateField(null=True)

    def __str__(self):
        return f"{self.project_id} {self.completed}"


class NodeFigure(models.Model):
    """A counted phase node's report-card figures, kept by database triggers as
    ``TaskFigure`` is (``supervision.scorecards.summaries``): a node that is approved or done,
    of a task that is neither a draft nor cancelled (``measures.nodes``).

    ``judged_on``: the first day E on which the node is judged in its running quarter — the
    day after its due date, or the day it was done or its task closed (销号) if earlier;
    ``met_on``: the first day E on which it counts as on time — done, or its task closed,
    on or before the due date (null: never). So the nodes card is a range count over an
    index, without joining the tasks."""

    node = models.OneToOneField(
        "supervision.Node",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="figure",
    )
    lead_department = _figure_unit()
    domain = models.CharField(max_length=12)
    due_date = models.DateField()
    judged_on = models.DateField()
    met_on = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_date", "judged_on", "met_on", "lead_department", "domain"],
                name="nodefigure_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.node_id} {self.due_date}"


NO_DUE = datetime.date(1, 1, 1)  # stands for "no first_due" in ``TaskTally``'s unique key


class TaskTally(models.Model):
    """How many ``TaskFigure`` rows share a lead unit, status, ``first_due`` and
    ``measurable``: the dashboard's per-unit counts and lights are sums over these (≈24,000
    rows at 100,000 tasks) instead of an aggregate over every task.

    Kept by a trigger on ``TaskFigure`` itself (±1 per row inserted or deleted, in the
    writing statement; ``supervision.scorecards.summaries``): an increment, unlike a
    recount, is exact under concurrent writers. A group whose count reaches 0 is deleted.
    ``rebuild`` recounts every group."""

    lead_department = _figure_unit()
    status = models.CharField(max_length=12)
    first_due = models.DateField(null=True)
    measurable = models.BooleanField()
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # NULL first_due (closed, cancelled) is one group: the key reads it as NO_DUE.
            models.UniqueConstraint(
                F("lead_department"),
                F("status"),
                Coalesce(F("first_due"), Value(NO_DUE)),
                F("measurable"),
                name="%(app_label)s_%(class)s_one_row_per_group",
            ),
        ]

    def __str__(self):
        return f"{self.lead_department_id} {self.status} {self.first_due} {self.n}"
