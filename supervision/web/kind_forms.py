"""Cockpit forms for the kinds of 督办件 (批示件, 会议议定事项, 建议/提案, 问题整改): filing and
editing a task with its kind's details, a meeting with its items, the 交办清单 import, the
per-source policy, and the kinds' own steps (批示, 答复, 满意度). They only shape input:
``supervision.kinds`` services decide, and their errors come back onto these fields."""

from django import forms

from accounts.choices import Role
from accounts.models import Department, User
from config.api.filters import BoundedDateField
from supervision.choices import Domain, Priority, ReportFrequency, TaskSource
from supervision.kinds.choices import (
    MeetingForm,
    ProblemOrigin,
    ReplyClass,
    Satisfaction,
    TimeLimitUnit,
    Urgency,
)
from supervision.loop.models import Task
from supervision.web.forms import TEXTAREA, AttachmentsField, CockpitForm

BLANK = [("", "请选择")]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
UNITS = forms.SelectMultiple(attrs={"size": 6})


def departments():
    return Department.objects.filter(is_active=True).order_by("code")


def leaders():
    return User.objects.filter(role=Role.LEADER, is_active=True).order_by("username")


def _date(label: str, **kwargs) -> BoundedDateField:
    return BoundedDateField(label=label, widget=DATE, **kwargs)


