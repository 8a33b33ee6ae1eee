from django.db import models


class Category(models.TextChoices):
    KEY_WORK = "key_work", "十项重点工程"
    MUNICIPAL = "municipal", "市级重点项目"
    DISTRICT = "district", "区级重点项目"
    LIVELIHOOD = "livelihood", "民生实事"
    INVESTMENT_PROMOTION = "investment_promotion", "招商引资"
    PRELIMINARY = "preliminary", "前期项目"
    OTHER = "other", "其他"


class Level(models.TextChoices):
    """Which key-project list a project is on (the report: "25个市级和78个区级重点项目");
    empty when neither the report nor the project's category says."""

    MUNICIPAL = "municipal", "市级重点项目"
    DISTRICT = "district", "区级重点项目"


class Stage(models.TextChoices):
    """The project's current stage (the 重点项目 convention: 前期 / 新开工 / 续建 / 竣工), never
    the stage it is to reach this year — that is its target (``target_text``, milestones)."""

    RESERVE = "reserve", "储备"
    PRELIMINARY = "preliminary", "前期"
    NEW_START = "new_start", "新开工"
    UNDER_CONSTRUCTION = "under_construction", "在建"
    COMPLETED = "completed", "建成"
    IN_OPERATION = "in_operation", "投产"


class Light(models.TextChoices):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"
