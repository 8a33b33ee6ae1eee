from django.contrib import admin

from supervision.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "attempted_at", "status_code", "duration_ms", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "is_active", "disabled_reason", "created_at"]
    exclude = ["secret"]

    def has_add_permission(self, request):
        return False  # created through the API, which shows the secret once


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Written by the outbox and the sender: looked at, never edited by hand."""

    list_display = ["message_id", "endpoint", "event_type", "status", "attempts", "created_at"]
    list_filter = ["status", "event_type", "endpoint"]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
