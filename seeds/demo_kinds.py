"""Demo kinds of 督办件 for the first half of 2024 (part of ``load_seeds --demo``).

Not from the report, and marked so (titles start with 【演示】): about ten 领导批示件 at
various states (one overdue long enough for 督办 on 2024-06-28), two meetings with their
议定事项, twenty 人大建议 and fifteen 政协提案 with replies, 见面沟通 and satisfaction partly
recorded (one 并案, one 不满意 re-opened), so the 四率 page has real figures. Everything goes
through the services with the clock pinned to the day it happened.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from accounts.choices import Role
from accounts.models import Department, User
from core import clock
from supervision.choices import Domain, TaskSource
from supervision.kinds import instructions, proposals, services
from supervision.kinds.choices import MeetingForm, ReplyClass, Satisfaction, Urgency
from supervision.kinds.merge import proposal_merge
from supervision.loop.services import progress_report_create
from supervision.loop.transitions import task_accept, task_assign, task_submit, task_verify

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARK = "【演示】"

INSTRUCTIONS = [
    # (title, urgency, instructed on, state): state ∈ draft, assigned, in_progress, reported,
    # overdue (急件 due 06-24: 4 working days late on 06-28, the 督办 rung), submitted, closed.
    ("关于乌江航道安全隐患排查的批示", Urgency.URGENT, dt.date(2024, 6, 19), "overdue"),
    ("关于仙女山景区暑期接待准备的批示", Urgency.NORMAL, dt.date(2024, 6, 11), "reported"),
    ("关于农村饮水安全问题的批示", Urgency.EXTRA_URGENT, dt.date(2024, 6, 27), "assigned"),
    ("关于中小企业融资难问题的批示", Urgency.COMPLEX, dt.date(2024, 5, 20), "reported"),
    ("关于汛期地质灾害防治的批示", Urgency.URGENT, dt.date(2024, 5, 27), "closed"),
    ("关于城区停车难问题的批示", Urgency.NORMAL, dt.date(2024, 5, 10), "closed"),
    ("关于高标准农田建设进度的批示", Urgency.NORMAL, dt.date(2024, 6, 3), "submitted"),
    ("关于群众反映噪音扰民问题的批示", Urgency.URGENT, dt.date(2024, 6, 25), "in_progress"),
    ("关于招商引资项目落地的批示", Urgency.COMPLEX, dt.date(2024, 6, 5), "in_progress"),
    ("关于老旧小区改造群众意见的批示", Urgency.NORMAL, dt.date(2024, 6, 28), "draft"),
]
MEETINGS = [
    (
        "区政府第15次常务会议",
        dt.date(2024, 4, 18),
        "武隆府纪〔2024〕15号",
        ["推进城区污水管网改造", "加快乡村旅游示范点建设", "完善消费券发放方案"],
        True,
    ),
    (
        "区委财经委员会第3次会议",
        dt.date(2024, 6, 24),
        "武隆委财纪〔2024〕3号",
        ["制定特色农产品品牌培育方案", "梳理上半年重点项目资金缺口"],
        False,
    ),
]
TOPICS = [
    ("农村公路养护", Domain.LIVELIHOOD, "交通"),
    ("乡村学校师资", Domain.LIVELIHOOD, "教育"),
    ("山区医疗服务", Domain.LIVELIHOOD, "卫生"),
    ("生态旅游发展", Domain.ECONOMY, "经济"),
    ("特色农业品牌", Domain.ECONOMY, "农业"),
    ("城区交通秩序", Domain.SAFETY, "城建"),
    ("乌江生态保护", Domain.ECOLOGY, "生态"),
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def _owner(department: Department) -> User:
    return User.objects.get(username=f"owner_{department.code.lower()}")


def _units(office: User) -> list[Department]:
    """Departments that have a demo owner login (the seeded lead units), not the office."""
    codes = User.objects.filter(role=Role.OWNER, username__startswith="owner_").values_list(
        "department_id", flat=True
    )
    units = Department.objects.filter(pk__in=codes).exclude(pk=office.department_id)
    return list(units.order_by("code"))


def _instructions(rng, office, leader, units) -> int:
    for n, (title, urgency, day, state) in enumerate(INSTRUCTIONS):
        unit = units[(n * 3) % len(units)]
        owner = _owner(unit)
        with clock.override(_at(day, 9)):
            task = services.task_file(
                actor=office,
                source=TaskSource.INSTRUCTION,
                title=f"{MARK}{title}",
                content=f"{MARK}请{unit}按批示要求办理，及时报告办理情况。",
                source_ref="演示数据",
                domain=Domain.SAFETY if "安全" in title or "灾害" in title else Domain.ECONOMY,
                lead_department=unit,
                responsible_leader=leader,
                details={
                    "instruction": {
                        "leader": leader,
                        "instructed_on": day,
                        "text": f"请{unit.short_name or unit}抓紧研究，拿出具体措施，按时报结果。",
                        "document_title": f"关于{title[2:-3]}的情况报告",
                        "document_number": f"武隆委办〔2024〕{40 + n}号",
                        "urgency": urgency,
                    }
                },
            )
            if state == "draft":
                continue
            task_assign(task=task, actor=office)
        if state == "assigned":
            continue
        with clock.override(_at(day, 16)):
            task_accept(task=task, actor=owner)
        if state in ("reported", "overdue", "submitted", "closed"):
            with clock.override(_at(min(day + dt.timedelta(days=1), dt.date(2024, 6, 28)), 15)):
                progress_report_create(
                    task=task, actor=owner, content=f"{MARK}已召开专题会研究，正在按批示推进。"
                )
        if state in ("reported", "overdue"):
            with clock.override(_at(dt.date(2024, 6, 28), 11)):
                instructions.task_instruct(
                    task=task, actor=leader, text="请加快进度，务必按时办结。"
                )
        if state in ("submitted", "closed"):
            with clock.override(_at(min(day + dt.timedelta(days=5), dt.date(2024, 6, 27)), 15)):
                task_submit(task=task, actor=owner, summary=f"{MARK}已按批示办结，报请销号。")
        if state == "closed":
            with clock.override(_at(min(day + dt.timedelta(days=6), dt.date(2024, 6, 28)), 10)):
                task_verify(task=task, actor=office, approved=True, comment="核验属实，销号。")
    return len(INSTRUCTIONS)


def _meetings(office, units) -> int:
    count = 0
    for m, (name, held_on, number, titles, assign) in enumerate(MEETINGS):
        items = [
            {
                "title": f"{MARK}{title}",
                "lead_department": units[(m * 5 + i * 2 + 1) % len(units)],
                "deadline": held_on + dt.timedelta(days=60 + 30 * i),
                "domain": Domain.ECONOMY,
                "content": f"{MARK}{name}议定：{title}。",
            }
            for i, title in enumerate(titles)
        ]
        with clock.override(_at(held_on + dt.timedelta(days=1))):
            _, tasks = services.meeting_file(
                actor=office,
                name=f"{MARK}{name}",
                held_on=held_on,
                minutes_number=number,
                items=items,
                assign=assign,
            )
        if assign:
            for task in tasks[:2]:
                with clock.override(_at(held_on + dt.timedelta(days=3))):
                    task_accept(task=task, actor=_owner(task.lead_department))
        count += len(tasks)
    return count


def _proposal_plan(rng) -> list[dict]:
    """What happens to each of the 35 proposals (deterministic for the seed)."""
    plan = []
    for n in range(35):
        source = TaskSource.NPC if n < 20 else TaskSource.CPPCC
        roll = rng.random()
        plan.append(
            {
                "source": source,
                "number": f"第{(n if n < 20 else n - 20) + 1}号",
                "topic": TOPICS[n % len(TOPICS)],
                "replied": n % 7 != 3,  # five still unanswered (past the 06-01 deadline)
                "reply_class": ReplyClass.A
                if roll < 0.5
                else ReplyClass.B
                if roll < 0.85
                else ReplyClass.C,
                "met": rng.random() < 0.75,
                "closed": n % 7 not in (3, 5),
                "late": n % 11 == 9,
                "rated": n % 3 != 2,
                "satisfaction": Satisfaction.BASICALLY_SATISFIED
                if n % 5 == 4
                else Satisfaction.SATISFIED,
            }
        )
    plan[12]["satisfaction"] = Satisfaction.DISSATISFIED  # re-opened for 二次办理
    plan[12]["closed"] = plan[12]["rated"] = plan[12]["replied"] = True
    return plan


def _proposals(rng, office, units) -> int:
    filed, assigned = dt.date(2024, 2, 26), dt.date(2024, 3, 1)
    hosts = units[1:6]
    tasks = []
    for n, item in enumerate(_proposal_plan(rng)):
        topic, domain, category = item["topic"]
        lead = hosts[n % len(hosts)]
        kind = "建议" if item["source"] == TaskSource.NPC else "提案"
        with clock.override(_at(filed)):
            task = services.task_file(
                actor=office,
                source=item["source"],
                title=f"{MARK}关于加强{topic}的{kind}",
                content=f"{MARK}代表/委员{kind}：{topic}。",
                source_ref="演示数据",
                domain=domain,
                lead_department=lead,
                details={
                    "proposal": {
                        "number": item["number"],
                        "proposer": f"{'代表' if kind == '建议' else '委员'}{n + 1:02d}",
                        "proposer_contact": f"1390000{n:04d}",
                        "category": category,
                        "assist_departments": [hosts[(n + 1) % len(hosts)]] if n % 4 == 0 else [],
                    }
                },
            )
        tasks.append((task, item))
    # 并案: the 20th 建议 is handled with the 19th (same 主办 unit after merging).
    with clock.override(_at(filed, 15)):
        proposal_merge(main=tasks[18][0], others=[tasks[19][0]], actor=office)
    tasks = [(t, item) for t, item in tasks if t.pk != tasks[19][0].pk]
    with clock.override(_at(assigned)):
        services.tasks_assign(tasks=[t for t, _ in tasks], actor=office)
    for n, (task, item) in enumerate(tasks):
        owner = _owner(task.lead_department)
        with clock.override(_at(assigned + dt.timedelta(days=4))):
            task_accept(task=task, actor=owner)
        if not item["replied"]:
            continue
        replied_on = dt.date(2024, 4, 10) + dt.timedelta(days=n)
        with clock.override(_at(replied_on)):
            proposals.proposal_reply(
                task=task,
                actor=owner,
                reply_class=item["reply_class"],
                replied_on=replied_on,
                summary=f"{MARK}已答复代表/委员，{ReplyClass(item['reply_class']).label}。",
                met_on=replied_on - dt.timedelta(days=3) if item["met"] else None,
                meeting_form=MeetingForm.values[n % len(MeetingForm.values)] if item["met"] else "",
            )
        if not item["closed"]:
            continue
        closed_on = dt.date(2024, 6, 12) if item["late"] else replied_on + dt.timedelta(days=7)
        with clock.override(_at(closed_on - dt.timedelta(days=1), 15)):
            task_submit(task=task, actor=owner, summary=f"{MARK}已答复并落实，申请办结。")
        with clock.override(_at(closed_on)):
            task_verify(task=task, actor=office, approved=True, comment="核验属实，销号。")
        if not item["rated"]:
            continue
        with clock.override(_at(closed_on + dt.timedelta(days=5))):
            dissatisfied = item["satisfaction"] == Satisfaction.DISSATISFIED
            proposals.proposal_satisfaction(
                task=task,
                actor=office,
                satisfaction=item["satisfaction"],
                comment="答复未解决实际问题，希望进一步落实。" if dissatisfied else "",
                deadline=dt.date(2024, 8, 30) if dissatisfied else None,
            )
    return len(tasks) + 1


def load_kinds_demo(rng: random.Random, office: User, leader: User) -> dict[str, int]:
    units = _units(office)
    return {
        "instructions": _instructions(rng, office, leader, units),
        "meeting_items": _meetings(office, units),
        "proposals": _proposals(rng, office, units),
    }
