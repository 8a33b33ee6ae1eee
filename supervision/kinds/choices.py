from django.db import models


class Urgency(models.TextChoices):
    """批示件的紧急程度; the deadline follows in working days (``SourcePolicy``)."""

    EXTRA_URGENT = "extra_urgent", "特急"
    URGENT = "urgent", "急件"
    NORMAL = "normal", "一般"
    COMPLEX = "complex", "复杂"


class TimeLimitUnit(models.TextChoices):
    WORKDAYS = "workdays", "工作日"
    DAYS = "days", "自然日"
    MONTHS = "months", "个月"


class ReplyClass(models.TextChoices):
    A = "A", "A类（解决或采纳）"
    B = "B", "B类（正在解决或列入计划）"
    C = "C", "C类（暂不能解决）"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class MeetingForm(models.TextChoices):
    """见面沟通的形式."""

    IN_PERSON = "in_person", "当面沟通"
    SEMINAR = "seminar", "座谈会"
    SITE_VISIT = "site_visit", "实地察看"
    PHONE = "phone", "电话沟通"
    VIDEO = "video", "视频沟通"


class ProblemOrigin(models.TextChoices):
    INSPECTION = "inspection", "巡视巡察"
    AUDIT = "audit", "审计"
    SUPERVISION = "supervision", "督察"
    PETITION = "petition", "信访"
    HAZARD = "hazard", "安全隐患"
    PUBLIC = "public", "群众反映"
    DUBAN = "duban", "督查发现"
    SELF = "self", "自查"
