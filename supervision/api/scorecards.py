"""八张报表 (``report-cards/``, ``report-cards/publish/``), their rules (``scoring-rules/``)
and the office's 加分/扣分 (``score-adjustments/``). Shapes: ``supervision.scorecards.cards``."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.permissions import IsSupervisorOrReadOnly
from config.api.schema import ErrorSerializer
from config.api.serializers import ModelSerializer, Serializer
from config.api.viewsets import ApiModelViewSet, ApiViewSet
from core import clock
from supervision.choices import Domain
from supervision.scorecards.adjustments import score_adjustment_create
from supervision.scorecards.cards import report_cards
from supervision.scorecards.choices import Component, Flag, Track
from supervision.scorecards.filters import ScoreAdjustmentFilter
from supervision.scorecards.models import RankingSnapshot, ScoreAdjustment, ScoringRule
from supervision.scorecards.periods import PERIOD_MESSAGE, parse_period
from supervision.scorecards.publish import publish_quarter
from supervision.scorecards.rules import scoring_rule_update

SCORE = {"max_digits": 20, "decimal_places": 2, "allow_null": True}


class PeriodField(serializers.CharField):
    """A quarter, ``2024Q2`` (400 on ``period`` otherwise)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "季度，如 2024Q2")
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return parse_period(super().to_internal_value(data)).label
        except ValueError as exc:
            raise serializers.ValidationError(PERIOD_MESSAGE) from exc


class ReportCardQuerySerializer(Serializer):
    period = PeriodField()
    track = serializers.ChoiceField(choices=Track.choices, required=False)


class PublishSerializer(Serializer):
    period = PeriodField()


class ComponentSerializer(Serializer):
    component = serializers.ChoiceField(choices=Component.choices)
    weight = serializers.IntegerField(help_text="规则中的权重（0 = 该报表不计此项）")
    judged = serializers.IntegerField(allow_null=True, help_text="参评项数（投资为空）")
    met = serializers.IntegerField(allow_null=True, help_text="达标/按期项数（投资为空）")
    value = serializers.DecimalField(help_text="得分 0–100；无可评内容为空", **SCORE)
    counted = serializers.BooleanField(help_text="计入本报表得分（有权重且可评）")


class CardSerializer(Serializer):
    domain = serializers.ChoiceField(choices=Domain.choices)
    weight = serializers.IntegerField(help_text="本报表在总分中的权重")
    base = serializers.DecimalField(help_text="各项按权重的得分；无可评内容为空", **SCORE)
    adjustment = serializers.DecimalField(help_text="本报表加减分合计", **SCORE)
    score = serializers.DecimalField(help_text="得分 = base + adjustment", **SCORE)
    rescaled = serializers.BooleanField(help_text="有不可评的项，已按其余各项折算")
    components = ComponentSerializer(many=True)


class ReportCardRowSerializer(Serializer):
    department = serializers.IntegerField()
    department_code = serializers.CharField()
    department_name = serializers.CharField()
    department_label = serializers.CharField(help_text="简称")
    track = serializers.ChoiceField(choices=Track.choices)
    place = serializers.IntegerField(allow_null=True, help_text="赛道内名次，并列同名次")
    flag = serializers.ChoiceField(choices=[("", "—"), *Flag.choices], help_text="晾晒：前列/后列")
    total = serializers.DecimalField(help_text="总分；无可评报表为空（不排名）", **SCORE)
    adjustment = serializers.DecimalField(help_text="加减分合计", **SCORE)
    investment_completion = serializers.DecimalField(help_text="投资完成率 %", **SCORE)
    time_progress = serializers.DecimalField(help_text="序时进度 %", **SCORE)
    cards = CardSerializer(many=True, help_text="八张报表，按党建…民生")


class RuleDataSerializer(Serializer):
    domain = serializers.ChoiceField(choices=Domain.choices)
    card_weight = serializers.IntegerField()
    indicators_weight = serializers.IntegerField()
    nodes_weight = serializers.IntegerField()
    closure_weight = serializers.IntegerField()
    problems_weight = serializers.IntegerField()
    investment_weight = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)


class QuarterAnswerSerializer(Serializer):
    """What every quarter's answer starts with (report cards, ranking)."""

    period = serializers.CharField()
    published = serializers.BooleanField(help_text="已发布（晾晒）则为发布时的快照")
    published_at = serializers.DateTimeField(allow_null=True)
    published_by = serializers.IntegerField(allow_null=True)
    as_of = serializers.DateField(help_text="评价日期：季度末，或进行中季度的当日")


ROW_FIELDS = (
    "department",
    "department_code",
    "department_name",
    "department_label",
    "track",
    "place",
    "flag",
)


@extend_schema_serializer(many=False)
class ReportCardsSerializer(QuarterAnswerSerializer):
    rules = RuleDataSerializer(many=True, help_text="评分所用规则（已发布季度为发布时的规则）")
    rows = ReportCardRowSerializer(many=True)


CENT = Decimal("0.01")
ZERO_CENTS = "0.00"


def _cents(value) -> str | None:
    """A score as ``ReportCardsSerializer`` writes it (2 decimals), without the serializer."""
    return None if value is None else str(Decimal(value).quantize(CENT))


