from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Standard Webhooks outbox: no foreign keys into the domain; it hears the domain's events."""

    name = "supervision.webhooks"
    label = "webhooks"
    verbose_name = "Webhook"

    def ready(self):
        from core import events
        from supervision.webhooks.services import enqueue_event

        events.subscribe(enqueue_event)
