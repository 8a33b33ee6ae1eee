"""八张问题清单 and 八张报表 in the demo (``load_seeds --demo``, after ``seeds.demo``).

- The report's own rectification commitments (重大事故隐患专项排查整治, 森林督察反馈问题整改
  清零, 根治欠薪, 信访积案动态清零, 重点领域隐患排查整治) become problems on their cards, each
  the child of the commitment it comes from. The report names no single problem, its
  origin or the day it was found: the origin follows the wording, "found on" is the day the
  report was delivered (2024-01-31) and the description says both are inferred (推定); the
  lead unit and deadline are the commitment's (``assumed`` as there).
- Demo problems (【演示】) across the cards, origins and units: some rectified in Q1 or Q2,
  some open past their deadline, one that came back after its 销号 (反复出现).
- 2024Q1 is published (晾晒) on 8 April with a 通报表扬 for the head of each track and a
  通报批评 for the tail; 2024Q2 stays live.

Everything goes through the services with the clock pinned to the day it "happened".
"""

import datetime as dt
import random

from accounts.models import Department, User
from core import clock
from supervision.choices import TaskSource
from supervision.kinds.services import task_file
from supervision.loop.models import Task
from supervision.loop.transitions import task_accept, task_assign, task_submit, task_verify
from supervision.scorecards.cards import report_cards
from supervision.scorecards.interventions import intervention_create
from supervision.scorecards.publish import publish_quarter

REPORT_DAY = dt.date(2024, 1, 31)
INFERRED = "（依据政府工作报告的整改要求建立；问题来源、发现日期为推定）"
# (the commitment's code, origin, problem title, 整改目标)
FROM_REPORT = [
    ("RW24-0210-018", "hazard", "重大事故隐患专项排查发现的问题", "重大事故隐患动态清零"),
    (
        "RW24-0210-019",
        "hazard",
        "重点领域隐患排查发现的问题",
        "非煤矿山、燃气等重点领域隐患按期整改",
    ),
    ("RW24-0208-012", "supervision", "生态保护和森林督察反馈问题", "各级督察反馈问题整改清零"),
    ("RW24-0209-026", "public", "拖欠农民工工资问题", "欠薪问题动态清零"),
    ("RW24-0210-012", "petition", "信访积案", "信访积案动态清零"),
]
# (card, origin, title, deadline, closed on — None: still open)
DEMO = [
    ("safety", "hazard", "仙女山镇农家乐燃气管道老化", (3, 15), (3, 12)),
    ("safety", "duban", "芙蓉街道老旧小区消防通道堵塞", (5, 31), (5, 28)),
    ("safety", "hazard", "江口镇危岩体监测点缺失", (6, 14), None),
    ("ecology", "supervision", "乌江支流入河排污口未规范整治", (6, 21), None),
    ("ecology", "public", "羊角街道餐饮油烟扰民", (4, 30), (4, 26)),
    ("livelihood", "petition", "白马镇安置房产权证办理滞后", (6, 28), None),
    ("livelihood", "self", "城区公交站台无障碍设施不全", (9, 30), None),
    ("economy", "audit", "专项债券资金拨付滞后", (5, 20), (6, 3)),
    ("party", "inspection", "基层党组织“三会一课”记录不全", (5, 15), (5, 10)),
    ("reform", "self", "政务服务事项“一网通办”率偏低", (6, 30), (6, 25)),
    ("culture", "public", "乡镇综合文化站开放时间不足", (8, 31), None),
]
RECURRING = ("safety", "hazard", "仙女山镇农家乐燃气管道老化（整改后复发）", (7, 31))


def _at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _owner(department: Department) -> User:
    return User.objects.get(username=f"owner_{department.code.lower()}")