def _cents_memo():
    """``_cents``, remembering each value's string (a hundred units repeat a few thousand
    scores). Equal numbers give equal strings except 0 and -0, the one pair of equal keys:
    "-0.00" is never kept, and a kept "0.00" is checked for the sign."""
    memo: dict = {}

    def cents(value) -> str | None:
        if value is None:
            return None
        text = memo.get(value)
        if text is None:
            text = _cents(value)
            if text != "-0.00":
                memo[value] = ZERO_CENTS if text == ZERO_CENTS else text
        elif text is ZERO_CENTS and Decimal(value).is_signed():
            text = "-0.00"
        return text

    return cents


def report_cards_json(data: dict) -> dict:
    """``ReportCardsSerializer(data).data`` built directly: the same keys and strings (a
    test holds them equal), at a fraction of the cost of ~4,000 nested serializers per
    hundred units. Keys keep the order they come in (a snapshot's is the database's)."""
    head = QuarterAnswerSerializer(data).data
    cents = _cents_memo()
    rows = []
    for row in data["rows"]:
        cards = [
            {
                **card,
                "base": cents(card["base"]),
                "adjustment": cents(card["adjustment"]),
                "score": cents(card["score"]),
                "components": [{**c, "value": cents(c["value"])} for c in card["components"]],
            }
            for card in row["cards"]
        ]
        rows.append(
            {
                **{key: row[key] for key in ROW_FIELDS},
                "total": cents(row["total"]),
                "adjustment": cents(row["adjustment"]),
                "investment_completion": cents(row["investment_completion"]),
                "time_progress": cents(row["time_progress"]),
                "cards": cards,
            }
        )
    return {**head, "rules": RuleDataSerializer(data["rules"], many=True).data, "rows": rows}


class QuarterViewSet(ApiViewSet):
    """A quarter's computed answer (``list``) and its publication (``publish``, the office)."""

    queryset = RankingSnapshot.objects.none()  # rows are computed or read from one snapshot
    pagination_class = None
    filter_backends = []

    def get_permissions(self):
        if self.action == "publish":
            return [*super().get_permissions(), IsSupervisorOrReadOnly()]
        return super().get_permissions()


class ReportCardViewSet(QuarterViewSet):
    """八张报表: per unit, the eight card scores, total and place in its track."""

    serializer_class = ReportCardsSerializer

    @extend_schema(
        summary="季度八张报表",
        parameters=[ReportCardQuerySerializer],
        responses={200: ReportCardsSerializer, 400: ErrorSerializer},
    )
    def list(self, request):
        query = ReportCardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = report_cards(today=clock.today(), **query.validated_data)
        return Response(report_cards_json(data))

    @extend_schema(
        summary="发布季度八张报表（晾晒）",
        request=PublishSerializer,
        responses={201: ReportCardsSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
    )
    @action(detail=False, methods=["post"])
    def publish(self, request):
        """Freeze a finished quarter (the office; 409 when already published)."""
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        snapshot = publish_quarter(period=body.validated_data["period"], actor=request.user)
        data = report_cards(period=snapshot.period)
        return Response(ReportCardsSerializer(data).data, status=status.HTTP_201_CREATED)


class ScoringRuleSerializer(ModelSerializer):
    class Meta:
        model = ScoringRule
        fields = [
            "id",
            "domain",
            "card_weight",
            "indicators_weight",
            "nodes_weight",
            "closure_weight",
            "problems_weight",
            "investment_weight",
            "note",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = ["id", "domain", "updated_at", "updated_by"]
        extra_kwargs = {
            name: {"min_value": 0, "max_value": 100}
            for name in ("card_weight", *ScoringRule.COMPONENT_FIELDS)
        }


class ScoringRuleViewSet(ApiModelViewSet):
    """评分规则, one per report card (``scoring-rules/{domain}/``); the office edits."""

    queryset = ScoringRule.objects.all()
    serializer_class = ScoringRuleSerializer
    permission_classes = ApiModelViewSet.permission_classes + [IsSupervisorOrReadOnly]
    pagination_class = None
    filter_backends = []
    lookup_field = "domain"
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer):
        return scoring_rule_update(
            actor=self.request.user, rule=serializer.instance, **serializer.validated_data
        )

    services_audit = True  # the service writes the AuditRecord


class ScoreAdjustmentSerializer(ModelSerializer):
    period = PeriodField()
    points = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=-100,
        max_value=100,
        help_text="正数加分，负数扣分（非零）",
    )

    class Meta:
        model = ScoreAdjustment
        fields = [
            "id",
            "department",
            "period",
            "domain",
            "points",
            "reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "created_by", "created_at"]


class ScoreAdjustmentViewSet(ApiModelViewSet):
    """加分/扣分 with reasons (append-only; a wrong entry is countered by another)."""

    queryset = ScoreAdjustment.objects.select_related("department")
    serializer_class = ScoreAdjustmentSerializer
    permission_classes = ApiModelViewSet.permission_classes + [IsSupervisorOrReadOnly]
    filterset_class = ScoreAdjustmentFilter
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        return score_adjustment_create(actor=self.request.user, **serializer.validated_data)

    services_audit = True  # the service writes the AuditRecord
