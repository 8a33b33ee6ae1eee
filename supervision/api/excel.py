"""Excel endpoints: the 督办台账 / 项目投资表 exports and the 交办清单 import (API.md).

``GET exports/tasks.xlsx`` and ``GET exports/projects.xlsx`` take the same filters as
``tasks/`` and ``projects/`` (the same FilterSet, which owns search and ordering, on the same
selectors), so
the sheet holds exactly the rows the list shows. ``POST imports/tasks/`` (supervision
office): ``?dry_run=1`` only checks; otherwise all rows or none are created as drafts, and
``?assign=1`` also 交办 each. ``GET imports/tasks/template.xlsx`` is the blank form.

Errors are the API's JSON (the xlsx is only ever the 200 body): the views render JSON
whatever ``Accept`` says, so a client asking for the spreadsheet still reads a 400 as JSON.
"""

import tempfile
from urllib.parse import quote

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.api.permissions import IsSupervisorOrReadOnly
from config.api.schema import ErrorSerializer
from config.api.serializers import Serializer
from config.api.viewsets import ApiViewSet
from core import clock
from projects.filters import ProjectFilter
from projects.models import Project
from projects.selectors import project_list
from supervision import excel
from supervision.api.kinds_serializers import ProposalStatsQuerySerializer
from supervision.excel.indicators import export_indicators
from supervision.excel.proposals import export_proposal_ledger
from supervision.loop.filters import TaskFilter
from supervision.loop.models import Indicator, Task
from supervision.loop.selectors import task_list

SPOOL_BYTES = 4 * 1024 * 1024  # a bigger workbook goes to a temporary file on disk


