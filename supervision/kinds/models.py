"""Kind details (one-to-one with a task), the per-source policy and the code counters."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.constraints import OneQueryChecks
from core.validators import validate_year_range
from supervision.choices import TaskSource
from supervision.kinds.choices import (
    MeetingForm,
    ProblemOrigin,
    ReplyClass,
    Satisfaction,
    TimeLimitUnit,
    Urgency,
)


def _valid(field: str, choices, *, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__in": choices.values})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True}) | Q(**{field: ""})
    return models.CheckConstraint(
        condition=condition, name=f"%(app_label)s_%(class)s_{field}_valid"
    )


def _task(related_name: str) -> models.OneToOneField:
    return models.OneToOneField(
        "supervision.Task",
        verbose_name="事项",
        on_delete=models.CASCADE,  # a draft's details go with it; a sent task is never deleted
        related_name=related_name,
    )


class SourcePolicy(models.Model):
    """What a kind of 督办件 defaults to and requires (the office edits it in the cockpit).

    A source without a saved row uses ``supervision.kinds.policies.DEFAULTS``.
    """

    source = models.CharField("来源", max_length=16, choices=TaskSource.choices, unique=True)
    time_limit = models.PositiveSmallIntegerField(
        "默认办理时限", null=True, blank=True, help_text="自交办起算；空 = 须逐件填写时限"
    )
    time_limit_unit = models.CharField(
        "时限单位", max_length=10, choices=TimeLimitUnit.choices, default=TimeLimitUnit.WORKDAYS
    )
    extra_urgent_days = models.PositiveSmallIntegerField("特急（工作日）", default=1)
    urgent_days = models.PositiveSmallIntegerField("急件（工作日）", default=3)
    normal_days = models.PositiveSmallIntegerField("一般（工作日）", default=15)
    complex_days = models.PositiveSmallIntegerField("复杂（工作日）", default=30)
    detail_required = models.BooleanField("须录入类别信息", default=False)
    reply_required = models.BooleanField("申请办结前须答复", default=False)
    submit_needs_file = models.BooleanField("申请办结须附佐证材料", default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "督办件类别规则"
        verbose_name_plural = "督办件类别规则"
        ordering = ["source"]
        constraints = [
            _valid("source", TaskSource),
            _valid("time_limit_unit", TimeLimitUnit),
            models.CheckConstraint(
                condition=Q(time_limit__isnull=True) | Q(time_limit__gte=1),
                name="%(app_label)s_%(class)s_time_limit_positive",
                violation_error_message="默认办理时限至少为 1。",
            ),
            models.CheckConstraint(
                condition=Q(extra_urgent_days__gte=1)
                & Q(urgent_days__gte=1)
                & Q(normal_days__gte=1)
                & Q(complex_days__gte=1),
                name="%(app_label)s_%(class)s_urgency_days_positive",
                violation_error_message="各紧急程度的时限至少为 1 个工作日。",
            ),
        ]

    def __str__(self):
        return self.get_source_display()

    def urgency_days(self, urgency: str) -> int:
        return getattr(self, f"{urgency}_days")


class InstructionDetail(models.Model):
    """领导批示件: who instructed what, when, on which incoming document, how urgently."""

    task = _task("instruction")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批示领导",
        on_delete=models.PROTECT,
        related_name="instructed_tasks",
    )
    instructed_on = models.DateField("批示日期", validators=[validate_year_range])
    text = models.TextField("批示原文")
    document_title = models.CharField("来文标题", max_length=200, blank=True)
    document_number = models.CharField("来文文号", max_length=100, blank=True)
    urgency = models.CharField(
        "紧急程度", max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )

    class Meta:
        verbose_name = "批示信息"
        verbose_name_plural = "批示信息"
        constraints = [_valid("urgency", Urgency)]

    def __str__(self):
        return f"{self.task_id} {self.leader_id} {self.instructed_on}"


class Instruction(models.Model):
    """A leader's 批示意见 on a task or a project (a follow-up 批示, or one given from the
    cockpit on any work). Append-only: a 批示 once given is part of the record."""

    task = models.ForeignKey(
        "supervision.Task",
        verbose_name="事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
        db_index=False,  # instr_task_time_idx leads with task
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name="项目",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="instructions",
        db_index=False,  # instr_project_time_idx leads with project
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批示领导",
        on_delete=models.PROTECT,
        related_name="instructions_given",
        db_index=False,  # instr_leader_time_idx leads with leader
    )
    text = models.TextField("批示意见")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("批示时间")

    class Meta:
        verbose_name = "领导批示意见"
        verbose_name_plural = "领导批示意见"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["task", "created_at"], name="instr_task_time_idx"),
            models.Index(fields=["project", "created_at"], name="instr_project_time_idx"),
            models.Index(fields=["leader", "created_at"], name="instr_leader_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(task__isnull=False, project__isnull=True)
                | Q(task__isnull=True, project__isnull=False),
                name="%(app_label)s_%(class)s_one_subject",
            ),
        ]

    def __str__(self):
        return f"{self.leader_id}: {self.text[:20]}"


class Meeting(models.Model):
    """A meeting whose 议定事项 became tasks (entered together, assigned together)."""

    name = models.CharField("会议名称", max_length=200)
    held_on = models.DateField("会议日期", validators=[validate_year_range])
    minutes_number = models.CharField("纪要文号", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        number = f"（{self.minutes_number}）" if self.minutes_number else ""
        return f"{self.name}{number}"


class MeetingItem(models.Model):
    """会议议定事项: the task is one item of a meeting, numbered within it."""

    task = _task("meeting_item")
    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.PROTECT, related_name="items"
    )
    sequence = models.PositiveSmallIntegerField("序号", default=1)

    class Meta:
        verbose_name = "会议议定事项"
        verbose_name_plural = "会议议定事项"
        ordering = ["meeting_id", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "sequence"],
                name="%(app_label)s_%(class)s_unique_sequence",
                violation_error_message="同一会议的议定事项序号不能重复。",
            ),
        ]

    def __str__(self):
        return f"{self.meeting_id}-{self.sequence}"


class ProposalDetail(OneQueryChecks):
    """人大代表建议 / 政协委员提案: the proposer, the units, the reply and the proposer's answer.

    The 主办 unit is the task's lead department, the 会办 units its co-operating departments;
    the 协办 units (``assist_departments``) report to the 主办. 并案: a proposal merged into
    another (``merged_into``) keeps its number and follows the main one through the loop.
    """

    task = _task("proposal")
    number = models.CharField("建议/提案号", max_length=30)
    proposer = models.CharField("提出人", max_length=100)
    proposer_contact = models.CharField("联系方式", max_length=100, blank=True)
    category = models.CharField("类别", max_length=50, blank=True)
    assist_departments = models.ManyToManyField(
        "accounts.Department",
        verbose_name="协办单位",
        blank=True,
        related_name="assisted_proposals",
    )
    merged_into = models.ForeignKey(
        "supervision.Task",
        verbose_name="并案主办件",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_proposals",
    )
    reply_class = models.CharField("答复类别", max_length=1, choices=ReplyClass.choices, blank=True)
    replied_on = models.DateField(
        "答复日期", null=True, blank=True, validators=[validate_year_range]
    )
    reply_summary = models.TextField("答复摘要", blank=True)
    met_on = models.DateField(
        "见面沟通日期", null=True, blank=True, validators=[validate_year_range]
    )
    meeting_form = models.CharField(
        "见面沟通形式", max_length=12, choices=MeetingForm.choices, blank=True
    )
    satisfaction = models.CharField(
        "满意度", max_length=20, choices=Satisfaction.choices, blank=True
    )
    satisfaction_on = models.DateField(
        "测评日期", null=True, blank=True, validators=[validate_year_range]
    )
    satisfaction_comment = models.TextField("代表/委员意见", blank=True)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)

    class Meta:
        verbose_name = "建议提案信息"
        verbose_name_plural = "建议提案信息"
        constraints = [
            _valid("reply_class", ReplyClass, nullable=True),
            _valid("meeting_form", MeetingForm, nullable=True),
            _valid("satisfaction", Satisfaction, nullable=True),
            models.CheckConstraint(
                condition=Q(reply_class="") | Q(replied_on__isnull=False),
                name="%(app_label)s_%(class)s_reply_dated",
            ),
            models.CheckConstraint(
                condition=Q(round__gte=1), name="%(app_label)s_%(class)s_round_positive"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.proposer}"


class ProblemDetail(models.Model):
    """问题整改 (问题清单): where the problem was found, and what rectifying it means."""

    task = _task("problem")
    origin = models.CharField("问题来源", max_length=12, choices=ProblemOrigin.choices)
    found_on = models.DateField("发现日期", validators=[validate_year_range])
    description = models.TextField("问题描述")
    rectification_goal = models.TextField("整改目标")
    measures = models.TextField("整改措施", blank=True)
    recurring = models.BooleanField("反复出现", default=False)
    recurs_of = models.ForeignKey(
        "supervision.Task",
        verbose_name="前次问题",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recurrences",
        help_text="已销号后又出现：填写前次的问题事项，自动标记为反复出现",
    )

    class Meta:
        verbose_name = "问题整改信息"
        verbose_name_plural = "问题整改信息"
        constraints = [_valid("origin", ProblemOrigin)]
        indexes = [models.Index(fields=["origin"], name="problem_origin_idx")]

    def __str__(self):
        return f"{self.task_id} {self.get_origin_display()}"


class CodeSequence(models.Model):
    """The last number issued per code prefix and year (row-locked while a code is drawn)."""

    prefix = models.CharField("前缀", max_length=10)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "year"], name="%(app_label)s_%(class)s_unique_prefix_year"
            ),
        ]

    def __str__(self):
        return f"{self.prefix}{self.year}: {self.last}"
