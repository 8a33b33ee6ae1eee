"""The hand-worked quarter (2024Q2) of the report-card tests, evaluated on 10 July 2024.

Every figure the tests assert is worked out by hand in ``test_report_cards.py``. Unit DA
(区级部门) has something on every one of the eight cards; DB–DE and the towns TA–TC are
there for places, ties, flags and who is listed.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.choices import DepartmentKind, Role
from core import clock
from supervision.models import Indicator, IndicatorValue, Node
from supervision.scorecards.adjustments import score_adjustment_create
from supervision.scorecards.models import ScoringRule
from supervision.scorecards.rules import scoring_rule_update
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
AFTER_Q2 = dt.date(2024, 7, 10)  # E = 2024-06-30, the quarter finished


def at(month, day, hour=10, year=2024) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def after_q2(settings):
    settings.SUPERVISION_TODAY = AFTER_Q2
    return AFTER_Q2


def task(dept, domain, deadline, status="in_progress", closed=None, **extra):
    """A counted task; ``closed`` (an aware moment) closes it then."""
    if closed is not None:
        status, extra["closed_at"] = "closed", closed
    return factories.TaskFactory(
        lead_department=dept, domain=domain, deadline=deadline, status=status, **extra
    )


def node(owner_task, sequence, due, status="approved", done=None):
    return Node.objects.create(
        task=owner_task,
        sequence=sequence,
        title=f"节点{sequence}",
        due_date=due,
        target_text="阶段目标",
        status="done" if done else status,
        completed_on=done,
    )


def indicator(code, dept, domain, unit, target, comparison, values, tolerance=None, entered=None):
    item = Indicator.objects.create(
        code=code,
        name=f"指标{code}",
        domain=domain,
        unit=unit,
        target_value=Decimal(target),
        comparison=comparison,
        tolerance=None if tolerance is None else Decimal(tolerance),
        year=2024,
        department=dept,
    )
    for period, value in values.items():
        IndicatorValue.objects.create(
            indicator=item,
            period=period,
            value=Decimal(value),
            entered_by=entered,
            entered_at=at(7, 5),
        )
    return item


@pytest.fixture
def office(supervisor):
    """The supervision office (it leads a closed Q2 task: still not listed)."""
    task(supervisor.department, "party", dt.date(2024, 5, 10), closed=at(5, 9))
    return supervisor.department


@pytest.fixture
def quarter(db, office, supervisor):
    """The units of 2024Q2 and what they did; returns the departments by code."""
    d = {
        code: factories.DepartmentFactory(code=code, name=f"单位{code}", kind=kind)
        for code, kind in [
            ("DA", DepartmentKind.DISTRICT),
            ("DB", DepartmentKind.DISTRICT),
            ("DC", DepartmentKind.SOE),
            ("DD", DepartmentKind.OTHER),
            ("DE", DepartmentKind.DISTRICT),
            ("DF", DepartmentKind.DISTRICT),
            ("DX", DepartmentKind.DISTRICT),
            ("TA", DepartmentKind.TOWN),
            ("TB", DepartmentKind.STREET),
            ("TC", DepartmentKind.TOWN),
        ]
    }
    d["DX"].is_active = False
    d["DX"].save()
    da = d["DA"]
    stats = factories.UserFactory(role=Role.OWNER, department=da)
    june30 = dt.date(2024, 6, 30)

    # 党建: P1 closed on time, P2 open past its deadline; a draft and a cancelled task are
    # not counted.
    task(da, "party", dt.date(2024, 5, 31), closed=at(5, 30))
    task(da, "party", dt.date(2024, 6, 14))
    task(da, "party", dt.date(2024, 6, 1), status="draft")
    task(da, "party", dt.date(2024, 6, 1), status="cancelled")

    # 经济: two indicators judged, nodes, the project's investment.
    indicator(
        "I1",
        da,
        "economy",
        "亿元",
        "120",
        "at_least",
        {"2024-05": "45", "2024Q2": "62", "2024-07": "70"},
        entered=stats,
    )
    indicator(
        "I2",
        da,
        "economy",
        "%",
        "6.0",
        "at_least",
        {"2024Q1": "6.5", "2024Q2": "5.5"},
        entered=stats,
    )
    indicator("I3", da, "economy", "%", "7.0", "at_least", {}, entered=stats)  # no value
    indicator("I4", None, "economy", "%", "7.0", "at_least", {"2024Q2": "1"}, entered=stats)
    eco = task(da, "economy", dt.date(2024, 12, 31))
    node(eco, 1, dt.date(2024, 5, 15), done=dt.date(2024, 5, 10))
    node(eco, 2, dt.date(2024, 6, 10), done=dt.date(2024, 6, 12))
    node(eco, 3, dt.date(2024, 7, 15))  # Q3
    node(eco, 4, dt.date(2024, 6, 20), status="proposed")  # not approved: not counted
    project = factories.ProjectFactory(lead_department=da, annual_plan_investment=Decimal(1000))
    for month, amount in {1: 50, 2: 50, 3: 100, 4: 100, 5: 50, 6: 50, 7: 100}.items():
        factories.InvestmentReportFactory(
            project=project, period=dt.date(2024, month, 1), amount=Decimal(amount)
        )

    # 平安: one task closed on its deadline day; a 扣分 of 2.
    task(da, "safety", dt.date(2024, 4, 15), closed=at(4, 15, 17))

    # 改革: a node on time (on its due day), one missed, one owed by a task closed early.
    reform = task(da, "reform", dt.date(2024, 12, 31))
    node(reform, 1, dt.date(2024, 4, 30), done=dt.date(2024, 4, 30))
    node(reform, 2, dt.date(2024, 6, 15))
    early = task(da, "reform", dt.date(2024, 12, 31), closed=at(5, 1))
    node(early, 1, dt.date(2024, 5, 20))

    # 创新: an at_most amount, judged as it stands (not prorated).
    indicator("N1", da, "innovation", "万吨", "100", "at_most", {"2024-06": "55"}, entered=stats)

    # 生态: an "about" indicator within its tolerance; a task closed late (due Fri 28 Jun).
    indicator(
        "E1", da, "ecology", "%", "50", "about", {"2024Q2": "50.8"}, tolerance="1", entered=stats
    )
    task(da, "ecology", dt.date(2024, 6, 28), closed=at(7, 2))

    # 文化: the office sets the indicator weight to 0; one node on time, one task late.
    indicator("C1", da, "culture", "%", "90", "at_least", {"2024Q2": "95"}, entered=stats)
    culture = task(da, "culture", dt.date(2024, 12, 31))
    node(culture, 1, dt.date(2024, 5, 5), done=dt.date(2024, 5, 5))
    task(da, "culture", dt.date(2024, 6, 3), status="assigned")
    rule = ScoringRule.objects.get(domain="culture")
    scoring_rule_update(actor=supervisor, rule=rule, indicators_weight=0)

    # 民生: two closed on time, one late; a 加分 of 1.5.
    task(da, "livelihood", dt.date(2024, 4, 30), closed=at(4, 29))
    task(da, "livelihood", dt.date(2024, 5, 31), closed=at(5, 31, 23))
    task(da, "livelihood", dt.date(2024, 6, 5), closed=at(6, 6))

    # DB: 党建 3 of 4 on time, then 扣分 7.25 — its total ties DA's.
    for day in (3, 4, 5):
        task(d["DB"], "party", dt.date(2024, 5, day), closed=at(5, day))
    task(d["DB"], "party", dt.date(2024, 5, 6), status="submitted")
    # DC (a state firm, district track): 经济 1 of 1. DD (other): 党建 0 of 1.
    task(d["DC"], "economy", dt.date(2024, 4, 10), closed=at(4, 9))
    task(d["DD"], "party", dt.date(2024, 6, 20))
    # DE: only a Q3 task (listed, nothing to judge). DF: only a draft and a cancelled task.
    task(d["DE"], "party", dt.date(2024, 9, 30), status="assigned")
    task(d["DF"], "party", dt.date(2024, 5, 1), status="draft")
    task(d["DF"], "party", dt.date(2024, 5, 1), status="cancelled")
    task(d["DX"], "party", dt.date(2024, 5, 1), closed=at(5, 1))  # inactive
    # Towns: TA 党建 1 of 2, TB 民生 1 of 2 (tie), TC 平安 0 of 1.
    task(d["TA"], "party", dt.date(2024, 4, 1), closed=at(4, 1))
    task(d["TA"], "party", june30)
    task(d["TB"], "livelihood", dt.date(2024, 4, 2), closed=at(4, 2))
    task(d["TB"], "livelihood", dt.date(2024, 4, 3), closed=at(4, 8))
    task(d["TC"], "safety", dt.date(2024, 5, 20))

    # 加分/扣分 (entered during the quarter).
    for day, unit, domain, points, reason in [
        (20, da, "safety", "-2", "安全生产信息迟报"),
        (20, da, "livelihood", "1.5", "民生实事获市级表扬"),
        (21, d["DB"], "party", "-7.25", "专项工作推进不力"),
    ]:
        with clock.override(at(6, day)):
            score_adjustment_create(
                actor=supervisor,
                department=unit,
                period="2024Q2",
                domain=domain,
                points=points,
                reason=reason,
            )
    return d
