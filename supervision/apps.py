from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督查督办"

    def ready(self):
        from config import events
        from supervision.cache import connect_signals
        from supervision.kinds.notify import on_event

        connect_signals()
        events.subscribe(on_event)

        # Attachment target types (supervision.files.targets); other sub-packages register
        # theirs in a module imported here.
        import supervision.files.builtin_targets  # noqa: F401