class JsonErrorsNegotiation(DefaultContentNegotiation):
    """Ignore ``Accept``: the success body is a file response, every error is JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def xlsx_response(out, filename: str, ascii_filename: str) -> FileResponse:
    """Stream the workbook in ``out`` as a download named ``filename`` (RFC 5987)."""
    out.seek(0)
    response = FileResponse(out, content_type=excel.XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _spooled():
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 — FileResponse closes it


_XLSX_BODY = OpenApiResponse(OpenApiTypes.BINARY, description="Excel 工作簿（.xlsx）")
_DISPOSITION = OpenApiParameter(
    "Content-Disposition",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description="`attachment; filename=\"…\"; filename*=UTF-8''…`（中文文件名）",
)


class _ExcelViewSet(ApiViewSet):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        self.today = clock.today()  # one day for the selector, the sheet and its name
        super().initial(request, *args, **kwargs)


class TaskExportViewSet(_ExcelViewSet):
    """督办台账 as a print-ready .xlsx: the rows ``GET tasks/`` lists with the same filters,
    search and ordering (unpaginated). An unknown filter value is a 400 (JSON)."""

    filterset_class = TaskFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return Task.objects.none()
        return task_list(today=self.today).select_related("indicator")

    @extend_schema(
        operation_id="exports_tasks_xlsx",
        summary="导出督办台账（Excel）",
        filters=True,
        parameters=[_DISPOSITION],
        responses={(200, excel.XLSX): _XLSX_BODY, 400: ErrorSerializer},
    )
    def export(self, request):
        tasks = self.filter_queryset(self.get_queryset())
        out = _spooled()
        excel.export_tasks(tasks, today=self.today, out=out)
        return xlsx_response(out, f"督办台账-{self.today}.xlsx", f"tasks-{self.today}.xlsx")


class ProjectExportViewSet(_ExcelViewSet):
    """重点项目投资完成情况表 as a print-ready .xlsx: the rows ``GET projects/`` lists with
    the same filters, search and ordering (unpaginated), plus a 合计 row."""

    filterset_class = ProjectFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return project_list(today=self.today)

    @extend_schema(
        operation_id="exports_projects_xlsx",
        summary="导出重点项目投资表（Excel）",
        filters=True,
        parameters=[_DISPOSITION],
        responses={(200, excel.XLSX): _XLSX_BODY, 400: ErrorSerializer},
    )
    def export(self, request):
        projects = self.filter_queryset(self.get_queryset())
        out = _spooled()
        excel.export_projects(projects, today=self.today, out=out)
        name = f"重点项目投资表-{self.today}.xlsx"
        return xlsx_response(out, name, f"projects-{self.today}.xlsx")


class IndicatorExportQuerySerializer(Serializer):
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="年度，默认今年"
    )


class IndicatorExportViewSet(_ExcelViewSet):
    """指标分期表 as a print-ready .xlsx: each indicator of the year with its monthly and
    quarterly values, the 序时 target of its latest period and its light."""

    queryset = Indicator.objects.all()

    @extend_schema(
        operation_id="exports_indicators_xlsx",
        summary="导出预期指标分期表（Excel）",
        parameters=[IndicatorExportQuerySerializer, _DISPOSITION],
        responses={(200, excel.XLSX): _XLSX_BODY, 400: ErrorSerializer},
    )
    def export(self, request):
        query = IndicatorExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or self.today.year
        indicators = Indicator.objects.filter(year=year).order_by("code")
        out = _spooled()
        export_indicators(indicators, year=year, today=self.today, out=out)
        name = f"预期指标分期表-{year}-{self.today}.xlsx"
        return xlsx_response(out, name, f"indicators-{year}-{self.today}.xlsx")


class ProposalExportViewSet(_ExcelViewSet):
    """建议提案办理台账 as a print-ready .xlsx: every 人大建议 / 政协提案 (not cancelled) with
    its units, reply, 见面沟通 and satisfaction, the 四率 under it; the filters of
    ``proposals/stats/``."""

    queryset = Task.objects.none()  # the ledger reads its own rows (supervision.kinds.stats)

    @extend_schema(
        operation_id="exports_proposals_xlsx",
        summary="导出建议提案办理台账（Excel）",
        parameters=[ProposalStatsQuerySerializer, _DISPOSITION],
        responses={(200, excel.XLSX): _XLSX_BODY, 400: ErrorSerializer},
    )
    def export(self, request):
        query = ProposalStatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        out = _spooled()
        export_proposal_ledger(today=self.today, out=out, **query.validated_data)
        name = f"建议提案办理台账-{self.today}.xlsx"
        return xlsx_response(out, name, f"proposals-{self.today}.xlsx")


# --- import ------------------------------------------------------------------------------


class TaskImportQuerySerializer(Serializer):
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="只检查、不导入：200，列出每一行的错误"
    )
    assign = serializers.BooleanField(
        required=False,
        default=False,
        help_text="导入后立即交办每一项（draft → assigned，通知牵头单位）；默认只建草稿",
    )


class TaskImportUploadSerializer(Serializer):
    file = serializers.FileField(
        help_text=f"交办清单 .xlsx（≤ 10 MB，≤ {excel.MAX_ROWS} 行），列见模板 template.xlsx"
    )


class RowErrorSerializer(Serializer):
    row = serializers.IntegerField(help_text="Excel 行号")
    field = serializers.CharField(help_text="列名，如“办理时限”")
    message = serializers.CharField()


class TaskImportCheckSerializer(Serializer):
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField(help_text="数据行数（空行不计）")
    valid = serializers.IntegerField(help_text="没有错误的行数")
    errors = RowErrorSerializer(many=True)


class TaskImportRefusedSerializer(TaskImportCheckSerializer):
    code = serializers.CharField(help_text="import_invalid")
    message = serializers.CharField()


class TaskImportCreatedSerializer(Serializer):
    created = serializers.IntegerField()
    codes = serializers.ListField(child=serializers.CharField())


class TaskImportViewSet(_ExcelViewSet):
    """交办清单 import (supervision office) and its template."""

    permission_classes = [*ApiViewSet.permission_classes, IsSupervisorOrReadOnly]
    parser_classes = [MultiPartParser]
    serializer_class = TaskImportUploadSerializer  # what OPTIONS describes

    @extend_schema(
        operation_id="imports_tasks_create",
        summary="导入交办清单（Excel）",
        description=(
            "Reads the first sheet of an .xlsx 交办清单 (header row by column name, any order; "
            "see `template.xlsx`). Every row is checked and every error listed as "
            "`{row, field, message}`. `?dry_run=1` → 200 with the check, nothing created. "
            "Otherwise any error → 400 with the same list and nothing created; else all rows "
            "are created as drafts in one transaction (each with its CREATE event) → 201; "
            "`?assign=1` also 交办 each. A file that is not a readable .xlsx, over 10 MB, "
            f"over {excel.MAX_ROWS} rows or missing a required column → 400 on `file`."
        ),
        parameters=[TaskImportQuerySerializer],
        request={"multipart/form-data": TaskImportUploadSerializer},
        responses={
            200: OpenApiResponse(TaskImportCheckSerializer, description="dry run: the check"),
            201: TaskImportCreatedSerializer,
            400: PolymorphicProxySerializer(
                component_name="TaskImportError",
                serializers=[TaskImportRefusedSerializer, ErrorSerializer],
                resource_type_field_name=None,
            ),
            415: OpenApiResponse(ErrorSerializer, description="Not multipart/form-data"),
        },
    )
    def create(self, request):
        query = TaskImportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = TaskImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        check = excel.check_rows(excel.read_sheet(body.validated_data["file"]))
        if query.validated_data["dry_run"]:
            return Response(self._report(check, dry_run=True))
        if not check.errors:
            try:
                tasks = excel.tasks_import(
                    actor=request.user, rows=check.valid, assign=query.validated_data["assign"]
                )
            except excel.ImportRejected as rejected:
                refused = {error.row for error in rejected.errors}
                check.valid = [row for row in check.valid if row.row not in refused]
                check.errors = rejected.errors
            else:
                data = {"created": len(tasks), "codes": [task.code for task in tasks]}
                return Response(data, status=status.HTTP_201_CREATED)
        message = f"交办清单有 {len(check.errors)} 处错误，未导入任何事项。"
        return Response(
            {"code": "import_invalid", "message": message, **self._report(check, dry_run=False)},
            status=status.HTTP_400_BAD_REQUEST,
        )

    @staticmethod
    def _report(check: excel.ImportCheck, *, dry_run: bool) -> dict:
        return {
            "dry_run": dry_run,
            "rows": check.rows,
            "valid": len(check.valid),
            "errors": check.errors_json(),
        }

    @extend_schema(
        operation_id="imports_tasks_template_xlsx",
        summary="下载交办清单模板（Excel）",
        description="The 交办清单 header, one example row, and a 说明 sheet listing the allowed "
        "来源/报表类别/优先级/报送频次 labels and the departments' codes and names.",
        parameters=[_DISPOSITION],
        responses={(200, excel.XLSX): _XLSX_BODY},
    )
    def template(self, request):
        out = _spooled()
        excel.write_template(out, today=self.today)
        return xlsx_response(out, "交办清单模板.xlsx", "task-import-template.xlsx")
