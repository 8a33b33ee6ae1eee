"""Nodes (节点) in the API: ``tasks/{id}/nodes/`` (a mixin of ``TaskViewSet``), ``nodes/{id}/``
and ``nodes/{id}/complete/``. Writes go through ``supervision.phases.nodes``, which logs,
audits and notifies."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.fields import staged_attachments
from config.api.permissions import IsSupervisorOrReadOnly
from config.api.serializers import ModelSerializer, Serializer
from config.api.viewsets import ApiModelViewSet, ApiViewSet, ETagMixin
from core.validators import validate_year_range
from supervision.files.services import with_attachments
from supervision.phases import nodes as services
from supervision.phases.filters import NodeFilter
from supervision.phases.models import Node
from supervision.phases.selectors import node_list

VALUE = {"max_digits": 16, "decimal_places": 4, "allow_null": True, "required": False}


class NodeSerializer(ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True, help_text="已审定、未完成且已过计划日期")
    target_value = serializers.DecimalField(min_value=0, **VALUE)
    sequence = serializers.IntegerField(
        min_value=1, max_value=999, required=False, help_text="不填则排在最后"
    )

    class Meta:
        model = Node
        fields = [
            "id",
            "task",
            "sequence",
            "title",
            "due_date",
            "target_value",
            "target_text",
            "status",
            "completed_on",
            "value",
            "note",
            "is_overdue",
            "assumed",
            "completed_by",
            "updated_at",
        ]
        read_only_fields = [
            "task",
            "status",
            "completed_on",
            "value",
            "note",
            "assumed",
            "completed_by",
            "updated_at",
        ]
        extra_kwargs = {"due_date": {"validators": [validate_year_range]}}
        validators = []  # the service validates the whole node (unique sequence included)


class NodeApproveSerializer(Serializer):
    nodes = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=100,
        help_text="要审定的节点编号；不填则审定全部待审定节点",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class NodeCompleteSerializer(Serializer):
    completed_on = serializers.DateField(help_text="实际完成日期")
    value = serializers.DecimalField(
        min_value=0, help_text="累计完成值（有累计目标值的节点必填）", **VALUE
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, default="", help_text="完成情况"
    )
    attachments = staged_attachments("本人先行上传（未绑定）的佐证材料编号，随完成登记绑定")


class TaskNodesMixin:
    """``tasks/{id}/nodes/``: the task's nodes; the office sets, the lead unit proposes."""

    @extend_schema(methods=["get"], responses=NodeSerializer(many=True), summary="阶段节点列表")
    @extend_schema(
        methods=["post"],
        request=NodeSerializer,
        responses={201: NodeSerializer},
        summary="设定节点（督查办）或提出分解计划（牵头单位签收后）",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def nodes(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            rows = node_list().filter(task=task).order_by("sequence")
            return Response(NodeSerializer(rows, many=True).data)
        body = NodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        node = services.node_create(actor=request.user, task=task, **body.validated_data)
        return Response(
            NodeSerializer(node_list().get(pk=node.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=NodeApproveSerializer,
        responses=NodeSerializer(many=True),
        summary="审定分解计划（督查办）",
    )
    @action(detail=True, methods=["post"], url_path="nodes/approve", filter_backends=[])
    def approve_nodes(self, request, pk=None):
        task = self.get_object()
        body = NodeApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = services.nodes_approve(actor=request.user, task=task, **body.validated_data)
        rows = node_list().filter(pk__in=[n.pk for n in rows]).order_by("sequence")
        return Response(NodeSerializer(rows, many=True).data)


class NodeViewSet(ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """阶段节点: the office edits or deletes; the lead unit completes (``complete/``).
    Nodes are created under their task (``tasks/{id}/nodes/``)."""

    serializer_class = NodeSerializer
    filterset_class = NodeFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # PATCH with If-Match and DELETE as every model resource does (ETag, lock, 412).
    update = ApiModelViewSet.update
    partial_update = ApiModelViewSet.partial_update
    destroy = ApiModelViewSet.destroy
    refetch = ApiModelViewSet.refetch

    def get_queryset(self):
        return node_list()

    def get_permissions(self):
        if self.action in ("update", "partial_update", "destroy"):
            return [*super().get_permissions(), IsSupervisorOrReadOnly()]
        return super().get_permissions()

    # The services write the audit records (and the task's log).
    def audit(self, action, instance, before, after):
        return None

    def perform_update(self, serializer):
        return services.node_update(
            actor=self.request.user, node=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.node_delete(actor=self.request.user, node=instance)

    @extend_schema(
        request=NodeCompleteSerializer, responses=NodeSerializer, summary="登记节点完成（牵头单位）"
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        node = self.get_object()
        body = NodeCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        ids = data.pop("attachments")
        node = with_attachments(
            lambda: services.node_complete(actor=request.user, node=node, **data),
            actor=request.user,
            ids=ids,
            target_type="node",
        )
        return Response(NodeSerializer(self.refetch(node)).data)
