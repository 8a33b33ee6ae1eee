from django.contrib import admin

from accounts.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from supervision.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ["number", "attempted_at", "status_code", "duration_ms", "error"]
    readonly_fields = fields


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "is_active", "disabled_reason", "created_at"]
    exclude = ["secret"]

    def has_add_permission(self, request):
        return False  # created through the API, which shows the secret once


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Written by the outbox and the sender: looked at, never edited by hand."""

    list_display = ["message_id", "endpoint", "event_type", "status", "attempts", "created_at"]
    list_filter = ["status", "event_type", "endpoint"]
    inlines = [WebhookAttemptInline]
