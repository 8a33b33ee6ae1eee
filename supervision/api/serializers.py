from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import assumed_fields, staged_attachments
from config.api.serializers import ModelSerializer, Serializer
from core import clock
from projects.choices import Light
from supervision.api.kinds_serializers import KIND_FIELDS
from supervision.choices import NodeStatus, Rating, TaskStatus
from supervision.loop.models import (
    EscalationPolicy,
    ExtensionRequest,
    Indicator,
    ProgressReport,
    Task,
    TaskEvent,
)
from supervision.loop.selectors import overdue_days

VALUE = {"max_digits": 16, "decimal_places": 4, "allow_null": True, "required": False}


class NodesSummarySerializer(Serializer):
    """A task's nodes at a glance (read from its prefetched nodes)."""

    total = serializers.IntegerField()
    proposed = serializers.IntegerField(help_text="待审定")
    approved = serializers.IntegerField(help_text="已审定未完成")
    done = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="已审定、未完成且已过计划日期")
    next_due = serializers.DateField(allow_null=True, help_text="最近一个未完成节点的计划日期")

    @staticmethod
    def of(nodes, today) -> dict:
        open_nodes = [n for n in nodes if n.status == NodeStatus.APPROVED]
        return {
            "total": len(nodes),
            "proposed": sum(n.status == NodeStatus.PROPOSED for n in nodes),
            "approved": len(open_nodes),
            "done": sum(n.status == NodeStatus.DONE for n in nodes),
            "overdue": sum(n.is_overdue_on(today) for n in open_nodes),
            "next_due": min((n.due_date for n in open_nodes), default=None),
        }


PROGRESS = {"max_digits": 20, "decimal_places": 4, "read_only": True, "allow_null": True}


class TaskSerializer(ModelSerializer):
    light = serializers.ChoiceField(
        read_only=True,
        allow_null=True,
        choices=Light.choices,
        help_text="按节点、时限和序时进度计算；已销号、已撤销为 null",
    )
    # Read-only model fields lose allow_blank in DRF, so the schema would deny the "" that a
    # task not yet rated holds.
    rating = serializers.ChoiceField(
        read_only=True, allow_blank=True, choices=Rating.choices, help_text="年度评定；未评定为空"
    )
    schedule_target = serializers.DecimalField(
        help_text="序时目标：按节点累计目标（无节点按全年）线性推算的今日应达值", **PROGRESS
    )
    lag = serializers.DecimalField(
        help_text="落后序时目标的百分点（负数为超前）；无量化目标或无最新值时为 null", **PROGRESS
    )
    nodes_summary = serializers.SerializerMethodField()
    overdue_days = serializers.SerializerMethodField(help_text="逾期工作日数")
    target_value = serializers.DecimalField(min_value=0, **VALUE)
    target_tolerance = serializers.DecimalField(min_value=0, **VALUE)
    assumed_fields = assumed_fields(Task)
    latest_value = serializers.DecimalField(
        source="current_value",
        max_digits=16,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="最新值；对应预期指标的事项读自该指标的分期数值",
    )
    instruction = KIND_FIELDS["instruction"]()
    meeting = KIND_FIELDS["meeting"]()
    proposal = KIND_FIELDS["proposal"]()
    problem = KIND_FIELDS["problem"]()

    class Meta:
        model = Task
        fields = [
            "id",
            "code",
            "title",
            "content",
            "source",
            "source_ref",
            "domain",
            "lead_department",
            "co_departments",
            "responsible_leader",
            "project",
            "deadline",
            "deadline_auto",
            "report_frequency",
            "priority",
            "status",
            "light",
            "target_metric",
            "target_value",
            "target_unit",
            "target_comparison",
            "target_tolerance",
            "latest_value",
            "overdue_days",
            "schedule_target",
            "lag",
            "nodes_summary",
            "assumed",
            "assumed_fields",
            "assigned_at",
            "accepted_at",
            "submitted_at",
            "closed_at",
            "created_at",
            "updated_at",
            "instruction",
            "meeting",
            "proposal",
            "problem",
            "parent",
            "indicator",
            "carried_from",
            "rating",
            "rating_comment",
            "rated_at",
        ]
        read_only_fields = [
            "parent",
            "carried_from",
            "rating",
            "rating_comment",
            "rated_at",
            "deadline_auto",
            "status",
            "latest_value",
            "assigned_at",
            "accepted_at",
            "submitted_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]

        extra_kwargs = {
            "code": {"required": False, "help_text": "不填则按来源和年度生成，如 PS2024-0007"},
            "deadline": {
                "required": False,
                "help_text": "不填则按类别规则计算（批示件按紧急程度，建议提案自交办起三个月）",
            },
        }

    def get_overdue_days(self, task) -> int:
        return overdue_days(task, self.context.get("today"))

    @extend_schema_field(NodesSummarySerializer)
    def get_nodes_summary(self, task) -> dict:
        summary = getattr(task, "nodes_summary", None)  # set by a caller that read it in bulk
        if summary is not None:
            return summary
        return NodesSummarySerializer.of(
            task.nodes.all(), self.context.get("today") or clock.today()
        )


class TaskUpdateSerializer(TaskSerializer):
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="修改理由（记入流转记录）",
    )

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "reason"]
        read_only_fields = [*TaskSerializer.Meta.read_only_fields, "code"]


