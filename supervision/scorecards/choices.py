from django.db import models

from accounts.choices import DepartmentKind


class Track(models.TextChoices):
    """赛道: units are compared only with units of their own kind."""

    DEPARTMENT = "department", "区级部门"
    TOWN = "town", "乡镇街道"


# Which department kinds run in which track (state firms and other bodies with the
# district departments: they answer to the district as departments do).
TRACK_KINDS = {
    Track.DEPARTMENT: (DepartmentKind.DISTRICT, DepartmentKind.SOE, DepartmentKind.OTHER),
    Track.TOWN: (DepartmentKind.TOWN, DepartmentKind.STREET),
}


def track_of(kind: str) -> str:
    return Track.TOWN if kind in TRACK_KINDS[Track.TOWN] else Track.DEPARTMENT


class Component(models.TextChoices):
    """What a report card's score is made of (``ScoringRule`` weighs them per card)."""

    INDICATORS = "indicators", "指标序时达标"
    NODES = "nodes", "节点按期完成"
    CLOSURE = "closure", "到期事项按期办结"
    PROBLEMS = "problems", "问题清零"
    INVESTMENT = "investment", "投资序时进度"


class Flag(models.TextChoices):
    """晾晒: the head and the tail of a track."""

    TOP = "top", "前列"
    BOTTOM = "bottom", "后列"


class InterventionType(models.TextChoices):
    """激励 and 问责: what the office records against a unit (DESIGN.md, "Mechanisms")."""

    COMMENDATION = "commendation", "通报表扬"
    CRITICISM = "criticism", "通报批评"
    INTERVIEW = "interview", "约谈"
    REFERRAL = "referral", "问责移送"
    BEST_PRACTICE = "best_practice", "最佳实践"
