"""``manage.py rebuild_figures``: recompute the cockpit's per-task and per-project figures."""

from django.core.management.base import BaseCommand

from supervision.scorecards import summaries


class Command(BaseCommand):
    help = (
        "从事项、节点、项目、投资填报和里程碑重新计算驾驶舱汇总数（批量导入绕过触发器之后使用）。"
    )

    def handle(self, *args, **options):
        summaries.rebuild()
        if options["verbosity"]:
            self.stdout.write("驾驶舱汇总数已重新计算。")
