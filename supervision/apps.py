from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督查督办"

    def ready(self):
        from config import events
        from supervision.webhooks import enqueue_event

        events.subscribe(enqueue_event)

        from supervision.cache import connect_signals

        connect_signals()
