"""``attachments/`` (佐证材料) and ``documents/`` (公文): thin viewsets over
``supervision.files`` services and visibility selectors."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, parsers, serializers, status
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from accounts.models import Department
from config.api.schema import ErrorSerializer
from config.api.serializers import ModelSerializer, Serializer
from config.api.viewsets import ApiViewSet
from supervision.files import delivery, services, uploads
from supervision.files.choices import DocumentType, Purpose
from supervision.files.documents import services as documents
from supervision.files.documents.sheet import task_sheet_pdf
from supervision.files.filters import AttachmentFilter, DocumentFilter
from supervision.files.models import Attachment, Document
from supervision.files.selectors import attachments_visible_to, documents_visible_to
from supervision.loop.models import Task
from supervision.loop.selectors import task_list


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "请求过大。"
    default_code = "payload_too_large"


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """Downloads take ``?format=docx|pdf`` as their own parameter, not DRF's renderer switch."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return (renderers[0], renderers[0].media_type)


# A GET that answers with a file (its own ``?format=``, no filters, no pages).
FILE_ACTION = {
    "detail": True,
    "methods": ["get"],
    "filter_backends": [],
    "pagination_class": None,
    "content_negotiation_class": IgnoreFormatNegotiation,
}


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "latitude": {"type": "string", "format": "decimal"},
            "longitude": {"type": "string", "format": "decimal"},
        },
    }
)
class LocationField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        if value.latitude is None or value.longitude is None:
            return None
        return {"latitude": str(value.latitude), "longitude": str(value.longitude)}


class AttachmentSerializer(ModelSerializer):
    location = LocationField(help_text="照片 EXIF 中的拍摄地点（WGS-84），无则为 null")
    download_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "size",
            "content_type",
            "sha256",
            "taken_at",
            "location",
            "created_by",
            "created_at",
            "download_url",
            "thumbnail_url",
            "target_type",
            "target_id",
            "task",
            "project",
            "purpose",
            "superseded_by",
            "superseded_at",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return reverse("attachment-download", args=[obj.pk])

    def get_thumbnail_url(self, obj) -> str | None:
        return reverse("attachment-thumbnail", args=[obj.pk]) if obj.thumbnail else None


class AttachmentUploadSerializer(Serializer):
    file = serializers.FileField(help_text="单个文件；类型按内容识别")
    target_type = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="对象类型（progress_report、submission、extension、milestone、investment_report "
        "…）；留空则暂存，稍后随表单绑定",
    )
    target_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    purpose = serializers.ChoiceField(choices=Purpose.choices, default=Purpose.EVIDENCE)
    supersedes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="替换的材料编号（原材料保留并标记）"
    )


class AttachmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ApiViewSet
):
    """佐证材料: upload to a target the caller may write; list and download what the caller may
    read (another unit's files are 404); a file on a submitted record is only superseded."""

    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attachment.objects.none()
        return attachments_visible_to(self.request.user)

    def initialize_request(self, request, *args, **kwargs):
        uploads.install(request)  # before authentication's CSRF check reads the body
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        if request.method == "POST" and (message := uploads.body_too_large(request._request)):
            raise PayloadTooLarge(message)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentSerializer,
            413: OpenApiResponse(ErrorSerializer, description="请求超过 FILES_MAX_REQUEST_MB"),
        },
        summary="上传佐证材料",
    )
    def create(self, request, *args, **kwargs):
        data = request.data
        if message := uploads.too_large(request._request):
            raise exceptions.ValidationError({"file": [message]})
        body = AttachmentUploadSerializer(data=data)
        body.is_valid(raise_exception=True)
        attachment = services.attachment_upload(
            actor=request.user, upload=body.validated_data.pop("file"), **body.validated_data
        )
        attachment = self.get_queryset().get(pk=attachment.pk)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.attachment_delete(actor=self.request.user, attachment=instance)

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="文件内容（附件形式）"),
            302: OpenApiResponse(description="短时签名地址（对象存储）"),
        },
        summary="下载（附件形式）",
    )
    @action(**FILE_ACTION)
    def download(self, request, pk=None):
        attachment = self.get_object()
        return delivery.send_file(
            attachment.file, filename=attachment.name, content_type=attachment.content_type
        )

    @extend_schema(
        responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY)},
        summary="图片缩略图",
    )
    @action(**FILE_ACTION)
    def thumbnail(self, request, pk=None):
        attachment = self.get_object()
        if not attachment.thumbnail:
            raise exceptions.NotFound("该材料没有缩略图。")
        stem = attachment.name.rsplit(".", 1)[0]
        return delivery.send_file(
            attachment.thumbnail, filename=f"{stem}.thumb.jpg", content_type="image/jpeg"
        )


# --- documents ---------------------------------------------------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocumentSerializer(ModelSerializer):
    download_url = serializers.SerializerMethodField(help_text="?format=docx（默认）或 pdf")

    class Meta:
        model = Document
        fields = [
            "id",
            "type",
            "year",
            "number",
            "code",
            "title",
            "task",
            "department",
            "period",
            "issued_on",
            "issued_by",
            "issued_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return reverse("document-download", args=[obj.pk])


class DocumentCreateSerializer(Serializer):
    type = serializers.ChoiceField(choices=DocumentType.choices)
    task = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.all(), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    period = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text="督查通报：2024-W26 或 2024Q2"
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="通报表扬/批评的事由"
    )


class DownloadFormat(Serializer):
    format = serializers.ChoiceField(choices=["docx", "pdf"], default="docx", required=False)


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """公文: the supervision office generates (numbered per type and year); everyone lists and
    downloads what concerns them (a unit: its own and district-wide documents)."""

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return documents_visible_to(self.request.user)

    @extend_schema(
        request=DocumentCreateSerializer,
        responses={201: DocumentSerializer},
        summary="生成公文（督办通知书、催办通知书、督查通报、通报表扬/批评）",
    )
    def create(self, request, *args, **kwargs):
        if not documents.can_generate(request.user):
            raise exceptions.PermissionDenied("只有督查办可以印发公文。")
        body = DocumentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = documents.document_generate(actor=request.user, **body.validated_data)
        document = self.get_queryset().get(pk=document.pk)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[DownloadFormat],
        responses={
            (200, DOCX): OpenApiResponse(OpenApiTypes.BINARY, description="DOCX"),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
        },
        summary="下载公文（DOCX 或 PDF）",
    )
    @action(**FILE_ACTION)
    def download(self, request, pk=None):
        document = self.get_object()
        query = DownloadFormat(data=request.query_params)
        query.is_valid(raise_exception=True)
        stem = f"{document.code} {document.title}"
        if query.validated_data["format"] == "pdf":
            document = documents.document_pdf(document)
            return delivery.send_file(
                document.pdf, filename=f"{stem}.pdf", content_type="application/pdf"
            )
        return delivery.send_file(document.docx, filename=f"{stem}.docx", content_type=DOCX)


class TaskSheetViewSet(ApiViewSet):
    """The printable 督办单 of one task (PDF): details, nodes, log, files and documents."""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()
        return task_list().prefetch_related("co_departments")

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
        summary="打印督办单（PDF）",
    )
    def retrieve(self, request, pk=None):
        task = self.get_object()
        return delivery.send_bytes(
            task_sheet_pdf(task, user=request.user),
            filename=f"督办单 {task.code}.pdf",
            content_type="application/pdf",
        )
