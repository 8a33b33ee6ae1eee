from supervision.models.core import (
    EscalationPolicy,
    ExtensionRequest,
    Indicator,
    ProgressReport,
    Task,
    TaskEvent,
)
from supervision.models.rankings import RankingSnapshot
from supervision.models.reminders import Notification, Reminder
from supervision.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "EscalationPolicy",
    "ExtensionRequest",
    "Indicator",
    "Notification",
    "ProgressReport",
    "RankingSnapshot",
    "Reminder",
    "Task",
    "TaskEvent",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
