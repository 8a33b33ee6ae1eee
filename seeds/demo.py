"""Deterministic demo activity for January–June 2024 (``load_seeds --demo``).

Everything goes through the services with the clock pinned to the day it "happened", so
the closed-loop log reads like a real half year. Demo rows are marked: investment notes
and progress reports start with 【演示】, demo tasks have codes ``DEMO-…``.
"""

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.choices import Role
from accounts.models import Department, User
from accounts.services import user_create
from core import clock
from projects.models import Project
from projects.services import investment_report_create
from seeds import demo_phases, demo_problems
from seeds.demo_kinds import load_kinds_demo
from supervision.choices import Domain, TaskSource, TaskStatus
from supervision.loop.models import Task
from supervision.loop.services import progress_report_create, task_create
from supervision.loop.transitions import task_accept, task_assign, task_submit, task_verify

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARK = "【演示】"
DEMO_PASSWORD = "Wulong-2024"  # noqa: S105 — printed on purpose: demo logins only
LOGINS = [
    ("admin", None, "系统管理员", None),
    ("duchaban", Role.SUPERVISOR, "督查办·王敏", "DCB"),
    ("leader", Role.LEADER, "区领导·李强", None),
    ("viewer", Role.VIEWER, "人大联络·赵宁", None),
]


def _at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, 0, tzinfo=SHANGHAI)


def already_loaded() -> bool:
    return User.objects.filter(username="duchaban").exists()


def existing_logins() -> list[tuple[str, str, str]]:
    """The demo logins already in the database, as ``create_logins`` returned them."""
    fixed = [username for username, *_ in LOGINS]
    users = User.objects.filter(username__in=fixed) | User.objects.filter(
        username__startswith="owner_"
    )
    users = {user.username: user for user in users.select_related("department")}
    owners = [name for name in users if name not in fixed]
    order = fixed + sorted(owners, key=lambda name: getattr(users[name].department, "code", name))
    return [
        (
            name,
            "超级管理员" if users[name].is_superuser else users[name].get_role_display(),
            str(users[name].department or ""),
        )
        for name in order
        if name in users
    ]


def create_logins() -> list[tuple[str, str, str]]:
    """Demo logins for every role: (username, role label, department)."""
    created = []
    for username, role, name, dept_code in LOGINS:
        department = Department.objects.get(code=dept_code) if dept_code else None
        if role is None:
            user = User.objects.create_superuser(username, password=DEMO_PASSWORD)
            user.display_name, user.role = name, Role.SUPERVISOR
            user.save(update_fields=["display_name", "role"])
            created.append((username, "超级管理员", ""))
            continue
        user_create(
            username=username,
            role=role,
            department=department,
            password=DEMO_PASSWORD,
            display_name=name,
        )
        created.append((username, Role(role).label, str(department or "")))
    # One owner login per department that leads seeded work.
    led = Department.objects.filter(led_tasks__isnull=False).distinct().order_by("code")
    for department in led:
        username = f"owner_{department.code.lower()}"
        user_create(
            username=username,
            role=Role.OWNER,
            department=department,
            password=DEMO_PASSWORD,
            display_name=f"{department}联络员",
        )
        created.append((username, Role.OWNER.label, str(department)))
    return created


def _owner(department: Department) -> User:
    return User.objects.get(username=f"owner_{department.code.lower()}")


def invest(rng: random.Random) -> int:
    """Monthly investment reports January–May for every project with an annual plan."""
    count = 0
    for project in Project.objects.filter(annual_plan_investment__gt=0).select_related(
        "lead_department"
    ):
        owner = (
            _owner(project.lead_department)
            if Task.objects.filter(lead_department=project.lead_department).exists()
            else User.objects.get(username="duchaban")
        )
        pace = Decimal(str(rng.uniform(0.55, 1.25)))  # some projects lag 序时进度, some lead
        for month in range(1, 6):
            amount = (project.annual_plan_investment / 12 * pace).quantize(Decimal("0.01"))
            with clock.override(_at(month + 1, 5)):
                investment_report_create(
                    actor=owner,
                    project=project,
                    period=dt.date(2024, month, 1),
                    amount=amount,
                    note=f"{MARK}{month}月完成投资",
                )
            count += 1
    return count


