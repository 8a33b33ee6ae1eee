from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.permissions import IsSupervisorOrReadOnly
from config.api.rows import RowListMixin
from config.api.serializers import ModelSerializer
from config.api.viewsets import ApiModelViewSet, ApiViewSet
from supervision.reminders.filters import NotificationFilter, ReminderFilter
from supervision.reminders.models import Notification, Reminder
from supervision.reminders.services import notification_read, reminder_acknowledge
from supervision.webhooks import services as webhooks
from supervision.webhooks.models import (
    EVENT_TYPES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class ReminderSerializer(ModelSerializer):
    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "level",
            "task",
            "milestone",
            "department",
            "recipients",
            "deadline",
            "created_at",
            "deliver_after",
            "sent_at",
            "acknowledged_at",
            "acknowledged_by",
            "message",
            "created_by",
        ]
        read_only_fields = fields


class NotificationSerializer(ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "reminder", "event", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class WebhookEndpointSerializer(ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), required=False, max_length=20
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "name", "url", "event_types", "is_active", "disabled_reason", "created_at"]
        read_only_fields = ["disabled_reason", "created_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="签名密钥，仅在创建时显示这一次")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "attempted_at", "status_code", "duration_ms", "error"]


class WebhookDeliverySerializer(ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "message_id",
            "event_type",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
            "finished_at",
            "attempt_log",
        ]
        read_only_fields = fields


class SupervisorOnly(IsSupervisorOrReadOnly):
    message = "只有督查办可以管理 Webhook。"

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_supervisor)


class ReminderViewSet(RowListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    queryset = Reminder.objects.all()
    serializer_class = ReminderSerializer
    filterset_class = ReminderFilter

    @extend_schema(request=None, responses=ReminderSerializer, summary="确认收到催办")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        reminder = reminder_acknowledge(reminder=self.get_object(), actor=request.user)
        return Response(ReminderSerializer(reminder).data)


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer, summary="标记已读")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = notification_read(notification=self.get_object(), actor=request.user)
        return Response(NotificationSerializer(notification).data)


class WebhookEndpointViewSet(ApiModelViewSet):
    queryset = WebhookEndpoint.objects.order_by("id")
    secret_fields = ("secret",)  # shown once: a replay of the creation leaves it out
    serializer_class = WebhookEndpointSerializer
    # Endpoints (and where our data goes) are the supervision office's business only.
    permission_classes = [*ApiModelViewSet.permission_classes, SupervisorOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint, secret = webhooks.endpoint_create(**serializer.validated_data)
        self.audit("create", endpoint, None, WebhookEndpointSerializer(endpoint).data)
        data = {**WebhookEndpointSerializer(endpoint).data, "secret": secret}
        return Response(data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        if "url" in serializer.validated_data:
            webhooks.check_url(serializer.validated_data["url"])
        return serializer.save()

    def perform_destroy(self, instance):
        instance.delete()

    @extend_schema(responses=WebhookDeliverySerializer(many=True), summary="投递记录")
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        rows = endpoint.deliveries.prefetch_related("attempt_log").order_by("-created_at", "-id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
