"""The demo's mid-year picture of phased targets on 2024-06-28 (``load_seeds --demo``).

Through the services, each with the clock pinned to the day it happened: the lead units
complete their first-quarter nodes (most on time with values, some late, some missed), a
few get ahead on the second quarter (due 06-30, so the rest stand at 预警), the units that
fell behind say so in June's progress report, the responsible units enter Q1 and May
values for most indicators, the office splits a few tasks to towns (末端落实), and one
town asks to hand its part to another unit (pending).
"""

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.choices import DepartmentKind, Role
from accounts.models import Department, User
from accounts.services import SYSTEM_USERNAME, user_create
from core import clock
from seeds.nodes import is_cumulative
from supervision.choices import Comparison, NodeStatus, TaskStatus
from supervision.loop.models import Indicator, Task
from supervision.loop.services import progress_report_create
from supervision.loop.transitions import task_accept
from supervision.phases.indicators import indicator_value_enter, sequential_target
from supervision.phases.models import Node
from supervision.phases.nodes import node_complete
from supervision.phases.reassign import reassign_request_create
from supervision.phases.split import task_split

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARK = "【演示】"
FOUR = Decimal("0.0001")


def _at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, 0, tzinfo=SHANGHAI)


def _value(node: Node, factor: float) -> Decimal | None:
    if node.target_value is None:
        return None
    return (node.target_value * Decimal(str(factor))).quantize(FOUR)


def _complete(node: Node, owner: User, day: dt.date, factor: float, note: str) -> None:
    with clock.override(_at(day.month, day.day, 16)):
        node_complete(
            actor=owner,
            node=node,
            completed_on=day,
            value=_value(node, factor),
            note=f"{MARK}{note}",
        )


def finish_nodes(task: Task, owner: User, day: dt.date) -> None:
    """A task finished early: the unit completed each node due by ``day`` on time."""
    for node in task.nodes.filter(status=NodeStatus.APPROVED, due_date__lte=day):
        _complete(node, owner, node.due_date - dt.timedelta(days=2), 1.05, "节点按期完成。")


def first_half(rng: random.Random, owner_of) -> dict[str, int]:
    """Q1 and Q2 nodes of the report's tasks in hand, and June's values where behind."""
    tally = {"q1_on_time": 0, "q1_late": 0, "q1_missed": 0, "q2_early": 0, "reports": 0}
    tasks = (
        Task.objects.filter(status=TaskStatus.IN_PROGRESS, created_by__username=SYSTEM_USERNAME)
        .select_related("lead_department")
        .order_by("code")
    )
    for task in tasks:
        owner = owner_of(task.lead_department)
        nodes = list(task.nodes.filter(status=NodeStatus.APPROVED).order_by("sequence")[:2])
        if len(nodes) < 2:
            continue
        q1, q2 = nodes
        roll = rng.random()
        if roll < 0.72:
            day = dt.date(2024, 3, rng.randint(18, 29))
            _complete(q1, owner, day, rng.uniform(0.92, 1.15), "一季度节点按期完成。")
            tally["q1_on_time"] += 1
        elif roll < 0.84:
            day = dt.date(2024, 4, rng.randint(8, 26))
            _complete(q1, owner, day, rng.uniform(0.9, 1.0), "一季度节点滞后完成。")
            tally["q1_late"] += 1
        else:
            tally["q1_missed"] += 1
            continue  # missed: overdue since April, the light is red
        if rng.random() < 0.3:
            day = dt.date(2024, 6, rng.randint(17, 26))
            _complete(q2, owner, day, rng.uniform(0.98, 1.1), "二季度节点提前完成。")
            tally["q2_early"] += 1
        elif is_cumulative(task) and task.indicator_id is None:
            # June's report: on pace, a little behind 序时, or well behind.
            pace = rng.choices([(0.9, 1.05), (0.72, 0.85), (0.5, 0.65)], [55, 25, 20])[0]
            share = Decimal(str(0.49 * rng.uniform(*pace)))
            value = (task.target_value * share).quantize(FOUR)
            with clock.override(_at(6, rng.randint(24, 27), 11)):
                progress_report_create(
                    task=task,
                    actor=owner,
                    content=f"{MARK}截至6月下旬累计完成{value.normalize():f}{task.target_unit}。",
                    value=value,
                )
            tally["reports"] += 1
    return tally