class TaskForm(CockpitForm):
    """What every kind shares. For a proposal the units read 主办 / 会办 (协办 is its own)."""

    code = forms.CharField(
        label="编号", required=False, max_length=30, help_text="留空则自动生成，如 PS2024-0007"
    )
    title = forms.CharField(label="事项名称", max_length=200)
    content = forms.CharField(label="事项内容", required=False, widget=TEXTAREA)
    domain = forms.ChoiceField(label="报表类别", choices=BLANK + Domain.choices)
    lead_department = forms.ModelChoiceField(
        label="牵头单位", queryset=departments(), empty_label="请选择"
    )
    co_departments = forms.ModelMultipleChoiceField(
        label="配合单位", queryset=departments(), required=False, widget=UNITS
    )
    responsible_leader = forms.ModelChoiceField(
        label="责任领导", queryset=leaders(), required=False, empty_label="（无）"
    )
    deadline = _date("办理时限", required=False, help_text="留空则按该类别的规则计算")
    priority = forms.ChoiceField(label="优先级", choices=Priority.choices, initial=Priority.NORMAL)
    report_frequency = forms.ChoiceField(
        label="报送频次", choices=ReportFrequency.choices, initial=ReportFrequency.MONTHLY
    )
    reason = forms.CharField(
        label="修改理由", required=False, widget=TEXTAREA, help_text="已交办的事项须说明修改理由。"
    )

    def __init__(self, *args, source: str, task: Task | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        self.fields["lead_department"].queryset = departments()
        self.fields["co_departments"].queryset = departments()
        self.fields["responsible_leader"].queryset = leaders()
        if source in (TaskSource.NPC, TaskSource.CPPCC):
            self.fields["lead_department"].label = "主办单位"
            self.fields["co_departments"].label = "会办单位"
        if task is not None:
            del self.fields["code"]  # a task's code never changes
        if task is None or task.status == "draft":
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True


class InstructionForm(CockpitForm):
    """领导批示件: the deadline follows the urgency in working days when none is typed."""

    leader = forms.ModelChoiceField(label="批示领导", queryset=leaders(), empty_label="请选择")
    instructed_on = _date("批示日期")
    urgency = forms.ChoiceField(
        label="紧急程度",
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        help_text="时限按工作日计：特急 1、急件 3、一般 15、复杂 30（见类别规则）",
    )
    text = forms.CharField(label="批示原文", widget=TEXTAREA)
    document_title = forms.CharField(label="来文标题", required=False, max_length=200)
    document_number = forms.CharField(label="来文文号", required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = leaders()


class ProposalForm(CockpitForm):
    """人大建议 / 政协提案: 协办 units report to the 主办; 并案 by the other proposals' codes."""

    number = forms.CharField(label="建议/提案号", max_length=30, help_text="如：第12号")
    proposer = forms.CharField(label="提出人", max_length=100)
    proposer_contact = forms.CharField(label="联系方式", required=False, max_length=100)
    category = forms.CharField(label="类别", required=False, max_length=50)
    assist_departments = forms.ModelMultipleChoiceField(
        label="协办单位", queryset=departments(), required=False, widget=UNITS
    )
    merged_codes = forms.CharField(
        label="并案（并入本件的编号）",
        required=False,
        max_length=500,
        help_text="多个编号用逗号或顿号分隔，如 JY2024-0003、JY2024-0004",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assist_departments"].queryset = departments()

    def clean_merged_codes(self):
        text = self.cleaned_data["merged_codes"]
        for mark in "，、；; ":
            text = text.replace(mark, ",")
        codes = [code.strip() for code in text.split(",") if code.strip()]
        tasks = {task.code: task for task in Task.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in tasks]
        if unknown:
            raise forms.ValidationError(f"没有这些编号的事项：{'、'.join(unknown)}。")
        return [tasks[code] for code in dict.fromkeys(codes)]


class ProblemForm(CockpitForm):
    origin = forms.ChoiceField(label="问题来源", choices=BLANK + ProblemOrigin.choices)
    found_on = _date("发现日期")
    description = forms.CharField(label="问题描述", widget=TEXTAREA)
    rectification_goal = forms.CharField(label="整改目标", widget=TEXTAREA)
    measures = forms.CharField(label="整改措施", required=False, widget=TEXTAREA)
    recurring = forms.BooleanField(label="反复出现", required=False)


class MeetingInfoForm(CockpitForm):
    """The meeting a 会议议定事项 belongs to (tasks naming the same meeting share it)."""

    name = forms.CharField(label="会议名称", max_length=200)
    held_on = _date("会议日期")
    minutes_number = forms.CharField(label="纪要文号", required=False, max_length=100)


# The kind form each source adds to ``TaskForm``, by the detail name the services use.
DETAIL_FORMS = {
    "instruction": InstructionForm,
    "proposal": ProposalForm,
    "problem": ProblemForm,
    "meeting": MeetingInfoForm,
}


class MeetingItemForm(CockpitForm):
    """One 议定事项 of a meeting entered together (a row of the formset)."""

    title = forms.CharField(label="议定事项", max_length=200)
    content = forms.CharField(label="具体要求", required=False, widget=forms.Textarea({"rows": 2}))
    lead_department = forms.ModelChoiceField(
        label="牵头单位", queryset=departments(), empty_label="请选择"
    )
    co_departments = forms.ModelMultipleChoiceField(
        label="配合单位", queryset=departments(), required=False, widget=UNITS
    )
    deadline = _date("办理时限")
    domain = forms.ChoiceField(label="报表类别", choices=BLANK + Domain.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].queryset = departments()
        self.fields["co_departments"].queryset = departments()


MeetingItemFormSet = forms.formset_factory(
    MeetingItemForm, extra=3, max_num=50, absolute_max=50, validate_max=True
)


class BatchAssignForm(CockpitForm):
    """批量交办 from a list selection."""

    tasks = forms.ModelMultipleChoiceField(
        label="事项",
        queryset=Task.objects.filter(status="draft"),
        error_messages={
            "required": "请先勾选要交办的草稿事项。",
            "invalid_choice": "所选事项不存在或已不是草稿。",
        },
    )
    comment = forms.CharField(label="交办意见", required=False, widget=TEXTAREA)


class ImportForm(CockpitForm):
    file = forms.FileField(label="交办清单（.xlsx）")


class ImportCommitForm(CockpitForm):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    assign = forms.BooleanField(label="导入后立即交办", required=False)


class PolicyForm(CockpitForm):
    """督办件类别规则: a source's default time limit and what its closure needs."""

    time_limit = forms.IntegerField(
        label="默认办理时限",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="自交办起算；留空 = 须逐件填写时限",
    )
    time_limit_unit = forms.ChoiceField(label="时限单位", choices=TimeLimitUnit.choices)
    extra_urgent_days = forms.IntegerField(label="特急（工作日）", min_value=1, max_value=365)
    urgent_days = forms.IntegerField(label="急件（工作日）", min_value=1, max_value=365)
    normal_days = forms.IntegerField(label="一般（工作日）", min_value=1, max_value=365)
    complex_days = forms.IntegerField(label="复杂（工作日）", min_value=1, max_value=365)
    detail_required = forms.BooleanField(label="须录入类别信息", required=False)
    reply_required = forms.BooleanField(label="申请办结前须答复", required=False)
    submit_needs_file = forms.BooleanField(label="申请办结须附佐证材料", required=False)

    URGENCY_FIELDS = ("extra_urgent_days", "urgent_days", "normal_days", "complex_days")

    def __init__(self, *args, source: str, **kwargs):
        super().__init__(*args, **kwargs)
        if source != TaskSource.INSTRUCTION:
            for name in self.URGENCY_FIELDS:
                del self.fields[name]


class InstructForm(CockpitForm):
    """A leader's 批示 on a task or project (the office names the leader it records it for)."""

    text = forms.CharField(label="批示意见", max_length=5000, widget=TEXTAREA)
    leader = forms.ModelChoiceField(
        label="批示领导", queryset=leaders(), required=False, empty_label="（原批示领导/责任领导）"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.LEADER:
            del self.fields["leader"]
        else:
            self.fields["leader"].queryset = leaders()


class ReplyForm(CockpitForm):
    """答复代表/委员 (the 主办 unit)."""

    reply_class = forms.ChoiceField(label="答复类别", choices=BLANK + ReplyClass.choices)
    replied_on = _date("答复日期")
    summary = forms.CharField(label="答复摘要", widget=TEXTAREA, help_text="C 类须说明原因。")
    met_on = _date("见面沟通日期", required=False)
    meeting_form = forms.ChoiceField(
        label="沟通形式", choices=[("", "—")] + MeetingForm.choices, required=False
    )
    attachments = AttachmentsField(label="答复函")


class SatisfactionForm(CockpitForm):
    """The proposer's answer, recorded by the office; 不满意 re-opens it (二次办理)."""

    satisfaction = forms.ChoiceField(label="满意度", choices=BLANK + Satisfaction.choices)
    met_on = _date("见面沟通日期", required=False)
    meeting_form = forms.ChoiceField(
        label="沟通形式", choices=[("", "—")] + MeetingForm.choices, required=False
    )
    comment = forms.CharField(
        label="代表/委员意见", required=False, widget=TEXTAREA, help_text="不满意时必填。"
    )
    deadline = _date("二次办理时限", required=False, help_text="不满意时；留空按类别规则计算")


class ProposalStatsForm(CockpitForm):
    """The 四率 page's filters (the same as ``GET proposals/stats/``)."""

    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    source = forms.ChoiceField(
        label="来源",
        required=False,
        choices=[("", "建议和提案"), (TaskSource.NPC, "人大建议"), (TaskSource.CPPCC, "政协提案")],
    )
    department = forms.ModelChoiceField(
        label="主办单位", queryset=departments(), required=False, empty_label="全部"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments()
