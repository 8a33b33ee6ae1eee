from django.conf import settings
from django.db import models
from django.db.models import Q

from core.constraints import OneQueryChecks
from supervision.choices import EmailPreference, ReminderKind, ReminderLevel

# Subjects without a database constraint. The scan writes 10⁵–10⁶ reminders in one
# transaction, and a foreign key would check every subject again, row by row, at COMMIT (three
# checks per node reminder: more than the whole scan costs). The scan names subjects it reads
# in the same statement, and they cannot vanish under it: tasks are deleted only as drafts,
# milestones and departments never, and a node only after waiting for a running scan
# (``scan.scan_lock``). PROTECT still guards every delete made through the ORM.


class Reminder(OneQueryChecks):
    """One rung of the escalation ladder reached by one subject for one deadline: an outbox row.

    Unique per (kind, rung, subject, deadline, department), so a rerun, a second beat or a race
    inserts nothing twice; an approved extension changes the deadline and a reassignment the
    department, and so each starts a new ladder. A node's reminder names its task as well.
    A manual 催办 (``kind=manual``) is a row of its own each time the office urges, with
    its ``message`` and author.
    """

    kind = models.CharField("类型", max_length=12, choices=ReminderKind.choices)
    level = models.CharField("等级", max_length=10, choices=ReminderLevel.choices)
    task = models.ForeignKey(
        "supervision.Task",
        verbose_name="事项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
        db_index=False,  # the unique key (task, kind, level, deadline) serves lookups by task
        db_constraint=False,  # no FK check per row: see above the class
    )
    milestone = models.ForeignKey(
        "projects.Milestone",
        verbose_name="节点",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
        db_index=False,  # the unique key (milestone, …) serves lookups by milestone
        db_constraint=False,  # no FK check per row: see above the class
    )
    node = models.ForeignKey(
        "supervision.Node",
        verbose_name="阶段节点",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
        db_index=False,  # the unique key (node, …) serves lookups by node
        db_constraint=False,  # no FK check per row: see above the class
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="被提醒单位",
        on_delete=models.PROTECT,
        related_name="reminders",
        db_index=False,  # reminder_dept_time_idx leads with department
        db_constraint=False,  # no FK check per row: see above the class
    )
    deadline = models.DateField("对应时限")
    created_at = models.DateTimeField("生成时间")
    deliver_after = models.DateTimeField("发送时间（非工作日顺延至下一工作日9:00）")
    recipients = models.JSONField("接收人", default=list, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # never looked up by acknowledger
    )
    message = models.TextField("催办意见", blank=True, db_default="")  # the scan inserts raw rows
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="催办人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # never looked up by author
    )

    class Meta:
        verbose_name = "督办提醒"
        verbose_name_plural = "督办提醒"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["deliver_after"],
                condition=Q(sent_at__isnull=True),
                name="reminder_unsent_idx",
            ),
            models.Index(fields=["department", "created_at"], name="reminder_dept_time_idx"),
            # The list's order, read backwards: a page without sorting every reminder.
            models.Index(fields=["created_at", "id"], name="reminder_list_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="%(app_label)s_%(class)s_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(level__in=ReminderLevel.values),
                name="%(app_label)s_%(class)s_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(task__isnull=False, milestone__isnull=True)
                | Q(task__isnull=True, milestone__isnull=False),
                name="%(app_label)s_%(class)s_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(node__isnull=True) | Q(task__isnull=False, kind=ReminderKind.NODE),
                name="%(app_label)s_%(class)s_node_has_task",
            ),
            models.UniqueConstraint(
                fields=["task", "kind", "level", "deadline", "department"],
                condition=Q(task__isnull=False, node__isnull=True) & ~Q(kind=ReminderKind.MANUAL),
                name="%(app_label)s_%(class)s_unique_task_rung",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ReminderKind.MANUAL)
                | Q(task__isnull=False, created_by__isnull=False),
                name="%(app_label)s_%(class)s_manual_has_task_and_author",
            ),
            models.UniqueConstraint(
                fields=["milestone", "kind", "level", "deadline", "department"],
                condition=Q(milestone__isnull=False),
                name="%(app_label)s_%(class)s_unique_milestone_rung",
            ),
            models.UniqueConstraint(
                fields=["node", "kind", "level", "deadline", "department"],
                condition=Q(node__isnull=False),
                name="%(app_label)s_%(class)s_unique_node_rung",
            ),
        ]

    def __str__(self):
        if self.node_id:
            subject = f"事项{self.task_id}节点{self.node_id}"
        else:
            subject = f"事项{self.task_id}" if self.task_id else f"节点{self.milestone_id}"
        return f"{subject} {self.get_kind_display()}{self.get_level_display()} {self.deadline}"


class Notification(models.Model):
    """站内消息: one per reminder and recipient, or per loop event and recipient (both unique),
    so redelivery never duplicates it. It is also the e-mail outbox (``emailed_at``)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    reminder = models.ForeignKey(
        Reminder,
        verbose_name="提醒",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    event = models.ForeignKey(
        "supervision.TaskEvent",
        verbose_name="流转记录",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,  # the unique key (event, recipient) serves lookups by event
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "recipient"],
                condition=Q(reminder__isnull=False),
                name="%(app_label)s_%(class)s_one_per_recipient",
            ),
            models.UniqueConstraint(
                fields=["event", "recipient"],
                condition=Q(event__isnull=False),
                name="%(app_label)s_%(class)s_one_per_event_recipient",
            ),
        ]

    def __str__(self):
        return f"{self.recipient_id}: {self.title}"


class NotificationPreference(models.Model):
    """One person's choices: how notifications are e-mailed, and which loop steps they do
    not want to hear about (reminders and 催办 are never muted)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_mode = models.CharField(
        "邮件方式", max_length=10, choices=EmailPreference.choices, default=EmailPreference.UNIT
    )
    muted = models.JSONField("不接收的流转消息", default=list, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "消息设置"
        verbose_name_plural = "消息设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(email_mode__in=EmailPreference.values),
                name="%(app_label)s_%(class)s_email_mode_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.get_email_mode_display()}"