class CommentSerializer(Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class SubmitSerializer(Serializer):
    summary = serializers.CharField(max_length=5000, help_text="办结情况")
    attachments = staged_attachments("本人先行上传（未绑定）的佐证材料编号，随申请办结绑定")


class VerifySerializer(Serializer):
    approved = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class CancelSerializer(Serializer):
    reason = serializers.CharField(max_length=5000)


class UrgeSerializer(Serializer):
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default="", help_text="催办意见"
    )


class ProgressReportSerializer(ModelSerializer):
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    value = serializers.DecimalField(**VALUE)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "task",
            "department",
            "author",
            "content",
            "problems",
            "coordination",
            "next_steps",
            "percent",
            "value",
            "created_at",
        ]
        read_only_fields = ["task", "department", "author", "created_at"]
        extra_kwargs = {
            "content": {"max_length": 10000},
            "problems": {"max_length": 10000},
            "coordination": {"max_length": 10000},
            "next_steps": {"max_length": 10000},
        }


class ExtensionRequestSerializer(ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "task",
            "requested_by",
            "original_deadline",
            "requested_deadline",
            "reason",
            "status",
            "decided_by",
            "decided_at",
            "decision_comment",
            "created_at",
        ]
        read_only_fields = [
            "task",
            "requested_by",
            "original_deadline",
            "status",
            "decided_by",
            "decided_at",
            "decision_comment",
            "created_at",
        ]
        extra_kwargs = {"reason": {"max_length": 5000}}


class TaskEventSerializer(ModelSerializer):
    # Empty for events that are not status moves (progress, edits, 批示 …).
    from_status = serializers.ChoiceField(TaskStatus.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(TaskStatus.choices, allow_blank=True, read_only=True)

    class Meta:
        model = TaskEvent
        fields = [
            "id",
            "task",
            "actor",
            "action",
            "from_status",
            "to_status",
            "comment",
            "data",
            "created_at",
        ]
        read_only_fields = fields


class IndicatorSerializer(ModelSerializer):
    tolerance = serializers.DecimalField(min_value=0, **VALUE)
    assumed_fields = assumed_fields(Indicator)
    light = serializers.SerializerMethodField(
        help_text="对照序时目标的亮灯（green/yellow/red）；无数值目标或未填报为 null"
    )
    behind = serializers.SerializerMethodField(
        help_text="最新一期落后序时目标的百分点（占年度目标）；不能判定为 null"
    )

    def _light(self, indicator):
        from supervision.phases.indicators import light_for

        policy = self.context.get("policy") or EscalationPolicy.current()
        rows = {row.period: row.value for row in indicator.values.all()}
        return light_for(indicator, rows, policy)

    @extend_schema_field(serializers.ChoiceField(choices=Light.choices, allow_null=True))
    def get_light(self, indicator):
        return self._light(indicator).light

    @extend_schema_field(serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True))
    def get_behind(self, indicator):
        behind = self._light(indicator).behind
        return None if behind is None else str(behind)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "domain",
            "unit",
            "target_value",
            "comparison",
            "tolerance",
            "baseline",
            "baseline_text",
            "growth_of",
            "consistency_note",
            "latest_value",
            "period_values",
            "target_text",
            "source_ref",
            "year",
            "department",
            "light",
            "behind",
            "assumed_fields",
        ]
        # ``latest_value`` and ``period_values`` follow the values entered (``values/``).
        read_only_fields = ["code", "target_text", "source_ref", "latest_value", "period_values"]
