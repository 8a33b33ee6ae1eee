import contextlib
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import clock
from supervision.choices import ReminderKind, ReminderLevel
from supervision.files.documents.ladder import issue_duban_notices
from supervision.reminders.scan import scan_deadlines


class Command(BaseCommand):
    help = "扫描办理时限、签收和进展报送，生成督办提醒（可重复执行，不会重复生成）。"

    def add_arguments(self, parser):
        parser.add_argument("--now", help="按指定时刻扫描（ISO 格式，如 2024-09-30T10:00+08:00）")

    def handle(self, *args, **options):
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now 格式无效：{options['now']}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        with clock.override(now) if now else contextlib.nullcontext():
            result = scan_deadlines(now=now)
            notices = issue_duban_notices()
        self.stdout.write(f"扫描时刻：{timezone.localtime(result.now):%Y-%m-%d %H:%M %Z}")
        for kind in ReminderKind:
            for level in ReminderLevel:
                count = result.counts.get((kind.value, level.value), 0)
                if count:
                    self.stdout.write(f"  {kind.label}·{level.label}：新增 {count}")
        if notices:
            self.stdout.write(f"  印发督办通知书：{notices} 份")
        self.stdout.write(self.style.SUCCESS(f"共新增提醒 {result.total} 条。"))
