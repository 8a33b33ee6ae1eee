from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.permissions import IsSupervisorOrReadOnly
from config.api.rows import RowListMixin
from config.api.viewsets import ApiModelViewSet
from projects.api import list_rows
from projects.api.serializers import (
    InvestmentReportSerializer,
    InvestmentReportUpdateSerializer,
    MilestoneCompleteSerializer,
    MilestoneSerializer,
    ProjectSerializer,
)
from projects.filters import InvestmentReportFilter, MilestoneFilter, ProjectFilter
from projects.selectors import investment_report_list, milestone_list, project_list
from projects.services import (
    investment_report_correct,
    investment_report_create,
    milestone_complete,
    milestone_create,
    milestone_update,
    project_create,
    project_delete,
    project_update,
)


class ProjectViewSet(RowListMixin, ApiModelViewSet):
    """重点项目 with derived figures (completed investment, 序时进度, light).

    The supervision office writes; owners of the lead department may PATCH ``stage`` and
    ``description``. A project anything refers to cannot be deleted (409): archive it.
    """

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    services_audit = True
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return project_list().prefetch_related("co_departments")

    def list(self, request, *args, **kwargs):
        # The page's ids, then its rows by one prepared statement (``list_rows``, whose SQL
        # is PostgreSQL's; elsewhere — ``make run``'s SQLite — ``RowListMixin``'s rows).
        if not list_rows.supported():
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(list_rows.ids_queryset(request.query_params))
        ids = queryset.values_list("pk", flat=True)
        page = self.paginate_queryset(ids)
        data = list_rows.page_data(list(ids if page is None else page))
        return Response(data) if page is None else self.get_paginated_response(data)

    def get_permissions(self):
        if self.action in ("create", "destroy"):
            return [*super().get_permissions(), IsSupervisorOrReadOnly()]
        return super().get_permissions()

    def perform_create(self, serializer):
        return project_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        return project_update(
            actor=self.request.user, project=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        project_delete(actor=self.request.user, project=instance)


class MilestoneViewSet(RowListMixin, ApiModelViewSet):
    """Project milestones; the supervision office and the lead department write."""

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    services_audit = True
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return milestone_list()

    def perform_create(self, serializer):
        return milestone_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        return milestone_update(
            actor=self.request.user, milestone=serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=MilestoneCompleteSerializer, responses=MilestoneSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """节点完成：填写完成日期和佐证说明。"""
        milestone = self.get_object()
        body = MilestoneCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        milestone = milestone_complete(
            actor=request.user, milestone=milestone, **body.validated_data
        )
        return Response(self.get_serializer(self.refetch(milestone)).data)


@extend_schema_view(
    partial_update=extend_schema(
        summary="更正月度投资",
        description="更正一个月的投资额（或说明）。必须填写 reason（更正理由），缺少或为空时返回"
        " 400；更正前的数值、说明与理由记入该填报的更正记录（驾驶舱项目页可见）。",
    )
)
class InvestmentReportViewSet(RowListMixin, ApiModelViewSet):
    """Monthly investment, one per project and month (``period`` is ``YYYY-MM``)."""

    filterset_class = InvestmentReportFilter
    services_audit = True
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return investment_report_list()

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return InvestmentReportUpdateSerializer
        return InvestmentReportSerializer

    def perform_create(self, serializer):
        return investment_report_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        report = serializer.instance
        data = serializer.validated_data
        return investment_report_correct(
            actor=self.request.user,
            report=report,
            amount=data.get("amount", report.amount),
            note=data.get("note"),
            reason=data["reason"],
        )
