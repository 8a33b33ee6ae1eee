from django.db import models


class TaskSource(models.TextChoices):
    WORK_REPORT = "work_report", "政府工作报告"
    DECISION = "decision", "区委区政府决策"
    INSTRUCTION = "instruction", "领导批示"
    NPC = "npc", "人大建议"
    CPPCC = "cppcc", "政协提案"
    PETITION = "petition", "群众诉求"
    LIVELIHOOD = "livelihood", "民生实事"
    PROBLEM = "problem", "问题整改"
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
    NODES_PROPOSE = "nodes_propose", "提出分解计划"
    NODES_APPROVE = "nodes_approve", "审定分解计划"
    NODE_SET = "node_set", "设定节点"
    NODE_EDIT = "node_edit", "修改节点"
    NODE_DELETE = "node_delete", "删除节点"
    NODE_COMPLETE = "node_complete", "完成节点"
    SPLIT = "split", "分解交办"
    REASSIGN_REQUEST = "reassign_request", "申请调整牵头单位"
    REASSIGN = "reassign", "调整牵头单位"
    REASSIGN_REJECT = "reassign_reject", "不予调整牵头单位"
    RATE = "rate", "年度评定"
    CARRY_OVER = "carry_over", "结转下年"
    URGE = "urge", "催办"
    INSTRUCT = "instruct", "领导批示"
    REPLY = "reply", "答复"
    SATISFACTION = "satisfaction", "满意度测评"
    REOPEN = "reopen", "二次办理"
    MERGE = "merge", "并案"
    ATTACH = "attach", "上传佐证材料"
    SUPERSEDE = "supersede", "替换佐证材料"
    DOCUMENT = "document", "印发公文"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


class NodeStatus(models.TextChoices):
    """A phase node: proposed by the lead unit, approved by the office, done by the lead unit."""

    PROPOSED = "proposed", "待审定"
    APPROVED = "approved", "已审定"
    DONE = "done", "已完成"


class ReassignStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已调整"
    REJECTED = "rejected", "不予调整"


class Rating(models.TextChoices):
    """Year-end rating of a task (年度评定)."""

    COMPLETED = "completed", "完成"
    MOSTLY_COMPLETED = "mostly_completed", "基本完成"
    NOT_COMPLETED = "not_completed", "未完成"


class Comparison(models.TextChoices):
    """Which way a quantitative target points, read from the report's wording.

    The figure compared is the one the target names, in its unit: a growth rate for
    "增长X%", the size of a change for "下降/提高/压降 N", a level or a count otherwise.
    ``tolerance`` (beside every target) is the slack the wording grants ("左右"), in the
    target's unit; empty means none. ``supervision.loop.targets.meets`` is the rule.

    - ``at_least`` 不低于 — the figure must reach the target: "…以上", "突破…", "达到/达…",
      "确保…稳定在…" (a floor), "增长X%", "新增/完成/建成/引进/培育 N", "下降30个基点"
      (a reduction of at least 30 BP). Met when value ≥ target − tolerance.
    - ``at_most`` 不高于 — the figure must stay within it: "…以内", "控制在…", "缩小到…"
      (城乡居民收入比 2.35:1: the first term, unit ":1"), "精简至/压降至 N".
      Met when value ≤ target + tolerance.
    - ``about`` 左右 — a point where a shortfall and an excess both miss, with a required
      tolerance. Met when |value − target| ≤ tolerance. The 2024 report has none: its one
      "左右" ("城镇调查失业率控制在5.5%左右") follows "控制在", a ceiling, so it is
      ``at_most`` with a tolerance.

    A ratio ("2.35:1") is not a direction of its own: its unit is ":1" and its direction
    is one of the above.
    """

    AT_LEAST = "at_least", "不低于"
    AT_MOST = "at_most", "不高于"
    ABOUT = "about", "左右"


class ReminderKind(models.TextChoices):
    DEADLINE = "deadline", "办理时限"
    ACCEPTANCE = "acceptance", "签收"
    REPORT = "report", "进展报送"
    NODE = "node", "阶段节点"
    MANUAL = "manual", "人工催办"


class EmailPreference(models.TextChoices):
    """How one person wants notifications e-mailed (``UNIT``: as the department is set)."""

    UNIT = "unit", "跟随本单位设置"
    IMMEDIATE = "immediate", "即时邮件"
    DIGEST = "digest", "每日汇总"
    NONE = "none", "不发邮件"


class ReminderLevel(models.TextChoices):
    """The escalation ladder, lowest rung first (the order matters)."""

    WARNING = "warning", "预警"
    DUE = "due", "到期"
    OVERDUE = "overdue", "催办"
    ESCALATED = "escalated", "督办"
    NOTICE = "notice", "通报"


LEVEL_RANK = {level: rank for rank, level in enumerate(ReminderLevel.values)}
