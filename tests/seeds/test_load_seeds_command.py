"""``manage.py load_seeds`` (and ``--demo``): one real load for the module, rolled back at its end."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from accounts.models import User
from projects.models import InvestmentReport, Project
from seeds import demo, loader
from supervision.kinds.models import Meeting, ProposalDetail
from supervision.kinds.stats import proposal_stats
from supervision.loop.selectors import overdue_days
from supervision.models import Intervention, ProgressReport, RankingSnapshot, Task
from tests.seeds.source import row_counts

pytestmark = pytest.mark.django_db

JUNE_28 = dt.date(2024, 6, 28)
NO_CHANGE = "种子数据已是最新，无任何变更。"


def run(*args) -> str:
    out = io.StringIO()
    call_command("load_seeds", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def first_run(module_transaction, django_db_blocker) -> str:
    """The output of ``load_seeds`` on an empty database."""
    with django_db_blocker.unblock():
        assert row_counts()["departments"] == 0, "the test database is not empty"
        return run()


@pytest.fixture(scope="module")
def expected_counts() -> dict[str, int]:
    data = loader.read()
    return {
        "单位": len(data.departments),
        "项目": len(data.projects),
        "节点": sum(len(row.get("milestones") or []) for row in data.projects),
        "指标": len(data.indicators),
        "事项": len(data.tasks),
        loader.NODES_KIND: len(data.tasks),
    }


def test_the_first_run_prints_what_it_created_per_kind(first_run, expected_counts):
    assert first_run.splitlines() == [
        f"{kind}: 新增 {n}，更新 0，未变 0" for kind, n in expected_counts.items()
    ]
    assert expected_counts == {
        "单位": 54,
        "项目": 94,
        "节点": 55,
        "指标": 74,
        "事项": 422,
        loader.NODES_KIND: 422,
    }
    assert Task.objects.count() == 422


def test_the_second_run_says_nothing_changed(first_run, expected_counts):
    before = row_counts()
    assert run().splitlines() == [
        *(f"{kind}: 新增 0，更新 0，未变 {n}" for kind, n in expected_counts.items()),
        NO_CHANGE,
    ]
    assert row_counts() == before


def _number(output: str, pattern: str) -> int:
    match = re.search(pattern, output)
    assert match, f"{pattern!r} not in the output"
    return int(match.group(1))


def test_demo_creates_logins_activity_and_overdue_examples(first_run, settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # ~40 logins
    seeded = row_counts()

    output = run("--demo")

    # The seed load itself found nothing to do.
    assert NO_CHANGE in output
    assert f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：" in output

    # A login for every role, and a superuser.
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    supervisor = User.objects.get(username="duchaban")
    assert (supervisor.role, supervisor.department.code) == ("supervisor", "DCB")
    assert User.objects.get(username="leader").role == "leader"
    assert User.objects.get(username="viewer").role == "viewer"
    for user in (admin, supervisor):
        assert user.check_password(demo.DEMO_PASSWORD)
    leads = set(
        Task.objects.exclude(code__startswith="DEMO-").values_list(
            "lead_department__code", flat=True
        )
    )
    owners = User.objects.filter(role="owner")
    assert {(u.username, u.department.code) for u in owners.select_related("department")} == {
        (f"owner_{code.lower()}", code) for code in leads
    }
    assert {u.role for u in User.objects.all()} == {"supervisor", "leader", "owner", "viewer"}

    # Seeded tasks moved round the loop, consistent with what the command reported (the
    # children the demo split off to towns are the office's, not the report's).
    seeded_tasks = (
        Task.objects.exclude(title__startswith=demo.MARK)
        .exclude(source="problem")
        .exclude(parent__isnull=False, created_by__username="duchaban")  # split to towns
    )
    statuses = {
        s: seeded_tasks.filter(status=s).count() for s in ("in_progress", "submitted", "closed")
    }
    assert all(statuses.values()), statuses
    assert _number(output, r"事项签收 (\d+) 件") == sum(statuses.values())
    assert _number(output, r"申请办结 (\d+) 件") == statuses["submitted"] + statuses["closed"]
    assert _number(output, r"销号 (\d+) 件") == statuses["closed"]
    seeded_reports = ProgressReport.objects.filter(task__in=seeded_tasks)
    assert _number(output, r"进展反馈 (\d+) 条") == seeded_reports.count() > 0
    assert seeded_tasks.count() == seeded["tasks"]

    # Investment reports January–May 2024 for the projects with an annual plan.
    planned = set(
        Project.objects.filter(annual_plan_investment__gt=0).values_list("code", flat=True)
    )
    assert planned == {"KW-04", "KW-08", "P-074"}
    reports = InvestmentReport.objects.select_related("project")
    assert {(r.project.code, r.period) for r in reports} == {
        (code, dt.date(2024, month, 1)) for code in planned for month in range(1, 6)
    }
    assert _number(output, r"投资填报 (\d+) 条") == reports.count() == 15
    assert all(r.amount > Decimal("0") and r.note.startswith(demo.MARK) for r in reports)

    # DEMO-* leader instructions, some overdue on 2024-06-28 (working days, 端午 2024-06-10 off).
    demo_tasks = Task.objects.filter(code__startswith="DEMO-").order_by("code")
    assert _number(output, r"演示批示事项 (\d+) 件") == demo_tasks.count() == 6
    assert {t.source for t in demo_tasks} == {"instruction"}
    overdue = {t.code: overdue_days(t, JUNE_28) for t in demo_tasks if overdue_days(t, JUNE_28)}
    assert overdue == {"DEMO-01": 19, "DEMO-02": 10, "DEMO-03": 5}

    # The kinds (issue 14): 批示件 at several states, one at 督办; meetings; the 四率 figures.
    assert "演示督办件：批示件 10 件、会议议定事项 5 项、建议提案 35 件。" in output
    instructions = Task.objects.filter(source="instruction", instruction__isnull=False)
    assert instructions.count() == 10
    assert len(set(instructions.values_list("status", flat=True))) == 5
    assert max(overdue_days(t, JUNE_28) for t in instructions) == 4  # 督办: 3 ≤ 4 < 5
    assert Meeting.objects.annotate(n=Count("items")).filter(n__gte=2).count() == 2
    figures = proposal_stats(today=JUNE_28)["overall"]
    assert (figures.total, figures.replied, figures.rated) == (35, 30, 18)
    rates = [figures.on_time_rate, figures.meeting_rate, figures.satisfaction_rate]
    assert all(0 < rate < 100 for rate in [*rates, figures.resolution_rate])
    assert ProposalDetail.objects.filter(round=2).count() == 1  # 不满意: 二次办理
    assert ProposalDetail.objects.filter(merged_into__isnull=False).count() == 1  # 并案

    # 八张问题清单: the report's rectification commitments (children of their commitments,
    # origin and found-on inferred) and demo problems, one of them recurring; Q1 published
    # with a 通报表扬/批评 for the head and tail of each track.
    problems = Task.objects.filter(source="problem").select_related("problem", "parent")
    from_report = [p for p in problems if p.parent_id]
    assert _number(output, r"问题清单 (\d+) 个据报告") == len(from_report) == 5
    assert all("推定" in p.problem.description for p in from_report)
    assert _number(output, r"、(\d+) 个演示问题") == len(problems) - 5 == 12
    assert [p.title for p in problems if p.problem.recurring] == [
        "【演示】仙女山镇农家乐燃气管道老化（整改后复发）"
    ]
    assert {p.status for p in problems} >= {"closed", "in_progress"}
    assert RankingSnapshot.objects.get().period == "2024Q1"
    assert {i.type for i in Intervention.objects.all()} == {"commendation", "criticism"}

    # Phased targets at mid-year (issue 13): every report task has its quarterly nodes; Q1
    # mostly done with values, a few late, some missed; Q2 (due 06-30) mostly open; Q1/May
    # values for most indicators, a spread of indicator lights; three tasks split to towns;
    # one reassignment pending.
    phases_at_mid_year(output)

    # A second --demo finds it there and adds nothing.
    after = row_counts()
    again = run("--demo")
    assert "演示数据已存在，跳过。" in again
    # The demo logins are printed on every start (issue 17), the same as the first time.
    first_logins = output[output.index("演示账号") :]
    assert again[again.index("演示账号") :] == first_logins
    assert "duchaban" in first_logins
    assert "owner_fgw" in first_logins
    assert NO_CHANGE in again
    assert "演示数据：" not in again
    assert row_counts() == after


def phases_at_mid_year(output: str):
    from collections import Counter

    from supervision.loop.models import Indicator
    from supervision.phases.indicators import indicator_lights
    from supervision.phases.models import IndicatorValue, Node, ReassignRequest

    report = Task.objects.exclude(code__startswith="DEMO-").filter(created_by__username="system")
    assert not report.filter(nodes__isnull=True).exists()
    assert not Node.objects.filter(task__in=report, assumed=False).exists()
    q1 = Node.objects.filter(task__in=report, sequence=1, task__status="in_progress")
    done = q1.filter(status="done")
    late = done.filter(completed_on__gt=F("due_date"))
    missed = q1.filter(status="approved", due_date__lt=JUNE_28)
    assert done.count() > 2 * missed.count() > 0
    assert 0 < late.count() < done.count() / 4
    assert _number(output, r"一季度按期完成 (\d+) 个") == done.count() - late.count()
    assert _number(output, r"未完成 (\d+) 个") == missed.count()
    assert not done.filter(target_value__isnull=False, value__isnull=True).exists()
    q2 = Node.objects.filter(task__in=report, sequence=2, due_date=dt.date(2024, 6, 30))
    assert q2.filter(status="approved").count() > q2.filter(status="done").count() > 0
    assert _number(output, r"指标分期数值 (\d+) 条") == IndicatorValue.objects.count()
    entered = IndicatorValue.objects.values("indicator").distinct().count()
    numeric = Indicator.objects.filter(target_value__isnull=False).exclude(comparison="")
    assert entered > numeric.count() * 0.75
    assert {"2024Q1", "2024-05"} == set(IndicatorValue.objects.values_list("period", flat=True))
    lights = Counter(light.light for light in indicator_lights(numeric).values())
    assert lights["green"] > lights["yellow"] > 0
    assert lights["red"] > 0
    children = Task.objects.filter(created_by__username="duchaban", parent__isnull=False).exclude(
        source="problem"
    )  # the report's rectification problems are children too
    assert children.order_by().values("parent").distinct().count() == 3
    assert set(children.values_list("lead_department__kind", flat=True)) == {"town"}
    pending = ReassignRequest.objects.get(status="pending")
    assert pending.task.parent_id is not None
    # The report's own tasks show a real spread of lights (loosely: not all green, some red).
    from supervision.loop.selectors import task_list

    spread = Counter(task_list(today=JUNE_28).filter(pk__in=report).values_list("light", flat=True))
    assert spread["green"] < report.count()
    assert min(spread["red"], spread["yellow"], spread["green"]) > report.count() / 20, spread
