"""Phased-target endpoints of issue 13 that are not nodes: ``indicators/{id}/values/``,
``tasks/{id}/split/`` (and ``split-override/``), ``reassign-requests``, ``rating/``.

The services (``supervision.phases``) check who may act; these views only parse and answer.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Department
from config.api.schema import ErrorSerializer
from config.api.serializers import ModelSerializer, Serializer
from config.api.viewsets import ApiViewSet
from core.validators import validate_year_range
from supervision.api.serializers import TaskSerializer
from supervision.choices import Rating
from supervision.loop.models import Indicator
from supervision.phases import reassign, split, yearend
from supervision.phases.filters import ReassignRequestFilter
from supervision.phases.indicators import indicator_value_enter
from supervision.phases.models import IndicatorValue, ReassignRequest


class IndicatorValueSerializer(ModelSerializer):
    value = serializers.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        model = IndicatorValue
        fields = ["id", "indicator", "period", "value", "note", "entered_by", "entered_at"]
        read_only_fields = ["indicator", "entered_by", "entered_at"]
        extra_kwargs = {
            "period": {"help_text": "月度如 2024-05，季度如 2024Q1", "validators": []},
            "note": {"max_length": 2000},
        }


class IndicatorValueViewSet(ApiViewSet):
    """``indicators/{id}/values/`` (registered beside ``IndicatorViewSet``, so that ``POST
    indicators/`` stays undefined): GET the periods entered; POST enters (or corrects) one —
    the indicator's responsible unit or the supervision office (the service checks)."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorValueSerializer

    @extend_schema(
        methods=["get"], responses=IndicatorValueSerializer(many=True), summary="指标分期数值"
    )
    @extend_schema(
        methods=["post"],
        request=IndicatorValueSerializer,
        responses={
            200: IndicatorValueSerializer,
            201: IndicatorValueSerializer,
            400: ErrorSerializer,
        },
        summary="填报指标分期数值（责任单位；督查办）；同一期别再次填报即为更正",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def values(self, request, pk=None):
        indicator = self.get_object()
        if request.method == "GET":
            rows = indicator.values.order_by("period")
            return Response(IndicatorValueSerializer(rows, many=True).data)
        body = IndicatorValueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row, created = indicator_value_enter(
            actor=request.user, indicator=indicator, **body.validated_data
        )
        return Response(
            IndicatorValueSerializer(row).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- 末端落实 (split) -------------------------------------------------------------------------


class SplitChildSerializer(Serializer):
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), help_text="承办单位（配合单位或乡镇街道）"
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    deadline = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="不填则同上级事项时限"
    )
    target_value = serializers.DecimalField(
        max_digits=16, decimal_places=4, min_value=0, required=False, allow_null=True
    )
    target_unit = serializers.CharField(required=False, allow_blank=True, max_length=20)

    def validate_deadline(self, value):
        if value is not None:
            validate_year_range(value)
        return value


class SplitSerializer(Serializer):
    children = SplitChildSerializer(many=True, allow_empty=False, max_length=50)


class ReasonSerializer(Serializer):
    reason = serializers.CharField(max_length=5000)


class ReassignRequestSerializer(ModelSerializer):
    class Meta:
        model = ReassignRequest
        fields = [
            "id",
            "task",
            "department",
            "suggested_department",
            "reason",
            "requested_by",
            "created_at",
            "status",
            "new_department",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = [
            "task",
            "department",
            "requested_by",
            "created_at",
            "status",
            "new_department",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        extra_kwargs = {"reason": {"max_length": 5000}}


class ReassignApproveSerializer(Serializer):
    new_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="调整后的牵头单位；不填则为申请建议的单位",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ReassignRejectSerializer(Serializer):
    comment = serializers.CharField(max_length=5000, help_text="不予调整的理由")


class ReassignRequestsMixin:
    @extend_schema(
        methods=["get"],
        responses=ReassignRequestSerializer(many=True),
        summary="调整牵头单位申请（按时间先后）",
    )
    @extend_schema(
        methods=["post"],
        request=ReassignRequestSerializer,
        responses={201: ReassignRequestSerializer, 400: ErrorSerializer},
        summary="申请调整牵头单位（牵头单位，交办后规定工作日内）",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="reassign-requests",
        pagination_class=None,
        filter_backends=[],
    )
    def reassign_requests(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            rows = task.reassign_requests.order_by("created_at", "id")
            return Response(ReassignRequestSerializer(rows, many=True).data)
        body = ReassignRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        created = reassign.reassign_request_create(
            task=task, actor=request.user, **body.validated_data
        )
        return Response(ReassignRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class RatingSerializer(Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        default="",
        help_text="基本完成或未完成须说明理由",
    )


class TaskPhasesMixin(ReassignRequestsMixin):
    """Actions of ``tasks/{id}/`` from issue 13 (nodes are phasing-core's)."""

    @extend_schema(
        request=SplitSerializer,
        responses={201: TaskSerializer(many=True), 400: ErrorSerializer},
        summary="分解交办（末端落实）：为配合单位或乡镇街道创建并交办子事项",
    )
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        task = self.get_object()
        body = SplitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        children = split.task_split(task=task, actor=request.user, **body.validated_data)
        rows = self.get_queryset().filter(pk__in=[c.pk for c in children]).order_by("code")
        return Response(self.get_serializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: TaskSerializer, 400: ErrorSerializer},
        summary="放行：子事项未办结时准予上级事项申请办结（督查办，须说明理由）",
    )
    @action(detail=True, methods=["post"], url_path="split-override")
    def split_override(self, request, pk=None):
        task = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        split.task_split_override(task=task, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.refetch(task)).data)

    @extend_schema(
        request=RatingSerializer,
        responses={200: TaskSerializer, 400: ErrorSerializer},
        summary="年度评定：完成 / 基本完成 / 未完成（督查办；后两者须说明理由）",
    )
    @action(detail=True, methods=["post"])
    def rating(self, request, pk=None):
        task = self.get_object()
        body = RatingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        yearend.task_rate(task=task, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.refetch(task)).data)


# --- 申请调整牵头单位 ------------------------------------------------------------------------


class ReassignRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """调整牵头单位申请; the supervision office approves (names the new unit) or rejects."""

    queryset = ReassignRequest.objects.order_by("-created_at", "-id")
    serializer_class = ReassignRequestSerializer
    filterset_class = ReassignRequestFilter

    def _decide(self, request, body_class, decide):
        row = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        row = decide(request=row, actor=request.user, **body.validated_data)
        return Response(ReassignRequestSerializer(row).data)

    @extend_schema(
        request=ReassignApproveSerializer,
        responses={200: ReassignRequestSerializer, 400: ErrorSerializer},
        summary="调整牵头单位（督查办；新牵头单位重新签收，提醒阶梯重新起算）",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, ReassignApproveSerializer, reassign.reassign_approve)

    @extend_schema(
        request=ReassignRejectSerializer,
        responses={200: ReassignRequestSerializer, 400: ErrorSerializer},
        summary="不予调整牵头单位（督查办，须说明理由）",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, ReassignRejectSerializer, reassign.reassign_reject)