def _indicator_value(indicator: Indicator, period: str, factor: float) -> Decimal:
    target = indicator.target_value
    if indicator.comparison == Comparison.AT_LEAST:
        base = sequential_target(indicator, period)
    elif indicator.comparison == Comparison.ABOUT:
        base = target + (indicator.tolerance or Decimal(0)) * Decimal(str(factor - 1)) * 4
        return base.quantize(FOUR)
    else:  # at_most: above the target is behind
        base = target * Decimal(str(2 - factor))
        return base.quantize(FOUR)
    return (base * Decimal(str(factor))).quantize(FOUR)


def indicator_values(rng: random.Random, owner_of, supervisor: User) -> int:
    """Q1 (entered mid-April) and May (mid-June) values for most numeric indicators."""
    count = 0
    indicators = Indicator.objects.filter(
        year=2024, target_value__isnull=False, department__isnull=False
    ).exclude(comparison="")
    for indicator in indicators.select_related("department").order_by("code"):
        if rng.random() < 0.12:
            continue  # not reported yet
        actor = owner_of(indicator.department) or supervisor
        pace = rng.choices([(0.95, 1.08), (0.84, 0.92), (0.6, 0.78)], [60, 25, 15])[0]
        for period, when in (("2024Q1", _at(4, 16)), ("2024-05", _at(6, 14))):
            value = _indicator_value(indicator, period, rng.uniform(*pace))
            with clock.override(when):
                indicator_value_enter(
                    actor=actor,
                    indicator=indicator,
                    period=period,
                    value=value,
                    note=f"{MARK}{indicator.department}统计快报",
                )
            count += 1
    return count


def town_owner(town: Department) -> User:
    username = f"owner_{town.code.lower()}"
    user = User.objects.filter(username=username).first()
    if user is None:
        from seeds.demo import DEMO_PASSWORD

        user = user_create(
            username=username,
            role=Role.OWNER,
            department=town,
            password=DEMO_PASSWORD,
            display_name=f"{town}联络员",
        )
    return user


def split_to_towns(rng: random.Random, supervisor: User) -> dict[str, int]:
    """末端落实: the office splits three quantitative tasks to towns on 06-21; most towns
    sign on the 24th; one asks on the 25th to hand its part back to the county unit."""
    towns = list(Department.objects.filter(kind=DepartmentKind.TOWN).order_by("code"))
    candidates = [
        t
        for t in Task.objects.filter(status=TaskStatus.IN_PROGRESS, parent__isnull=True)
        .exclude(code__startswith="DEMO-")
        .exclude(lead_department__kind=DepartmentKind.TOWN)
        .select_related("lead_department")
        .order_by("code")
        if is_cumulative(t) and t.indicator_id is None
    ]
    chosen = rng.sample(candidates, min(3, len(candidates)))
    children = []
    for task in sorted(chosen, key=lambda t: t.code):
        picked = rng.sample(towns, 3)
        share = (task.target_value / 3).quantize(FOUR)
        with clock.override(_at(6, 21, 9)):
            children += task_split(
                task=task,
                actor=supervisor,
                children=[
                    {
                        "lead_department": town,
                        "target_value": share,
                        "target_unit": task.target_unit,
                    }
                    for town in picked
                ],
            )
    asking = children[-1] if children else None
    for child in children:
        owner = town_owner(child.lead_department)
        if child is asking:
            continue
        with clock.override(_at(6, 24, 10)):
            task_accept(task=child, actor=owner, comment="已签收，抓好末端落实。")
    if asking is not None:
        with clock.override(_at(6, 25, 15)):
            reassign_request_create(
                task=asking,
                actor=town_owner(asking.lead_department),
                reason=f"{MARK}该项涉及跨乡镇管网，由区级主管部门统一实施更合适。",
                suggested_department=asking.parent.lead_department,
            )
    return {"split": len(chosen), "children": len(children), "reassign": int(asking is not None)}
