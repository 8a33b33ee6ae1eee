from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督查督办"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from core import events
        from supervision.cache import connect_signals
        from supervision.kinds.notify import on_event
        from supervision.loop.progress import register_sqlite_functions
        from supervision.scorecards.rules import ensure_default_rules

        connect_signals()
        connection_created.connect(register_sqlite_functions, dispatch_uid="wulong-sqlite")
        events.subscribe(on_event)
        # After migrate and after a test's flush: every card has its saved default rule.
        post_migrate.connect(ensure_default_rules, sender=self, dispatch_uid="scoring-rules")

        # Attachment target types (supervision.files.targets); other sub-packages register
        # theirs in a module imported here.
        import supervision.files.builtin_targets  # noqa: F401
