"""八张问题清单: ``problems/stats/`` and ``tasks/{id}/follow-ups/`` (a mixin of ``TaskViewSet``).
Figures: ``supervision.scorecards.problems``."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Department
from config.api.schema import ErrorSerializer
from config.api.serializers import Serializer
from config.api.viewsets import ApiViewSet
from core import clock
from supervision.api.serializers import TaskSerializer
from supervision.choices import Domain, TaskSource, TaskStatus
from supervision.kinds.choices import ProblemOrigin
from supervision.loop.models import Task
from supervision.scorecards.problems import problem_follow_up, problem_stats

RATE = {"max_digits": 6, "decimal_places": 2, "allow_null": True}


class ProblemStatsQuerySerializer(Serializer):
    domain = serializers.ChoiceField(choices=Domain.choices, required=False, help_text="报表")
    origin = serializers.ChoiceField(choices=ProblemOrigin.choices, required=False)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, help_text="责任单位"
    )


class ProblemFiguresSerializer(Serializer):
    total = serializers.IntegerField(help_text="问题总数（不含草稿、已撤销）")
    rectified = serializers.IntegerField(help_text="已整改销号")
    open = serializers.IntegerField(help_text="未销号")
    overdue = serializers.IntegerField(help_text="未销号且已过整改时限")
    clearance_rate = serializers.DecimalField(help_text="清零率 % = 已销号 ÷ 总数", **RATE)


class BlockerSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    deadline = serializers.DateField()
    overdue_days = serializers.IntegerField(help_text="逾期天数（未逾期为 0）")
    department = serializers.IntegerField()
    department_label = serializers.CharField()
    origin = serializers.ChoiceField(choices=ProblemOrigin.choices)
    origin_label = serializers.CharField()
    recurring = serializers.BooleanField()


class ProblemDomainSerializer(ProblemFiguresSerializer):
    domain = serializers.ChoiceField(choices=Domain.choices)
    label = serializers.CharField()
    blockers = BlockerSerializer(
        many=True, help_text="距清零尚未销号的问题（整改时限最早的前 10 件）"
    )


class ProblemOriginSerializer(ProblemFiguresSerializer):
    origin = serializers.ChoiceField(choices=ProblemOrigin.choices)
    label = serializers.CharField()


class ProblemDepartmentSerializer(ProblemFiguresSerializer):
    department = serializers.IntegerField()
    department_code = serializers.CharField()
    department_label = serializers.CharField()


@extend_schema_serializer(many=False)
class ProblemStatsSerializer(ProblemFiguresSerializer):
    by_domain = ProblemDomainSerializer(many=True, help_text="八张问题清单，按党建…民生")
    by_origin = ProblemOriginSerializer(many=True)
    by_department = ProblemDepartmentSerializer(many=True)


class ProblemViewSet(ApiViewSet):
    """八张问题清单: totals, rectified, open, overdue and 清零率 per card, origin and unit."""

    queryset = Task.objects.filter(source=TaskSource.PROBLEM)
    serializer_class = ProblemStatsSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="问题清单整改统计（清零率）",
        parameters=[ProblemStatsQuerySerializer],
        responses={200: ProblemStatsSerializer, 400: ErrorSerializer},
    )
    @action(detail=False, methods=["get"])
    def stats(self, request):
        query = ProblemStatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = problem_stats(today=clock.today(), **query.validated_data)
        return Response(ProblemStatsSerializer(data).data)


class FollowUpSerializer(Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(required=False, allow_blank=True, default="")
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), help_text="牵头单位"
    )
    deadline = serializers.DateField()
    source = serializers.ChoiceField(
        choices=TaskSource.choices,
        required=False,
        default=TaskSource.OTHER,
        help_text="来源（默认“其他”；不能是问题整改）",
    )


class ProblemTaskMixin:
    """``tasks/{id}/follow-ups/``: the follow-up tasks a problem spawned (GET), or a new one
    (POST, the office; a draft on the problem's card with the problem as its ``parent``)."""

    @extend_schema(
        methods=["get"], responses=TaskSerializer(many=True), summary="问题派生的跟进事项"
    )
    @extend_schema(
        methods=["post"],
        request=FollowUpSerializer,
        responses={201: TaskSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        summary="由问题派生跟进事项（督查办）",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="follow-ups",
        pagination_class=None,
        filter_backends=[],
    )
    def follow_ups(self, request, pk=None):
        problem = self.get_object()
        if request.method == "GET":
            children = self.get_queryset().filter(parent=problem).order_by("deadline", "pk")
            return Response(self.get_serializer(children, many=True).data)
        body = FollowUpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = problem_follow_up(actor=request.user, problem=problem, **body.validated_data)
        return Response(
            self.get_serializer(self.refetch(task)).data, status=status.HTTP_201_CREATED
        )
