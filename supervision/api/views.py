from types import SimpleNamespace

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.permissions import IsSupervisorOrReadOnly
from config.api.rows import RowListMixin
from config.api.viewsets import ApiModelViewSet, ApiViewSet
from core import clock
from supervision.api import task_list as rows
from supervision.api.kinds import TaskKindsMixin
from supervision.api.nodes import TaskNodesMixin
from supervision.api.phases import TaskPhasesMixin
from supervision.api.problems import ProblemTaskMixin
from supervision.api.reminders import ReminderSerializer
from supervision.api.serializers import (
    CancelSerializer,
    CommentSerializer,
    ExtensionRequestSerializer,
    IndicatorSerializer,
    ProgressReportSerializer,
    SubmitSerializer,
    TaskEventSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
    UrgeSerializer,
    VerifySerializer,
)
from supervision.files import services as files
from supervision.kinds.selectors import with_kinds
from supervision.loop import services, transitions
from supervision.loop.filters import ExtensionFilter, IndicatorFilter, TaskFilter
from supervision.loop.models import (
    EscalationPolicy,
    ExtensionRequest,
    Indicator,
    ProgressReport,
    Task,
    TaskEvent,
)
from supervision.loop.selectors import task_list
from supervision.phases.indicators import indicator_lights
from supervision.reminders.services import task_urge


