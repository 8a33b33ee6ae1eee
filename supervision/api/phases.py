"""Phased-target endpoints of issue 13 that are not nodes: ``indicators/{id}/values/``.

The services (``supervision.phases``) check who may act; these views only parse and answer.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.schema import ErrorSerializer
from config.api.serializers import ModelSerializer
from config.api.viewsets import ApiViewSet
from supervision.loop.models import Indicator
from supervision.phases.indicators import indicator_value_enter
from supervision.phases.models import IndicatorValue


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
