"""The kinds' endpoints: ``tasks/{id}/instructions/``, ``reply/``, ``satisfaction/`` (a mixin
of ``TaskViewSet``) and ``proposals/stats/``."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.schema import ErrorSerializer
from config.api.viewsets import ApiViewSet
from core import clock
from supervision.api.kinds_serializers import (
    InstructionSerializer,
    ProposalStatsQuerySerializer,
    ProposalStatsSerializer,
    ReplySerializer,
    SatisfactionSerializer,
)
from supervision.api.serializers import TaskSerializer
from supervision.files import services as files
from supervision.kinds import instructions, proposals, services
from supervision.kinds.selectors import task_instructions
from supervision.kinds.stats import proposal_stats
from supervision.loop.models import Task


def kind_details(data: dict) -> tuple[dict, list | None]:
    """Split a task body's nested kind objects off ``data`` (in place) for the services:
    ``(details by kind, the proposals to merge into this one)``."""
    details = {}
    for name, key in (
        ("instruction", "instruction"),
        ("meeting", "meeting_item"),
        ("proposal", "proposal"),
        ("problem", "problem"),
    ):
        if key in data:
            details[name] = data.pop(key)
    proposal = details.get("proposal") or {}
    merged_with = proposal.pop("merged_with", None)
    return details, merged_with


class TaskKindsMixin:
    """Kind-specific actions on ``tasks/{id}/`` (the loop's own actions are in ``TaskViewSet``)."""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        details, merged_with = kind_details(data)
        return services.task_file(
            actor=self.request.user, details=details, merged_with=merged_with or (), **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        details, merged_with = kind_details(data)
        return services.task_revise(
            task=serializer.instance,
            actor=self.request.user,
            details=details,
            merged_with=merged_with,
            **data,
        )

    @extend_schema(
        methods=["get"],
        responses=InstructionSerializer(many=True),
        summary="领导批示（按时间先后）",
    )
    @extend_schema(
        methods=["post"],
        request=InstructionSerializer,
        responses={201: InstructionSerializer},
        summary="领导批示（区领导；督查办代录）",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def instructions(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            rows = task_instructions(task)
            return Response(InstructionSerializer(rows, many=True).data)
        body = InstructionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        instruction = instructions.task_instruct(
            task=task, actor=request.user, **body.validated_data
        )
        return Response(InstructionSerializer(instruction).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReplySerializer,
        responses={200: TaskSerializer, 400: ErrorSerializer},
        summary="答复代表/委员（主办单位）",
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        task = self.get_object()
        body = ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        ids = data.pop("attachments")
        files.with_attachments(  # the reply letter (答复函): bound in the reply's transaction
            lambda: proposals.proposal_reply(task=task, actor=request.user, **data),
            actor=request.user,
            ids=ids,
            target_type="proposal_reply",
        )
        return Response(self.get_serializer(self.refetch(task)).data)

    @extend_schema(
        request=SatisfactionSerializer,
        responses={200: TaskSerializer, 400: ErrorSerializer},
        summary="登记代表/委员满意度（督查办；不满意则二次办理）",
    )
    @action(detail=True, methods=["post"])
    def satisfaction(self, request, pk=None):
        task = self.get_object()
        body = SatisfactionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposals.proposal_satisfaction(task=task, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.refetch(task)).data)


class ProposalViewSet(ApiViewSet):
    """人大建议 / 政协提案: the 四率 per 主办 unit and overall."""

    queryset = Task.objects.filter(Q(source="npc") | Q(source="cppcc"))
    serializer_class = ProposalStatsSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="建议提案办理“四率”",
        parameters=[ProposalStatsQuerySerializer],
        responses={200: ProposalStatsSerializer, 400: ErrorSerializer},
    )
    @action(detail=False, methods=["get"])
    def stats(self, request):
        query = ProposalStatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = proposal_stats(today=clock.today(), **query.validated_data)
        data = {
            **result["overall"].as_dict(),
            "by_department": [
                {"department": pk, "department_name": name, **figures.as_dict()}
                for pk, name, figures in result["by_department"]
            ],
        }
        return Response(ProposalStatsSerializer(data).data)
