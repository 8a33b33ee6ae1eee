from django.db import models


class TaskSource(models.TextChoices):
    WORK_REPORT = "work_report", "政府工作报告"
    DECISION = "decision", "区委区政府决策"
    INSTRUCTION = "instruction", "领导批示"
    NPC = "npc", "人大建议"
    CPPCC = "cppcc", "政协提案"
    PETITION = "petition", "群众诉求"
    LIVELIHOOD = "livelihood", "民生实事"
    OTHER = "other", "其他"


class Domain(models.TextChoices):
    """The eight report cards (八张报表)."""

    PARTY = "party", "党建"
    ECONOMY = "economy", "经济"
    SAFETY = "safety", "平安"
    REFORM = "reform", "改革"
    INNOVATION = "innovation", "创新"
    ECOLOGY = "ecology", "生态"
    CULTURE = "culture", "文化"
    LIVELIHOOD = "livelihood", "民生"


class ReportFrequency(models.TextChoices):
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    ONCE = "once", "一次性"


class Priority(models.TextChoices):
    NORMAL = "normal", "一般"
    HIGH = "high", "重要"
    URGENT = "urgent", "紧急"


class TaskStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ASSIGNED = "assigned", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    SUBMITTED = "submitted", "申请办结"
    CLOSED = "closed", "已销号"
    CANCELLED = "cancelled", "已撤销"


OPEN_STATUSES = (
    TaskStatus.DRAFT,
    TaskStatus.ASSIGNED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.SUBMITTED,
)


class TaskAction(models.TextChoices):
    CREATE = "create", "创建"
    EDIT = "edit", "修改"
    ASSIGN = "assign", "交办"
    ACCEPT = "accept", "签收"
    PROGRESS = "progress", "反馈进展"
    SUBMIT = "submit", "申请办结"
    CLOSE = "close", "核验销号"
    RETURN = "return", "核验退回"
    CANCEL = "cancel", "撤销"
    EXTENSION_REQUEST = "extension_request", "申请延期"
    EXTENSION_APPROVE = "extension_approve", "批准延期"
    EXTENSION_REJECT = "extension_reject", "驳回延期"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", "不低于"
    AT_MOST = "at_most", "不高于"


class ReminderKind(models.TextChoices):
    DEADLINE = "deadline", "办理时限"
    ACCEPTANCE = "acceptance", "签收"
    REPORT = "report", "进展报送"


class ReminderLevel(models.TextChoices):
    """The escalation ladder, lowest rung first (the order matters)."""

    WARNING = "warning", "预警"
    DUE = "due", "到期"
    OVERDUE = "overdue", "催办"
    ESCALATED = "escalated", "督办"
    NOTICE = "notice", "通报"


LEVEL_RANK = {level: rank for rank, level in enumerate(ReminderLevel.values)}
