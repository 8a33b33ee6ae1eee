"""``search/?q=``: the global search of the cockpit's header box, as JSON."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from config.api.schema import ErrorSerializer
from config.api.serializers import Serializer
from config.api.textsearch import MAX_LENGTH
from config.api.viewsets import ApiViewSet
from core import clock
from supervision.loop.models import Task
from supervision.search import LIMIT, search_all


class SearchTaskSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField()
    status = serializers.CharField()
    light = serializers.CharField(allow_null=True)
    lead_department = serializers.CharField(source="lead_department.__str__")
    deadline = serializers.DateField()
    proposal_number = serializers.CharField(
        source="proposal.number", allow_null=True, help_text="建议/提案号（建议提案才有）"
    )
    problem_description = serializers.CharField(
        source="problem.description", allow_null=True, help_text="问题描述（问题整改才有）"
    )


class SearchProjectSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    light = serializers.CharField(allow_null=True)
    lead_department = serializers.CharField(source="lead_department.__str__")


MORE = f"超过 {LIMIT} 条，其余请到列表中按同一内容搜索"
COUNT = "找到的总条数（精确）"


class SearchTaskGroupSerializer(Serializer):
    rows = SearchTaskSerializer(many=True, help_text=f"按办理时限、编号排序的前 {LIMIT} 条")
    more = serializers.BooleanField(help_text=MORE)
    count = serializers.IntegerField(help_text=COUNT)


class SearchProjectGroupSerializer(Serializer):
    rows = SearchProjectSerializer(many=True, help_text=f"按编码排序的前 {LIMIT} 条")
    more = serializers.BooleanField(help_text=MORE)
    count = serializers.IntegerField(help_text=COUNT)


@extend_schema_serializer(many=False)
class SearchResultSerializer(Serializer):
    tasks = SearchTaskGroupSerializer(help_text="督办事项")
    problems = SearchTaskGroupSerializer(help_text="问题整改")
    proposals = SearchTaskGroupSerializer(help_text="建议提案")
    projects = SearchProjectGroupSerializer(help_text="重点项目")


class SearchViewSet(ApiViewSet):
    """全局搜索: tasks, problems (also by description), proposals (also by number) and
    projects matching every word of ``q``; a 400 for an empty or hostile ``q``."""

    queryset = Task.objects.none()  # the answer is grouped; this only names the model
    serializer_class = SearchResultSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="全局搜索",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=True,
                description=f"搜索内容：编号、名称、内容、问题描述或建议提案号中的词，多个词用空格"
                f"分开（每个词都须出现）；至多 {MAX_LENGTH} 个字，不含控制字符",
            )
        ],
        responses={200: SearchResultSerializer, 400: ErrorSerializer},
    )
    def list(self, request):
        groups = search_all(request.query_params.get("q", ""), today=clock.today())
        return Response(SearchResultSerializer(groups).data)
