from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户与单位"

    def ready(self):
        from accounts import signals  # noqa: F401 — connects the receivers
