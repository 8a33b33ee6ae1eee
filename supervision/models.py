"""The supervision app's models, defined in its sub-packages and gathered here for Django."""

from supervision.files.models import Attachment, Document, DocumentCounter
from supervision.kinds.models import (
    CodeSequence,
    Instruction,
    InstructionDetail,
    Meeting,
    MeetingItem,
    ProblemDetail,
    ProposalDetail,
    SourcePolicy,
)
from supervision.loop.models import (
    EscalationPolicy,
    ExtensionRequest,
    Indicator,
    ProgressReport,
    Task,
    TaskEvent,
)
from supervision.phases.models import IndicatorValue, Node, ReassignRequest
from supervision.reminders.models import Notification, NotificationPreference, Reminder
from supervision.scorecards.models import (
    Intervention,
    RankingSnapshot,
    ScoreAdjustment,
    ScoringRule,
)
from supervision.search_index import ProjectSearch, TaskSearch

__all__ = [
    "Attachment",
    "CodeSequence",
    "Document",
    "DocumentCounter",
    "Instruction",
    "Intervention",
    "InstructionDetail",
    "Meeting",
    "MeetingItem",
    "ProblemDetail",
    "ProposalDetail",
    "SourcePolicy",
    "EscalationPolicy",
    "ExtensionRequest",
    "Indicator",
    "IndicatorValue",
    "Node",
    "Notification",
    "NotificationPreference",
    "ProgressReport",
    "ProjectSearch",
    "RankingSnapshot",
    "ReassignRequest",
    "Reminder",
    "ScoreAdjustment",
    "ScoringRule",
    "Task",
    "TaskEvent",
    "TaskSearch",
]
