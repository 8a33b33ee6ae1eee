"""``search/?q=``: the global search of the cockpit's header box, as JSON."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from config.api.schema import ErrorSerializer
from config.api.serializers import Serializer
from config.api.viewsets import ApiViewSet
from core import clock
from supervision.loop.models import Task
from supervision.search import MAX_LENGTH, search_all


class SearchQuerySerializer(Serializer):
    q = serializers.CharField(max_length=MAX_LENGTH, help_text="搜索内容（编号、名称、内容）")


class SearchTaskSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    source = serializers.CharField()
    status = serializers.CharField()
    light = serializers.CharField(allow_null=True)
    lead_department = serializers.CharField(source="lead_department.__str__")
    deadline = serializers.DateField()


class SearchProjectSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    light = serializers.CharField(allow_null=True)
    lead_department = serializers.CharField(source="lead_department.__str__")


MORE = "超过 10 条，其余请到列表中按同一内容搜索"


class SearchTaskGroupSerializer(Serializer):
    rows = SearchTaskSerializer(many=True)
    more = serializers.BooleanField(help_text=MORE)


class SearchProjectGroupSerializer(Serializer):
    rows = SearchProjectSerializer(many=True)
    more = serializers.BooleanField(help_text=MORE)


@extend_schema_serializer(many=False)
class SearchResultSerializer(Serializer):
    tasks = SearchTaskGroupSerializer(help_text="督办事项")
    problems = SearchTaskGroupSerializer(help_text="问题整改")
    proposals = SearchTaskGroupSerializer(help_text="建议提案")
    projects = SearchProjectGroupSerializer(help_text="重点项目")


class SearchViewSet(ApiViewSet):
    """全局搜索: tasks, problems, proposals and projects matching every word of ``q``."""

    queryset = Task.objects.none()  # the answer is grouped; this only names the model
    serializer_class = SearchResultSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="全局搜索",
        parameters=[OpenApiParameter("q", str, required=True, description="搜索内容")],
        responses={200: SearchResultSerializer, 400: ErrorSerializer},
    )
    def list(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        groups = search_all(query.validated_data["q"], today=clock.today())
        return Response(SearchResultSerializer(groups).data)
