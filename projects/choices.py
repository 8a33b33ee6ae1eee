from django.db import models


class Category(models.TextChoices):
    KEY_WORK = "key_work", "十项重点工程"
    MUNICIPAL = "municipal", "市级重点项目"
    DISTRICT = "district", "区级重点项目"
    LIVELIHOOD = "livelihood", "民生实事"
    INVESTMENT_PROMOTION = "investment_promotion", "招商引资"
    PRELIMINARY = "preliminary", "前期项目"
    OTHER = "other", "其他"


class Stage(models.TextChoices):
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
