"""The supervision app's models, defined in its sub-packages and gathered here for Django."""

from supervision.loop.models import (
    EscalationPolicy,
    ExtensionRequest,
    Indicator,
    ProgressReport,
    Task,
    TaskEvent,
)
from supervision.reminders.models import Notification, Reminder
from supervision.scorecards.models import RankingSnapshot

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
]