def _file(supervisor, *, title, domain, origin, lead, deadline, found_on, description, goal, **kw):
    with clock.override(_at(found_on.month, found_on.day)):
        task = task_file(
            actor=supervisor,
            source=TaskSource.PROBLEM,
            title=title,
            domain=domain,
            lead_department=lead,
            deadline=deadline,
            details={
                "problem": {
                    "origin": origin,
                    "found_on": found_on,
                    "description": description,
                    "rectification_goal": goal,
                    **kw.pop("problem", {}),
                }
            },
            **kw,
        )
        task_assign(task=task, actor=supervisor, comment="问题整改交办")
    with clock.override(_at(found_on.month, found_on.day + 1)):
        task_accept(task=task, actor=_owner(lead))
    return task


def _rectify(task: Task, supervisor: User, day: dt.date) -> None:
    with clock.override(_at(day.month, day.day, 9)):
        task_submit(task=task, actor=_owner(task.lead_department), summary="【演示】已整改到位。")
    with clock.override(_at(day.month, day.day, 16)):
        task_verify(task=task, actor=supervisor, approved=True, comment="现场核验属实，销号。")


def report_problems(supervisor: User) -> int:
    parents = Task.objects.select_related("lead_department").in_bulk(
        [code for code, *_ in FROM_REPORT], field_name="code"
    )
    count = 0
    for code, origin, title, goal in FROM_REPORT:
        parent = parents.get(code)
        if parent is None:  # the seeds changed: nothing to derive from
            continue
        _file(
            supervisor,
            title=title,
            domain=parent.domain,
            origin=origin,
            lead=parent.lead_department,
            deadline=parent.deadline,
            found_on=REPORT_DAY + dt.timedelta(days=1),
            description=f"政府工作报告：“{parent.content}”。{INFERRED}",
            goal=goal,
            content=parent.content,
            parent=parent,
            assumed=parent.assumed,
            assumed_fields=list(parent.assumed_fields),
        )
        count += 1
    return count


def demo_problems(rng: random.Random, supervisor: User) -> int:
    units = list(Department.objects.filter(led_tasks__isnull=False).distinct().order_by("code"))
    first = None
    for n, (domain, origin, title, (month, day), closed) in enumerate(DEMO):
        lead = units[rng.randrange(len(units))]
        task = _file(
            supervisor,
            title=f"【演示】{title}",
            domain=domain,
            origin=origin,
            lead=lead,
            deadline=dt.date(2024, month, day),
            found_on=dt.date(2024, 2 + n % 3, 5 + n),
            description=f"【演示】{title}。",
            goal="【演示】按期整改到位并建立长效机制。",
        )
        first = first or task
        if closed:
            _rectify(task, supervisor, dt.date(2024, *closed))
    first.refresh_from_db()  # rectified (销号) above
    domain, origin, title, (month, day) = RECURRING
    _file(
        supervisor,
        title=f"【演示】{title}",
        domain=domain,
        origin=origin,
        lead=first.lead_department,
        deadline=dt.date(2024, month, day),
        found_on=dt.date(2024, 6, 3),
        description="【演示】销号后回访发现燃气管道再次出现锈蚀渗漏。",
        goal="【演示】更换老化管道并纳入定期巡检。",
        problem={"recurs_of": first},
    )
    return len(DEMO) + 1


def publish_q1(supervisor: User) -> None:
    """晾晒 2024Q1 on 8 April; 通报表扬 the head and 通报批评 the tail of each track."""
    with clock.override(_at(4, 8)):
        publish_quarter(period="2024Q1", actor=supervisor)
        rows = report_cards(period="2024Q1")["rows"]
    departments = Department.objects.in_bulk([row["department"] for row in rows])
    for row in rows:
        kind = {"top": "commendation", "bottom": "criticism"}.get(row["flag"])
        if kind is None:
            continue
        with clock.override(_at(4, 10)):
            intervention_create(
                actor=supervisor,
                type=kind,
                department=departments[row["department"]],
                period="2024Q1",
                occurred_on=dt.date(2024, 4, 10),
                summary=f"【演示】2024年一季度八张报表总分 {row['total']}，赛道第 {row['place']} 名。",
            )


def load(rng: random.Random, supervisor: User) -> dict:
    result = {"report": report_problems(supervisor), "demo": demo_problems(rng, supervisor)}
    publish_q1(supervisor)
    return result
