from django.db import models


class Role(models.TextChoices):
    SUPERVISOR = "supervisor", "督查办"
    LEADER = "leader", "区领导"
    OWNER = "owner", "责任单位"
    VIEWER = "viewer", "只读"


class DepartmentKind(models.TextChoices):
    DISTRICT = "district", "区级部门"
    TOWN = "town", "乡镇"
    STREET = "street", "街道"
    SOE = "soe", "国企"
    OTHER = "other", "其他"


class TokenScope(models.TextChoices):
    READ = "read", "只读"
    WRITE = "write", "读写"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "即时邮件"
    DIGEST = "digest", "每日汇总"
    NONE = "none", "不发邮件"
