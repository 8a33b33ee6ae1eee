"""The kind details nested in a task (API.md, "Kind details") and the kinds' own bodies."""

from rest_framework import serializers

from accounts.choices import Role
from accounts.models import Department, User
from config.api.fields import staged_attachments
from config.api.serializers import ModelSerializer, Serializer
from supervision.kinds.choices import MeetingForm, ReplyClass, Satisfaction
from supervision.kinds.models import (
    Instruction,
    InstructionDetail,
    MeetingItem,
    ProblemDetail,
    ProposalDetail,
)
from supervision.loop.models import Task

TEXT = {"max_length": 10000}


def _leaders():
    return User.objects.filter(role=Role.LEADER, is_active=True)


class InstructionDetailSerializer(ModelSerializer):
    leader = serializers.PrimaryKeyRelatedField(queryset=_leaders(), help_text="批示领导（区领导）")

    class Meta:
        model = InstructionDetail
        fields = ["leader", "instructed_on", "text", "document_title", "document_number", "urgency"]
        extra_kwargs = {"text": TEXT}


class MeetingItemSerializer(ModelSerializer):
    """The meeting a 议定事项 came from; tasks naming the same meeting share one record."""

    id = serializers.IntegerField(source="meeting.id", read_only=True, help_text="会议 id")
    name = serializers.CharField(source="meeting.name", max_length=200)
    held_on = serializers.DateField(source="meeting.held_on")
    minutes_number = serializers.CharField(
        source="meeting.minutes_number", max_length=100, required=False, allow_blank=True
    )
    sequence = serializers.IntegerField(read_only=True, help_text="会议内序号")

    class Meta:
        model = MeetingItem
        fields = ["id", "name", "held_on", "minutes_number", "sequence"]

    def to_internal_value(self, data):
        return super().to_internal_value(data).get("meeting", {})


class ProposalDetailSerializer(ModelSerializer):
    assist_departments = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Department.objects.all(), help_text="协办单位"
    )
    merged_with = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Task.objects.all(),
        help_text="并案：写入时为并入本件的建议/提案；读出时，主办件列出并入的件，并入件列出主办件",
    )
    # Set by ``reply/`` and ``satisfaction/``; empty until then.
    reply_class = serializers.ChoiceField(ReplyClass.choices, allow_blank=True, read_only=True)
    meeting_form = serializers.ChoiceField(MeetingForm.choices, allow_blank=True, read_only=True)
    satisfaction = serializers.ChoiceField(Satisfaction.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ProposalDetail
        fields = [
            "number",
            "proposer",
            "proposer_contact",
            "category",
            "assist_departments",
            "merged_with",
            "merged_into",
            "reply_class",
            "replied_on",
            "reply_summary",
            "met_on",
            "meeting_form",
            "satisfaction",
            "satisfaction_on",
            "satisfaction_comment",
            "round",
        ]
        read_only_fields = [
            "merged_into",
            "reply_class",
            "replied_on",
            "reply_summary",
            "met_on",
            "meeting_form",
            "satisfaction",
            "satisfaction_on",
            "satisfaction_comment",
            "round",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.merged_into_id:
            data["merged_with"] = [instance.merged_into_id]
        else:
            data["merged_with"] = sorted(d.task_id for d in instance.task.merged_proposals.all())
        return data


class ProblemDetailSerializer(ModelSerializer):
    class Meta:
        model = ProblemDetail
        fields = [
            "origin",
            "found_on",
            "description",
            "rectification_goal",
            "measures",
            "recurring",
            "recurs_of",
        ]
        extra_kwargs = {
            **{name: TEXT for name in ("description", "rectification_goal", "measures")},
            "recurs_of": {
                "help_text": "前次（已销号）的问题事项 id：问题反弹时填写，自动标记反复出现"
            },
        }


# The nested objects on a task, by name (API.md): each null unless the task is of that kind.
KIND_FIELDS = {
    "instruction": lambda: InstructionDetailSerializer(
        required=False, allow_null=True, help_text="领导批示件的批示信息"
    ),
    "meeting": lambda: MeetingItemSerializer(
        source="meeting_item", required=False, allow_null=True, help_text="会议议定事项的会议"
    ),
    "proposal": lambda: ProposalDetailSerializer(
        required=False, allow_null=True, help_text="人大建议/政协提案的信息"
    ),
    "problem": lambda: ProblemDetailSerializer(
        required=False, allow_null=True, help_text="问题整改的问题信息"
    ),
}


class InstructionSerializer(ModelSerializer):
    leader = serializers.PrimaryKeyRelatedField(
        queryset=_leaders(),
        required=False,
        allow_null=True,
        help_text="批示领导；区领导本人批示时不填，督查办代录时必填（或沿用原批示领导）",
    )

    class Meta:
        model = Instruction
        fields = ["id", "task", "project", "leader", "text", "created_by", "created_at"]
        read_only_fields = ["task", "project", "created_by", "created_at"]
        extra_kwargs = {"text": {"max_length": 5000}}


class ReplySerializer(Serializer):
    reply_class = serializers.ChoiceField(choices=ReplyClass.choices, help_text="答复类别 A/B/C")
    replied_on = serializers.DateField(help_text="答复日期")
    summary = serializers.CharField(max_length=10000, help_text="答复摘要；C 类须说明原因")
    met_on = serializers.DateField(required=False, allow_null=True, help_text="见面沟通日期")
    meeting_form = serializers.ChoiceField(
        choices=MeetingForm.choices, required=False, allow_blank=True, help_text="见面沟通形式"
    )
    attachments = staged_attachments("本人先行上传（未绑定）的答复函等材料编号，随答复绑定")


class SatisfactionSerializer(Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    met_on = serializers.DateField(required=False, allow_null=True, help_text="见面沟通日期")
    meeting_form = serializers.ChoiceField(
        choices=MeetingForm.choices, required=False, allow_blank=True
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="代表/委员意见；不满意时必填"
    )
    deadline = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="不满意时二次办理的时限；不填则按类别默认时限自今日起算",
    )


PCT = {"max_digits": 5, "decimal_places": 1, "allow_null": True}


class ProposalFiguresSerializer(Serializer):
    total = serializers.IntegerField(help_text="件数（不含已撤销）")
    due = serializers.IntegerField(help_text="应办结：已销号或已过时限")
    on_time = serializers.IntegerField(help_text="按时限销号")
    replied = serializers.IntegerField(help_text="已答复")
    met = serializers.IntegerField(help_text="已答复且见面沟通")
    rated = serializers.IntegerField(help_text="已测评满意度")
    satisfied = serializers.IntegerField(help_text="满意或基本满意")
    resolved = serializers.IntegerField(help_text="A 类答复")
    on_time_rate = serializers.DecimalField(help_text="按时办结率 %", **PCT)
    meeting_rate = serializers.DecimalField(help_text="见面沟通率 %", **PCT)
    satisfaction_rate = serializers.DecimalField(help_text="满意率 %（含基本满意）", **PCT)
    resolution_rate = serializers.DecimalField(help_text="解决率 %（A 类占比）", **PCT)


class ProposalDepartmentSerializer(ProposalFiguresSerializer):
    department = serializers.IntegerField()
    department_name = serializers.CharField()


class ProposalStatsSerializer(ProposalFiguresSerializer):
    by_department = ProposalDepartmentSerializer(many=True)


class ProposalStatsQuerySerializer(Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, help_text="主办单位"
    )
    source = serializers.ChoiceField(
        choices=[("npc", "人大建议"), ("cppcc", "政协提案")], required=False
    )
