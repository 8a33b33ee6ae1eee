"""激励 and 问责: ``interventions/`` (list, record, ``proposals/``, ``{id}/bundle/``) and
``exports/interventions.xlsx``. Rules: ``supervision.scorecards.interventions``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Department
from config.api.permissions import IsSupervisorOrReadOnly
from config.api.schema import ErrorSerializer
from config.api.serializers import ModelSerializer, Serializer
from config.api.viewsets import ApiModelViewSet
from supervision.api.excel import _DISPOSITION, _XLSX_BODY, _ExcelViewSet, _spooled, xlsx_response
from supervision.api.files import FILE_ACTION
from supervision.api.scorecards import PeriodField
from supervision.excel import XLSX
from supervision.excel.interventions import export_interventions
from supervision.files import delivery
from supervision.files.selectors import sees_everything
from supervision.loop.models import Task
from supervision.scorecards.choices import InterventionType
from supervision.scorecards.filters import InterventionFilter
from supervision.scorecards.interventions import (
    intervention_create,
    interview_proposals,
    referral_bundle,
)
from supervision.scorecards.models import Intervention

TEXT = {"max_length": 2000, "allow_blank": True, "required": False, "default": ""}


class InterventionSerializer(ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    task = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.all(), required=False, allow_null=True, default=None
    )
    period = PeriodField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(max_length=4000, help_text="事由/摘要")
    participants = serializers.CharField(help_text="参加人员（约谈必填）", **TEXT)
    outcome = serializers.CharField(help_text="约谈结果（约谈必填）", **TEXT)
    department_label = serializers.SerializerMethodField()
    bundle_url = serializers.SerializerMethodField()
    issue_document = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="通报表扬/批评：同时印发同类公文（documents/，编号、DOCX/PDF）",
    )

    class Meta:
        model = Intervention
        fields = [
            "id",
            "type",
            "department",
            "department_label",
            "task",
            "period",
            "occurred_on",
            "summary",
            "participants",
            "outcome",
            "created_by",
            "created_at",
            "bundle_url",
            "document",
            "issue_document",
        ]
        read_only_fields = ["id", "created_by", "created_at", "document"]

    def get_department_label(self, obj) -> str:
        return obj.department.short_name or obj.department.name

    def get_bundle_url(self, obj) -> str | None:
        """问责移送: the task's log and evidence as one zip."""
        if obj.type != InterventionType.REFERRAL:
            return None
        return f"/api/v1/interventions/{obj.pk}/bundle/"


class ProposalQuerySerializer(Serializer):
    period = PeriodField()


class InterviewProposalSerializer(Serializer):
    department = serializers.IntegerField()
    department_code = serializers.CharField()
    department_label = serializers.CharField()
    period = serializers.CharField()
    notices = serializers.IntegerField(help_text="本季度被通报次数")
    threshold = serializers.IntegerField(help_text="提议约谈的通报次数（提醒策略）")


class InterventionViewSet(ApiModelViewSet):
    """通报表扬/批评, 约谈, 问责移送, 最佳实践 (append-only; the office records)."""

    queryset = Intervention.objects.select_related("department", "task", "created_by")
    serializer_class = InterventionSerializer
    filterset_class = InterventionFilter
    permission_classes = ApiModelViewSet.permission_classes + [IsSupervisorOrReadOnly]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        return intervention_create(actor=self.request.user, **serializer.validated_data)

    services_audit = True  # the service writes the AuditRecord

    @extend_schema(
        summary="系统提议的约谈（本季度通报达到次数的单位）",
        parameters=[ProposalQuerySerializer],
        responses={200: InterviewProposalSerializer(many=True), 400: ErrorSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def proposals(self, request):
        query = ProposalQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = interview_proposals(query.validated_data["period"])
        return Response(InterviewProposalSerializer(rows, many=True).data)

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="办理记录与佐证材料（zip）"
            ),
            404: ErrorSerializer,
        },
        summary="问责移送材料包（zip）",
    )
    @action(**FILE_ACTION)
    def bundle(self, request, pk=None):
        intervention = self.get_object()
        if intervention.type != InterventionType.REFERRAL:
            raise exceptions.NotFound("只有问责移送有材料包。")
        user = request.user
        if not (sees_everything(user) or user.department_id == intervention.department_id):
            raise exceptions.NotFound()  # another unit's evidence: as for its attachments
        data, name = referral_bundle(intervention)
        return delivery.send_bytes(data, filename=name, content_type="application/zip")


class InterventionExportViewSet(_ExcelViewSet):
    """激励问责台账 as a print-ready .xlsx: the rows ``interventions/`` lists with the same
    filters, search and ordering (unpaginated)."""

    queryset = Intervention.objects.select_related("department", "task", "created_by")
    filterset_class = InterventionFilter

    @extend_schema(
        operation_id="exports_interventions_xlsx",
        summary="导出激励问责台账（Excel）",
        filters=True,
        parameters=[_DISPOSITION],
        responses={(200, XLSX): _XLSX_BODY, 400: ErrorSerializer},
    )
    def export(self, request):
        rows = self.filter_queryset(self.get_queryset())
        out = _spooled()
        export_interventions(rows, out=out)
        day = self.today
        return xlsx_response(out, f"激励问责台账-{day}.xlsx", f"interventions-{day}.xlsx")
