from django.apps import AppConfig


class WebConfig(AppConfig):
    """督查驾驶舱, the web cockpit: its views, templates, static files and template tags."""

    name = "supervision.web"
    label = "web"
    verbose_name = "督查驾驶舱"
