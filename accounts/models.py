from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from accounts.choices import DepartmentKind, Role


class Department(models.Model):
    """单位: a district department, town, street, state firm or other body."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=10, choices=DepartmentKind.choices)
    is_active = models.BooleanField("启用", default=True)
    source_ref = models.CharField("来源章节", max_length=200, blank=True)
    assumed = models.BooleanField(
        "推定", default=False, help_text="报告未明确，由系统推定，督查办可调整"
    )

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DepartmentKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name


class User(AbstractUser):
    """A person (or a service account) using the system."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField("角色", max_length=12, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="%(app_label)s_%(class)s_role_valid"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.OWNER) | Q(department__isnull=False),
                name="%(app_label)s_%(class)s_owner_has_department",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR or self.is_superuser

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER and self.department_id is not None
