import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from core import clock
from core.errors import NotPermitted
from projects.models import InvestmentReport, InvestmentReportRevision, Project
from projects.querysets import year_time_progress
from projects.selectors import project_list
from projects.services import (
    investment_report_correct,
    investment_report_create,
    milestone_complete,
    project_create,
)
from tests.factories import (
    DepartmentFactory,
    InvestmentReportFactory,
    MilestoneFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

JUNE_28 = dt.datetime(2024, 6, 28, 10, 0, tzinfo=SHANGHAI)


def figures(project, today):
    return project_list(today=today).get(pk=project.pk)


def test_second_report_for_same_month_is_refused(owner):
    project = ProjectFactory(lead_department=owner.department)
    with clock.override(JUNE_28):
        investment_report_create(
            project=project, period=dt.date(2024, 3, 1), amount=Decimal("5"), actor=owner
        )
        with pytest.raises(ValidationError) as exc:
            investment_report_create(
                project=project,
                period=dt.date(2024, 3, 15),
                amount=Decimal("7"),
                actor=owner,
            )
    assert "2024年3月的投资已填报（5.00 万元）" in str(exc.value)  # the month picked, not 本月
    assert InvestmentReport.objects.filter(project=project).count() == 1


def test_database_refuses_duplicate_month_even_without_the_service(owner):
    report = InvestmentReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InvestmentReport.objects.create(
            project=report.project,
            period=report.period,
            amount=1,
            reported_by=owner,
            reported_at=report.reported_at,
        )


def test_negative_amount_is_refused(owner):
    project = ProjectFactory(lead_department=owner.department)
    with clock.override(JUNE_28), pytest.raises(ValidationError) as exc:
        investment_report_create(
            project=project, period=dt.date(2024, 3, 1), amount=Decimal("-1"), actor=owner
        )
    assert "投资金额不能为负数" in str(exc.value)
    assert not InvestmentReport.objects.exists()


def test_negative_amount_is_refused_by_the_database(owner):
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InvestmentReport.objects.create(
            project=project,
            period=dt.date(2024, 1, 1),
            amount=Decimal("-5"),
            reported_by=owner,
            reported_at=clock.now(),
        )


def test_future_month_is_refused(owner):
    project = ProjectFactory(lead_department=owner.department)
    with clock.override(JUNE_28), pytest.raises(ValidationError) as exc:
        investment_report_create(
            project=project, period=dt.date(2024, 7, 1), amount=Decimal("1"), actor=owner
        )
    assert "period" in exc.value.message_dict


def test_end_before_start_is_refused(supervisor):
    department = DepartmentFactory()
    with pytest.raises(ValidationError) as exc:
        project_create(
            actor=supervisor,
            code="X-1",
            name="倒置项目",
            category="district",
            year=2024,
            stage="new_start",
            lead_department=department,
            planned_start=dt.date(2024, 5, 1),
            planned_end=dt.date(2024, 4, 1),
        )
    assert "计划完工日期不能早于计划开工日期" in str(exc.value)
    assert not Project.objects.filter(code="X-1").exists()


def test_end_before_start_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(planned_start=dt.date(2024, 5, 1), planned_end=dt.date(2024, 4, 1))


def test_negative_plan_is_refused(supervisor):
    with pytest.raises(ValidationError):
        project_create(
            actor=supervisor,
            code="X-2",
            name="负数",
            category="district",
            year=2024,
            stage="new_start",
            lead_department=DepartmentFactory(),
            annual_plan_investment=Decimal("-10"),
        )
    assert not Project.objects.filter(code="X-2").exists()


def test_correction_keeps_the_previous_figure(owner):
    report = InvestmentReportFactory(
        amount=Decimal("100.00"), project__lead_department=owner.department
    )
    with clock.override(JUNE_28):
        investment_report_correct(
            report=report, amount=Decimal("120.50"), actor=owner, reason="录入有误"
        )
    report.refresh_from_db()
    assert report.amount == Decimal("120.50")
    revision = InvestmentReportRevision.objects.get(report=report)
    assert revision.amount == Decimal("100.00")
    assert revision.revised_by == owner
    assert revision.reason == "录入有误"


def test_only_the_projects_writers_correct(other_owner):
    report = InvestmentReportFactory(amount=Decimal("100.00"))
    with pytest.raises(NotPermitted):
        investment_report_correct(
            report=report, amount=Decimal("1"), actor=other_owner, reason="录入有误"
        )
    assert not InvestmentReportRevision.objects.exists()


def test_bad_correction_changes_nothing(owner):
    report = InvestmentReportFactory(
        amount=Decimal("100.00"), project__lead_department=owner.department
    )
    with pytest.raises(ValidationError):
        investment_report_correct(
            report=report, amount=Decimal("-3"), actor=owner, reason="录入有误"
        )
    report.refresh_from_db()
    assert report.amount == Decimal("100.00")
    assert not InvestmentReportRevision.objects.exists()


def test_a_correction_needs_a_reason(owner):
    report = InvestmentReportFactory(
        amount=Decimal("100.00"), project__lead_department=owner.department
    )
    with pytest.raises(ValidationError, match="请填写更正理由"):
        investment_report_correct(report=report, amount=Decimal("120"), actor=owner, reason=" ")
    report.refresh_from_db()
    assert report.amount == Decimal("100.00")
    assert not InvestmentReportRevision.objects.exists()


@pytest.mark.parametrize(
    ("year", "today", "expected"),
    [
        (2024, dt.date(2024, 1, 1), Decimal("0.27")),  # 1/366, leap year
        (2024, dt.date(2024, 6, 28), Decimal("49.18")),  # 180/366
        (2024, dt.date(2024, 12, 31), Decimal("100.00")),
        (2024, dt.date(2023, 12, 31), Decimal("0.00")),  # year not begun
        (2024, dt.date(2025, 1, 1), Decimal("100.00")),  # year over
        (2023, dt.date(2023, 7, 2), Decimal("50.14")),  # 183/365
    ],
)
def test_time_progress_on_known_dates(year, today, expected):
    assert year_time_progress(year, today) == expected


def test_figures_on_a_known_date():
    project = ProjectFactory(annual_plan_investment=Decimal("30000.00"))
    for month, amount in [(1, "5000.00"), (2, "4000.00"), (3, "6000.00")]:
        InvestmentReportFactory(
            project=project, period=dt.date(2024, month, 1), amount=Decimal(amount)
        )
    InvestmentReportFactory(project=project, period=dt.date(2023, 12, 1), amount=Decimal("999"))
    row = figures(project, dt.date(2024, 6, 28))
    assert row.completed_investment == Decimal("15000.00")  # 2023 not counted
    assert row.completion_rate == Decimal("50.00")
    assert row.time_progress == Decimal("49.18")
    assert row.light == "green"


@pytest.mark.parametrize(
    ("completed", "expected_light"),
    [
        ("14754.00", "green"),  # 49.18 %: exactly on 序时进度 (49.18 %)
        ("12000.00", "green"),  # 40.00 %: 9.18 points behind, within the yellow gap (10)
        ("11700.00", "yellow"),  # 39.00 %: 10.18 points behind
        ("9000.00", "yellow"),  # 30.00 %: 19.18 points behind, within the red gap (20)
        ("8700.00", "red"),  # 29.00 %: 20.18 points behind
    ],
)
def test_light_follows_the_gap_to_time_progress(completed, expected_light):
    project = ProjectFactory(annual_plan_investment=Decimal("30000.00"))
    InvestmentReportFactory(project=project, period=dt.date(2024, 1, 1), amount=Decimal(completed))
    assert figures(project, dt.date(2024, 6, 28)).light == expected_light


def test_the_list_kept_per_day_follows_the_light_settings_and_each_caller_gets_its_own(
    settings,
):
    project = ProjectFactory(annual_plan_investment=Decimal("30000.00"))
    InvestmentReportFactory(project=project, period=dt.date(2024, 1, 1), amount=Decimal("11700"))
    day = dt.date(2024, 6, 28)
    assert figures(project, day).light == "yellow"  # 10.18 points behind
    settings.PROJECT_LIGHT_YELLOW_GAP = 11
    assert figures(project, day).light == "green"  # the same day, built anew
    first, second = project_list(today=day), project_list(today=day)
    assert first is not second
    assert list(first.filter(pk=project.pk)) == [project]
    assert second.query.where.children == []  # a filter on one is not on the other


def test_overdue_milestone_turns_the_light_red():
    project = ProjectFactory(annual_plan_investment=Decimal("0"))
    MilestoneFactory(project=project, due_date=dt.date(2024, 6, 27))
    row = figures(project, dt.date(2024, 6, 28))
    assert row.completion_rate is None
    assert row.light == "red"


def test_milestone_due_within_the_window_turns_the_light_yellow():
    project = ProjectFactory(annual_plan_investment=Decimal("0"))
    MilestoneFactory(project=project, due_date=dt.date(2024, 7, 3))
    assert figures(project, dt.date(2024, 6, 28)).light == "yellow"
    assert figures(project, dt.date(2024, 6, 20)).light == "green"  # 13 days away


def test_completed_milestone_counts_for_nothing(supervisor):
    project = ProjectFactory(annual_plan_investment=Decimal("0"))
    milestone = MilestoneFactory(project=project, due_date=dt.date(2024, 6, 1))
    with clock.override(JUNE_28):
        milestone_complete(actor=supervisor, milestone=milestone, completed_on=dt.date(2024, 6, 1))
    assert figures(project, dt.date(2024, 6, 28)).light == "green"


def test_milestone_cannot_be_completed_in_the_future(supervisor):
    milestone = MilestoneFactory()
    with clock.override(JUNE_28), pytest.raises(ValidationError):
        milestone_complete(actor=supervisor, milestone=milestone, completed_on=dt.date(2024, 7, 1))
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def _list_all():
    return [
        (p.code, p.completed_investment, p.light, p.lead_department.name) for p in project_list()
    ]


@pytest.mark.parametrize("count", [5, 50])
def test_listing_projects_with_figures_takes_one_query(count, django_assert_num_queries):
    department = DepartmentFactory()
    for _ in range(count):
        project = ProjectFactory(lead_department=department)
        InvestmentReportFactory(project=project)
        MilestoneFactory(project=project)
    with django_assert_num_queries(1):
        rows = _list_all()
    assert len(rows) == count
    assert all(row[1] == Decimal("1000.00") for row in rows)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="INCLUDE is PostgreSQL's")
def test_year_to_date_investment_sums_have_a_covering_index():
    """Report cards sum a period range over all projects: (period, project) INCLUDE (amount)
    lets PostgreSQL answer it from the index alone instead of scanning every report."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", ["report_period_ytd_idx"]
        )
        (definition,) = cursor.fetchone()
    assert "(period, project_id) INCLUDE (amount)" in definition