class TaskViewSet(
    TaskKindsMixin, TaskPhasesMixin, TaskNodesMixin, ProblemTaskMixin, ApiModelViewSet
):
    """督办事项. ``status`` moves only through the POST actions (409 when not allowed from
    the current status); a draft can be deleted, anything later is cancelled."""

    filterset_class = TaskFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return Task.objects.none()
        if self.action == "list":
            # The rows name their lead unit, leader and project by id only, so no join for
            # them (each join multiplies the planning of the page's ORDER BY … LIMIT); the
            # page is read as plain rows and completed over its ids (``task_list``).
            return Task.objects.all()
        return with_kinds(task_list()).prefetch_related("co_departments", "nodes")

    def list(self, request, *args, **kwargs):
        # ``TaskSerializer``'s page from plain rows (``supervision.api.task_list``); no
        # docstring, which would become the operation's description in the schema.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows.page_queryset(queryset))
        return self.get_paginated_response(rows.page_data(page))

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return TaskUpdateSerializer
        return TaskSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": clock.today()}

    def get_permissions(self):
        if self.action in ("create", "update", "partial_update", "destroy"):
            return [*super().get_permissions(), IsSupervisorOrReadOnly()]
        return super().get_permissions()

    def perform_destroy(self, instance):
        services.task_delete(task=instance, actor=self.request.user)

    services_audit = True  # the task's own log (TaskEvent) is its audit trail

    # --- the closed loop ---------------------------------------------------------------

    def _move(self, request, serializer_class, move, **fixed):
        task = self.get_object()
        body = serializer_class(data=request.data) if serializer_class else None
        if body is not None:
            body.is_valid(raise_exception=True)
        move(task=task, actor=request.user, **fixed, **(body.validated_data if body else {}))
        return Response(self.get_serializer(self.refetch(task)).data)

    @extend_schema(request=CommentSerializer, responses=TaskSerializer, summary="交办")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._move(request, CommentSerializer, transitions.task_assign)

    @extend_schema(request=CommentSerializer, responses=TaskSerializer, summary="签收")
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._move(request, CommentSerializer, transitions.task_accept)

    @extend_schema(request=SubmitSerializer, responses=TaskSerializer, summary="申请办结")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(request, SubmitSerializer, files.task_submit_with_evidence)

    @extend_schema(request=VerifySerializer, responses=TaskSerializer, summary="核验（销号或退回）")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._move(request, VerifySerializer, transitions.task_verify)

    @extend_schema(request=CancelSerializer, responses=TaskSerializer, summary="撤销")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._move(request, CancelSerializer, transitions.task_cancel)

    @extend_schema(
        request=UrgeSerializer, responses={201: ReminderSerializer}, summary="催办（人工）"
    )
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        task = self.get_object()
        body = UrgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reminder = task_urge(task=task, actor=request.user, **body.validated_data)
        return Response(ReminderSerializer(reminder).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProgressReportSerializer,
        responses={201: ProgressReportSerializer},
        summary="反馈进展",
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        task = self.get_object()
        body = ProgressReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = services.progress_report_create(
            task=task, actor=request.user, **body.validated_data
        )
        return Response(ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"], responses=ExtensionRequestSerializer(many=True), summary="延期申请列表"
    )
    @extend_schema(
        methods=["post"],
        request=ExtensionRequestSerializer,
        responses={201: ExtensionRequestSerializer},
        summary="申请延期",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def extensions(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            rows = task.extensions.order_by("created_at", "id")
            return Response(ExtensionRequestSerializer(rows, many=True).data)
        body = ExtensionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        extension = services.extension_request_create(
            task=task, actor=request.user, **body.validated_data
        )
        return Response(ExtensionRequestSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=TaskEventSerializer(many=True), summary="流转记录（按时间先后）")
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, pk=None):
        task = self.get_object()
        rows = TaskEvent.objects.filter(task=task).order_by("created_at", "id")
        return Response(TaskEventSerializer(rows, many=True).data)

    @extend_schema(responses=ProgressReportSerializer(many=True), summary="进展反馈")
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def reports(self, request, pk=None):
        task = self.get_object()
        rows = ProgressReport.objects.filter(task=task).order_by("created_at", "id")
        return Response(ProgressReportSerializer(rows, many=True).data)


class ExtensionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Extension requests; the supervision office approves or rejects."""

    queryset = ExtensionRequest.objects.all()
    serializer_class = ExtensionRequestSerializer
    filterset_class = ExtensionFilter

    def _decide(self, request, decide):
        extension = self.get_object()
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        extension = decide(extension=extension, actor=request.user, **body.validated_data)
        return Response(ExtensionRequestSerializer(extension).data)

    @extend_schema(
        request=CommentSerializer, responses=ExtensionRequestSerializer, summary="批准延期"
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, services.extension_approve)

    @extend_schema(
        request=CommentSerializer, responses=ExtensionRequestSerializer, summary="驳回延期"
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, services.extension_reject)


class IndicatorViewSet(RowListMixin, ApiModelViewSet):
    """预期目标 indicators with their light against 序时; the supervision office edits, the
    responsible unit enters period values (``values/``)."""

    queryset = Indicator.objects.prefetch_related("values")
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    permission_classes = ApiModelViewSet.permission_classes + [IsSupervisorOrReadOnly]
    http_method_names = ["get", "patch", "head", "options"]

    row_given = ("light", "behind")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "policy": EscalationPolicy.current()}

    _rows = None  # the page's ``values_list`` over the whole table, set up once

    def row_queryset(self, fmt):
        # A ``values_list`` over the whole table set up once: the serializer reads no
        # datetime and no many-to-many field, so its columns never change, and setting up a
        # ``values_list`` of its fields was a tenth of a page's CPU.
        if IndicatorViewSet._rows is None:
            if fmt.iso_datetimes or fmt.many:  # columns that vary: RowListMixin's way
                raise TypeError("IndicatorSerializer reads datetimes or many-to-many ids")
            IndicatorViewSet._rows = Indicator.objects.values_list(*fmt.read.values())
        return self.filter_queryset(IndicatorViewSet._rows.all())

    def complete_rows(self, rows):
        # ``IndicatorSerializer.get_light``/``get_behind`` over the page's values (one query).
        page = [SimpleNamespace(pk=row["id"], **row) for row in rows]  # what light_for reads
        lights = indicator_lights(page, policy=EscalationPolicy.current())
        for row in rows:
            light = lights[row["id"]]
            row["light"] = light.light
            row["behind"] = None if light.behind is None else str(light.behind)

    def perform_update(self, serializer):
        indicator, _ = services.indicator_save(
            code=serializer.instance.code, **serializer.validated_data
        )
        return indicator