def walk_tasks(rng: random.Random, supervisor: User) -> dict[str, int]:
    """Move seeded tasks around the loop: most accepted, some reporting, a few closed."""
    tally = {"accepted": 0, "reported": 0, "submitted": 0, "closed": 0}
    tasks = list(Task.objects.filter(status=TaskStatus.ASSIGNED).select_related("lead_department"))
    for task in tasks:
        roll = rng.random()
        if roll < 0.15:
            continue  # not yet signed for
        owner = _owner(task.lead_department)
        with clock.override(_at(2, rng.randint(18, 29))):
            task_accept(task=task, actor=owner)
        tally["accepted"] += 1
        if roll < 0.35:
            continue
        for month in (3, 4, 5, 6):
            if rng.random() < 0.8:
                percent = min(100, int(month * 12 * rng.uniform(0.7, 1.3)))
                with clock.override(_at(month, rng.randint(20, 27))):
                    progress_report_create(
                        task=task,
                        actor=owner,
                        content=f"{MARK}{month}月按计划推进。",
                        next_steps="继续按序时推进。",
                        percent=percent,
                    )
                tally["reported"] += 1
        if roll > 0.93:
            demo_phases.finish_nodes(task, owner, dt.date(2024, 6, 27))
            with clock.override(_at(6, 27, 15)):  # after the month's last report
                task_submit(task=task, actor=owner, summary=f"{MARK}已完成年度目标，申请办结。")
            tally["submitted"] += 1
            if roll > 0.96:
                with clock.override(_at(6, 28, 9)):
                    task_verify(
                        task=task, actor=supervisor, approved=True, comment="核验属实，销号。"
                    )
                tally["closed"] += 1
    return tally


def overdue_examples(rng: random.Random, supervisor: User) -> int:
    """A few leader instructions (批示) with spring deadlines, some missed, for the ladder."""
    departments = list(
        Department.objects.filter(led_tasks__isnull=False).distinct().order_by("code")
    )
    deadlines = [
        dt.date(2024, 5, 31),
        dt.date(2024, 6, 14),
        dt.date(2024, 6, 21),
        dt.date(2024, 6, 28),
        dt.date(2024, 7, 2),
        dt.date(2024, 7, 31),
    ]
    for n, deadline in enumerate(deadlines, start=1):
        department = departments[rng.randrange(len(departments))]
        with clock.override(_at(5, 6)):
            task = task_create(
                actor=supervisor,
                code=f"DEMO-{n:02d}",
                title=f"{MARK}区领导批示事项{n}",
                content=f"{MARK}请{department}于{deadline:%m月%d日}前办结并报送结果。",
                source=TaskSource.INSTRUCTION,
                source_ref="演示数据",
                domain=Domain.ECONOMY,
                lead_department=department,
                deadline=deadline,
            )
            task_assign(task=task, actor=supervisor)
        if n % 2:
            with clock.override(_at(5, 8)):
                task_accept(task=task, actor=_owner(department))
    return len(deadlines)


def _owner_or_none(department: Department) -> User | None:
    return User.objects.filter(username=f"owner_{department.code.lower()}").first()


def load_demo(seed: int = 2024) -> dict:
    rng = random.Random(seed)  # noqa: S311 — deterministic demo data, not security
    logins = create_logins()
    supervisor = User.objects.get(username="duchaban")
    result = {
        "logins": logins,
        "investment_reports": invest(rng),
        "tasks": walk_tasks(rng, supervisor),
        "demo_tasks": overdue_examples(rng, supervisor),
        "kinds": load_kinds_demo(rng, supervisor, User.objects.get(username="leader")),
        "problems": demo_problems.load(rng, supervisor),
    }
    # Phased targets (issue 13): nodes, indicator values, 末端落实, one reassignment pending.
    result["nodes"] = demo_phases.first_half(rng, _owner)
    result["tasks"]["reported"] += result["nodes"]["reports"]  # June's reports with a value
    result["indicator_values"] = demo_phases.indicator_values(rng, _owner_or_none, supervisor)
    result["split"] = demo_phases.split_to_towns(rng, supervisor)
    result["logins"] = existing_logins()  # with the towns' logins the split added
    return result
