from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from accounts.choices import DepartmentKind, EmailMode, Role, TokenScope


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
    email_mode = models.CharField(
        "提醒邮件方式", max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)  # the API's ETag version

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


class ApiToken(models.Model):
    """An API token. Only a lookup prefix and a SHA-256 digest are stored; the token is shown once."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("前缀", max_length=12, unique=True)
    digest = models.CharField("摘要", max_length=64)
    scope = models.CharField("权限范围", max_length=5, choices=TokenScope.choices)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=TokenScope.values), name="%(app_label)s_%(class)s_scope_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class AuditRecord(models.Model):
    """Who changed what, before and after, written by the service that made the change
    (tasks log to ``TaskEvent``)."""

    actor = models.ForeignKey(
        User, verbose_name="操作人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField("动作", max_length=40)
    model = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象ID", max_length=40)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.model}#{self.object_id} {self.action}"


class IdempotencyRecord(models.Model):
    """The first response to a POST with an ``Idempotency-Key``, replayed for repeats."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "幂等记录"
        verbose_name_plural = "幂等记录"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="%(app_label)s_%(class)s_unique_key"
            ),
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
