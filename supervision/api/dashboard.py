"""``dashboard/`` (the cockpit's figures) and ``rankings/`` (赛马比拼 by quarter).

Both read for every signed-in user. The shapes come from ``supervision.dashboard`` and
``supervision.rankings``; the serializers here only describe and render them (decimals as
strings, dates ISO).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.schema import ErrorSerializer
from config.api.serializers import Serializer
from config.api.viewsets import ApiViewSet
from core import clock
from projects.choices import Light
from projects.money import MONEY_TOTAL as MONEY
from supervision.api.scorecards import PeriodField, QuarterAnswerSerializer, QuarterViewSet
from supervision.cache import cached
from supervision.choices import ReminderLevel, TaskStatus
from supervision.loop.models import Task
from supervision.scorecards.choices import Flag, Track
from supervision.scorecards.dashboard import LIST_LIMIT, dashboard_summary
from supervision.scorecards.publish import publish_ranking
from supervision.scorecards.rankings import (
    ranking,
    snapshot_data,
)

PCT = {"max_digits": 20, "decimal_places": 2, "allow_null": True}

# --- dashboard ---------------------------------------------------------------------------


class DashboardLightCountsSerializer(Serializer):
    green = serializers.IntegerField()
    yellow = serializers.IntegerField()
    red = serializers.IntegerField()


class DashboardStatusCountsSerializer(Serializer):
    """Tasks per status, every status present (zeros included)."""

    draft = serializers.IntegerField()
    assigned = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    submitted = serializers.IntegerField()
    closed = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class DashboardOverdueTaskSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    lead_department = serializers.CharField(help_text="牵头单位名称")
    deadline = serializers.DateField()
    overdue_days = serializers.IntegerField(help_text="逾期工作日数")
    status = serializers.ChoiceField(choices=TaskStatus.choices)


class DashboardEscalationSerializer(Serializer):
    id = serializers.IntegerField()
    level = serializers.ChoiceField(choices=ReminderLevel.choices)
    task = serializers.IntegerField(allow_null=True)
    milestone = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    department = serializers.CharField(help_text="被提醒单位名称")
    deadline = serializers.DateField()
    sent_at = serializers.DateTimeField()


class DashboardUpcomingTaskSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    lead_department = serializers.CharField(help_text="牵头单位名称")
    deadline = serializers.DateField()


class DashboardKeyWorkSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    annual_plan_investment = serializers.DecimalField(**MONEY)
    completed_investment = serializers.DecimalField(**MONEY)
    completion_rate = serializers.DecimalField(**PCT)
    time_progress = serializers.DecimalField(**PCT)
    light = serializers.ChoiceField(choices=Light.choices)


class DashboardInvestmentSerializer(Serializer):
    annual_plan = serializers.DecimalField(help_text="年度计划投资合计（万元）", **MONEY)
    completed = serializers.DecimalField(
        help_text="有年度计划的项目已完成投资合计（万元）", **MONEY
    )
    completion_rate = serializers.DecimalField(help_text="完成率 %，无计划时为空", **PCT)
    time_progress = serializers.DecimalField(help_text="序时进度 %", **PCT)
    unplanned_completed = serializers.DecimalField(
        help_text="无年度计划的项目已完成投资合计（万元，不计入完成率）", **MONEY
    )
    unplanned_projects = serializers.IntegerField(help_text="有投资但无年度计划的项目数")


@extend_schema_serializer(many=False)  # ``list`` answers one object, not an array
class DashboardSerializer(Serializer):
    today = serializers.DateField()
    tasks_by_status = DashboardStatusCountsSerializer()
    tasks_by_light = DashboardLightCountsSerializer(help_text="未办结事项按灯色")
    projects_by_light = DashboardLightCountsSerializer(help_text="本年度未归档项目按灯色")
    tasks_overdue = serializers.IntegerField(
        help_text="逾期的未办结事项数（办理时限或已审定节点逾期至少一个工作日）"
    )
    tasks_behind = serializers.IntegerField(help_text="最新值落后序时目标的未办结事项数")
    overdue_tasks = DashboardOverdueTaskSerializer(many=True, help_text="逾期最久的前 20 项")
    unacknowledged_escalations = DashboardEscalationSerializer(
        many=True, help_text="未签收的督办/通报"
    )
    upcoming = DashboardUpcomingTaskSerializer(many=True, help_text="本周内到期的未办结事项")
    key_works = DashboardKeyWorkSerializer(
        many=True,
        help_text=f"本年度十项重点工程，至多 {LIST_LIMIT} 项：全部不超过 {LIST_LIMIT} 项时按编码"
        f"列出；超过时列出需关注的前 {LIST_LIMIT} 项（红灯、黄灯、绿灯依次，同灯色按编码）",
    )
    key_works_total = serializers.IntegerField(help_text="本年度未归档重点工程总数")
    key_works_by_light = DashboardLightCountsSerializer(help_text="本年度未归档重点工程按灯色")
    investment = DashboardInvestmentSerializer(help_text="本年度项目投资与序时进度")


class DashboardViewSet(ApiViewSet):
    """督查驾驶舱: counts by status and light, overdue, upcoming, escalations, investment."""

    queryset = Task.objects.none()  # the answer is an aggregate; this only names the model
    serializer_class = DashboardSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(summary="驾驶舱汇总")
    def list(self, request):
        today = clock.today()
        # Kept as written, under the same data version as the summary (writing it field by
        # field cost more than computing the summary while the key works were listed in
        # full; they are capped at LIST_LIMIT now, as the other lists).
        return Response(
            cached(
                "dashboard-api",
                today,
                compute=lambda: DashboardSerializer(dashboard_summary(today=today)).data,
            )
        )


# --- rankings ----------------------------------------------------------------------------


class RankingPeriodSerializer(Serializer):
    period = PeriodField()


class RankingRowSerializer(Serializer):
    """One unit: its report-card total and place (as ``report-cards/``) and working figures.

    Since the report cards (issue 15): ``score`` is the report-card total (八张报表总分, with
    加分/扣分) and ``rank`` the place within the unit's ``track`` (ties share a place);
    the supervision office and units with nothing assigned are not listed."""

    rank = serializers.IntegerField(
        allow_null=True, help_text="赛道内名次（八张报表总分，并列同名次）；无可评内容时为空"
    )
    score = serializers.DecimalField(help_text="八张报表总分（含加减分）", **PCT)
    track = serializers.ChoiceField(choices=Track.choices, help_text="赛道")
    flag = serializers.ChoiceField(choices=[("", "—"), *Flag.choices], help_text="晾晒：前列/后列")
    department = serializers.IntegerField()
    department_code = serializers.CharField()
    department_name = serializers.CharField()
    department_label = serializers.CharField(help_text="简称")
    tasks_due = serializers.IntegerField(help_text="本季度到期事项（不含草稿、已撤销）")
    on_time = serializers.IntegerField(help_text="按期销号")
    overdue = serializers.IntegerField(help_text="逾期（逾期销号或到期未办结）")
    closed = serializers.IntegerField(help_text="本季度内销号")
    closure_rate = serializers.DecimalField(help_text="按期办结率 %（已到期的事项中）", **PCT)
    avg_overdue_days = serializers.DecimalField(help_text="平均逾期工作日", **PCT)
    reports_due = serializers.IntegerField(help_text="应报送进展次数")
    reports_on_time = serializers.IntegerField(help_text="按期报送次数")
    report_punctuality = serializers.DecimalField(help_text="报送及时率 %", **PCT)
    annual_plan_investment = serializers.DecimalField(allow_null=True, **MONEY)
    completed_investment = serializers.DecimalField(allow_null=True, **MONEY)
    investment_completion = serializers.DecimalField(help_text="投资完成率 %", **PCT)
    time_progress = serializers.DecimalField(help_text="序时进度 %", **PCT)
    investment_gap = serializers.DecimalField(help_text="完成率 − 序时进度", **PCT)


@extend_schema_serializer(many=False)
class RankingSerializer(QuarterAnswerSerializer):
    rows = RankingRowSerializer(many=True)


class RankingViewSet(QuarterViewSet):
    """赛马比拼: each unit's report-card total and place with its working figures; once
    published, the frozen snapshot."""

    serializer_class = RankingSerializer

    @extend_schema(
        summary="季度单位排名",
        parameters=[
            OpenApiParameter(
                "period", str, OpenApiParameter.QUERY, required=True, description="季度，如 2024Q1"
            )
        ],
        responses={200: RankingSerializer, 400: ErrorSerializer},
    )
    def list(self, request):
        query = RankingPeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = ranking(period=query.validated_data["period"], today=clock.today())
        return Response(RankingSerializer(data).data)

    @extend_schema(
        summary="发布季度排名（晾晒）",
        request=RankingPeriodSerializer,
        responses={201: RankingSerializer},
    )
    @action(detail=False, methods=["post"])
    def publish(self, request):
        """Freeze a finished quarter's ranking (supervision office; 409 when already published)."""
        body = RankingPeriodSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        snapshot = publish_ranking(period=body.validated_data["period"], actor=request.user)
        return Response(
            RankingSerializer(snapshot_data(snapshot)).data, status=status.HTTP_201_CREATED
        )
