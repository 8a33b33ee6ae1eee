from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from seeds import demo, loader


class Command(BaseCommand):
    help = (
        "载入 2024 年武隆区政府工作报告的种子数据（可重复执行）；--demo 另建演示账号和上半年进展。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true", help="创建演示账号和 2024 年 1–6 月演示进展"
        )
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭时也允许 --demo")

    def handle(self, *args, **options):
        if options["demo"] and not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG 关闭时不载入演示数据；确需载入请加 --force。")
        try:
            tally = loader.load(loader.read())
        except loader.SeedError as exc:
            raise CommandError(
                "种子数据校验失败，未载入任何数据：\n" + "\n".join(exc.errors)
            ) from exc
        for line in tally.lines():
            self.stdout.write(line)
        if not tally.changed:
            self.stdout.write(self.style.SUCCESS("种子数据已是最新，无任何变更。"))
        if not options["demo"]:
            return
        if demo.already_loaded():
            self.stdout.write("演示数据已存在，跳过。")
            self.print_logins(demo.existing_logins())  # on every start, not only the first
            return
        with transaction.atomic():
            result = demo.load_demo()
        flow = result["tasks"]
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据：投资填报 {result['investment_reports']} 条；事项签收 {flow['accepted']} 件、"
                f"进展反馈 {flow['reported']} 条、申请办结 {flow['submitted']} 件、销号 {flow['closed']} 件；"
                f"演示批示事项 {result['demo_tasks']} 件；"
                f"问题清单 {result['problems']['report']} 个据报告整改要求建立、"
                f"{result['problems']['demo']} 个演示问题；2024Q1 八张报表已发布。"
            )
        )
        kinds = result["kinds"]
        self.stdout.write(
            f"演示督办件：批示件 {kinds['instructions']} 件、会议议定事项 {kinds['meeting_items']} 项、"
            f"建议提案 {kinds['proposals']} 件。"
        )
        nodes, split = result["nodes"], result["split"]
        self.stdout.write(
            f"阶段节点：一季度按期完成 {nodes['q1_on_time']} 个、滞后完成 {nodes['q1_late']} 个、"
            f"未完成 {nodes['q1_missed']} 个，二季度提前完成 {nodes['q2_early']} 个；"
            f"指标分期数值 {result['indicator_values']} 条；"
            f"分解交办 {split['split']} 项（子事项 {split['children']} 项），"
            f"待审批的调整牵头单位申请 {split['reassign']} 件。"
        )
        self.print_logins(result["logins"])

    def print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for username, role, department in logins[:8]:
            self.stdout.write(f"  {username:<16} {role:<6} {department}")
        if len(logins) > 8:
            self.stdout.write(
                f"  …… 另有 {len(logins) - 8} 个责任单位账号 owner_<单位编码>，如 owner_fgw"
            )
