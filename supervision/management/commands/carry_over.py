"""``manage.py carry_over 2024``: 结转 — next-year tasks for the open work of 2024."""

from django.core.management.base import BaseCommand, CommandError

from accounts.choices import Role
from accounts.models import User
from core.validators import year_in_range
from supervision.phases.yearend import carry_over


class Command(BaseCommand):
    help = "把指定年度未办结的督办事项结转为下一年度的事项（与原事项关联，原事项不自动销号）。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="要结转的年度，如 2024")
        parser.add_argument("--actor", help="以哪个督查办用户的名义结转（用户名；默认第一个）")
        parser.add_argument("--draft", action="store_true", help="新事项保留为草稿，不交办")
        parser.add_argument("--dry-run", action="store_true", help="只列出将结转的事项")

    def handle(self, *args, year, actor=None, draft=False, dry_run=False, **options):
        if not year_in_range(year):
            raise CommandError("年度须在 2000–2100 之间。")
        users = User.objects.filter(is_active=True)
        if actor:
            user = users.filter(username=actor).first()
        else:
            user = users.filter(role=Role.SUPERVISOR).order_by("pk").first()
        if user is None or not user.is_supervisor:
            raise CommandError("找不到可用的督查办用户（用 --actor 指定）。")
        result = carry_over(year=year, actor=user, assign=not draft, dry_run=dry_run)
        verb = "将结转" if dry_run else "已结转"
        for old, new in result.created:
            target = f" → {new.code}" if new else ""
            self.stdout.write(
                f"{verb} {old.code} {old.title}（{old.get_status_display()}）{target}"
            )
        for task, why in result.skipped:
            self.stdout.write(f"未结转 {task.code} {task.title}：{why}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{year} 年未办结事项 {len(result.created)} 项{verb}至 {year + 1} 年；"
                f"原事项均未销号，请逐项核验销号或撤销。"
            )
        )
