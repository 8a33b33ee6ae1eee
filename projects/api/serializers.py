import datetime as dt
import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import assumed_fields
from config.api.serializers import ModelSerializer, Serializer
from core.validators import YEAR_MAX, YEAR_MIN, year_in_range
from projects.choices import Light
from projects.models import InvestmentReport, Milestone, Project
from projects.money import MONEY


class ProjectSerializer(ModelSerializer):
    completed_investment = serializers.DecimalField(read_only=True, **MONEY)
    completion_rate = serializers.DecimalField(
        read_only=True, allow_null=True, max_digits=20, decimal_places=2
    )
    time_progress = serializers.DecimalField(read_only=True, max_digits=7, decimal_places=2)
    light = serializers.ChoiceField(read_only=True, choices=Light.choices)
    total_investment = serializers.DecimalField(
        required=False, allow_null=True, min_value=0, **MONEY
    )
    annual_plan_investment = serializers.DecimalField(required=False, min_value=0, **MONEY)
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX)
    assumed_fields = assumed_fields(Project)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "category",
            "level",
            "year",
            "stage",
            "lead_department",
            "co_departments",
            "responsible_leader",
            "location",
            "industry_chain",
            "total_investment",
            "annual_plan_investment",
            "completed_investment",
            "completion_rate",
            "time_progress",
            "light",
            "planned_start",
            "planned_end",
            "target_text",
            "description",
            "source_ref",
            "assumed",
            "assumed_fields",
            "is_archived",
        ]


@extend_schema_field(OpenApiTypes.STR)
class MonthField(serializers.Field):
    """A month as ``"YYYY-MM"`` (stored as its first day)."""

    row_value = True  # ``config.api.rows``: the column's date alone makes the text

    default_error_messages = {
        "invalid": f"月份格式应为 YYYY-MM，且在 {YEAR_MIN}–{YEAR_MAX} 年之间。"
    }

    def to_representation(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"

    def to_internal_value(self, data) -> dt.date:
        match = re.fullmatch(r"(\d{4})-(\d{2})", str(data))
        if not match:
            self.fail("invalid")
        year, month = int(match[1]), int(match[2])
        if not (year_in_range(year) and 1 <= month <= 12):
            self.fail("invalid")
        return dt.date(year, month, 1)


class MilestoneSerializer(ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)
    assumed_fields = assumed_fields(Milestone)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "name",
            "due_date",
            "completed_on",
            "sequence",
            "note",
            "is_overdue",
            "assumed_fields",
        ]
        read_only_fields = ["completed_on"]


class MilestoneCompleteSerializer(Serializer):
    completed_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class InvestmentReportSerializer(ModelSerializer):
    period = MonthField()
    amount = serializers.DecimalField(min_value=0, **MONEY)

    class Meta:
        model = InvestmentReport
        fields = ["id", "project", "period", "amount", "note", "reported_by", "reported_at"]
        read_only_fields = ["reported_by", "reported_at"]
        validators = []  # one-per-month is checked by the service with a clear message


class InvestmentReportUpdateSerializer(InvestmentReportSerializer):
    # 更正月度投资: the new figure with its reason, kept in the report's revision history.
    reason = serializers.CharField(
        write_only=True,
        max_length=500,
        error_messages={"blank": "请填写更正理由。", "required": "请填写更正理由。"},
        help_text="更正理由（必填），与更正前的数值一并记入更正记录",
    )

    class Meta(InvestmentReportSerializer.Meta):
        fields = [*InvestmentReportSerializer.Meta.fields, "reason"]
        read_only_fields = ["project", "period", "reported_by", "reported_at"]

    def validate(self, attrs):
        # PATCH is partial, so ``required`` alone would not hold: the reason always is.
        if not (attrs.get("reason") or "").strip():
            raise serializers.ValidationError({"reason": "请填写更正理由。"})
        return super().validate(attrs)
