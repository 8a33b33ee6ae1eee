from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from core.validators import validate_year_range
from supervision.files.choices import DocumentType, Purpose


class _FilesStorage(LazyObject):
    """``storages["files"]``, looked up when first used (and again after a test changes
    ``STORAGES``), like Django's ``default_storage``."""

    def _setup(self):
        self._wrapped = storages["files"]


_files = _FilesStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _files._wrapped = empty


def files_storage():
    """The ``files`` storage (file system under var/, or S3): a callable, so migrations do not
    depend on which one is configured."""
    return _files


class Attachment(models.Model):
    """佐证材料: one uploaded file on one target (a progress report, a 申请办结, …).

    ``target_type`` names an entry of ``supervision.files.targets`` (an extensible registry, so
    no database constraint: the service refuses unknown types). A file not yet bound to its
    target (uploaded before the form that creates the target is sent) has no target and is
    visible to its uploader only. ``task``/``project`` are the target's anchor, set once at
    binding (a target never moves), so visibility is one query.
    """

    target_type = models.CharField("对象类型", max_length=32, blank=True)
    target_id = models.BigIntegerField("对象编号", null=True, blank=True)
    task = models.ForeignKey(
        "supervision.Task",
        verbose_name="事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name="项目",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    purpose = models.CharField(
        "用途", max_length=12, choices=Purpose.choices, default=Purpose.EVIDENCE
    )
    file = models.FileField("文件", storage=files_storage, max_length=300)
    thumbnail = models.FileField("缩略图", storage=files_storage, max_length=300, blank=True)
    name = models.CharField("文件名", max_length=200)
    size = models.BigIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="上传单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间")
    superseded_by = models.OneToOneField(
        "self",
        verbose_name="被替换为",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )
    superseded_at = models.DateTimeField("替换时间", null=True, blank=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="attachment_target_idx"),
            models.Index(fields=["task", "created_at"], name="attachment_task_idx"),
            models.Index(
                fields=["created_by", "created_at"],
                condition=Q(target_type=""),
                name="attachment_staged_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=Purpose.values),
                name="%(app_label)s_%(class)s_purpose_valid",
            ),
            models.CheckConstraint(
                condition=Q(size__gte=0), name="%(app_label)s_%(class)s_size_not_negative"
            ),
            models.CheckConstraint(
                condition=(Q(target_type="") & Q(target_id__isnull=True))
                | (~Q(target_type="") & Q(target_id__isnull=False)),
                name="%(app_label)s_%(class)s_target_whole",
            ),
            models.CheckConstraint(
                condition=Q(superseded_by__isnull=True) | Q(superseded_at__isnull=False),
                name="%(app_label)s_%(class)s_superseded_has_time",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_staged(self) -> bool:
        return not self.target_type

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Document(models.Model):
    """公文: a generated, numbered official document (督办通知书, 催办通知书, 督查通报 …).

    ``content`` keeps what was issued (the paragraphs, addressee, dates), so the DOCX and the
    PDF are two renderings of one record and can be rendered again.
    """

    type = models.CharField("文种", max_length=16, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("序号")
    code = models.CharField("发文字号", max_length=40, unique=True)
    title = models.CharField("标题", max_length=200)
    task = models.ForeignKey(
        "supervision.Task",
        verbose_name="事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="主送单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    period = models.CharField("期间", max_length=10, blank=True)
    # Set when the ladder issued it (a 督办通知书 for a task at the 督办 rung): one per rung.
    reminder = models.OneToOneField(
        "supervision.Reminder",
        verbose_name="触发提醒",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document",
    )
    content = models.JSONField("内容", default=dict)
    docx = models.FileField("DOCX", storage=files_storage, max_length=300)
    pdf = models.FileField("PDF", storage=files_storage, max_length=300, blank=True)
    issued_on = models.DateField("成文日期", validators=[validate_year_range])
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "公文"
        verbose_name_plural = "公文"
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["task", "issued_at"], name="document_task_idx"),
            models.Index(fields=["department", "issued_at"], name="document_department_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=DocumentType.values),
                name="%(app_label)s_%(class)s_type_valid",
            ),
            models.UniqueConstraint(
                fields=["type", "year", "number"], name="%(app_label)s_%(class)s_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="%(app_label)s_%(class)s_number_positive"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class DocumentCounter(models.Model):
    """The last 发文字号 issued per type and year; its row lock makes numbers gap-free."""

    type = models.CharField("文种", max_length=16, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "发文字号计数"
        verbose_name_plural = "发文字号计数"
        constraints = [
            models.UniqueConstraint(
                fields=["type", "year"], name="%(app_label)s_%(class)s_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(type__in=DocumentType.values),
                name="%(app_label)s_%(class)s_type_valid",
            ),
        ]

    def __str__(self):
        return f"{self.type} {self.year}: {self.last}"
