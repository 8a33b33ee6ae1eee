"""``report-cards/`` costs the same number of queries whatever the data: measured with a few
units, then again after adding many more (every card, nodes, indicators with values,
projects with investment, adjustments, both tracks)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import DepartmentKind
from supervision.choices import Domain
from supervision.models import Indicator, IndicatorValue, Node, ScoreAdjustment
from tests import factories
from tests.clients import API, bearer_client
from tests.scorecards.conftest import AFTER_Q2, at

pytestmark = pytest.mark.django_db
STATUSES = ["assigned", "in_progress", "submitted", "closed", "draft", "cancelled"]


def build(n: int, prefix: str, supervisor) -> None:
    departments = [
        factories.DepartmentFactory(
            code=f"{prefix}{i:03d}",
            kind=DepartmentKind.TOWN if i % 2 else DepartmentKind.DISTRICT,
        )
        for i in range(n // 4 + 1)
    ]
    domains = Domain.values
    for i in range(n):
        department = departments[i % len(departments)]
        status = STATUSES[i % len(STATUSES)]
        task = factories.TaskFactory(
            lead_department=department,
            domain=domains[i % len(domains)],
            deadline=dt.date(2024, 4 + i % 3, 1 + i % 28),
            status=status,
            closed_at=at(5, 1 + i % 28) if status == "closed" else None,
        )
        Node.objects.create(
            task=task,
            sequence=1,
            title="节点",
            due_date=dt.date(2024, 5, 1 + i % 28),
            target_text="阶段目标",
            status="done" if i % 2 else "approved",
            completed_on=dt.date(2024, 5, 10) if i % 2 else None,
        )
        indicator = Indicator.objects.create(
            code=f"{prefix}-I{i}",
            name="指标",
            domain=domains[i % len(domains)],
            unit="亿元" if i % 2 else "%",
            target_value=Decimal(100),
            comparison="at_least",
            department=department,
        )
        IndicatorValue.objects.create(
            indicator=indicator,
            period="2024Q2",
            value=Decimal(40 + i),
            entered_by=supervisor,
            entered_at=at(7, 1),
        )
        project = factories.ProjectFactory(lead_department=department)
        factories.InvestmentReportFactory(project=project, period=dt.date(2024, 5, 1))
        ScoreAdjustment.objects.create(
            department=department,
            period="2024Q2",
            domain=domains[i % len(domains)],
            points=Decimal("0.5"),
            reason="测试",
            created_by=supervisor,
            created_at=at(6, 1),
        )


def count(client) -> tuple[int, list[str], int]:
    client.get(f"{API}report-cards/", {"period": "2024Q1"})  # warm-up: the token's stamp
    with CaptureQueriesContext(connection) as ctx:
        # build() wrote since the last read, so 2024Q2 is computed afresh, not cached.
        response = client.get(f"{API}report-cards/", {"period": "2024Q2", "track": "town"})
    assert response.status_code == 200
    return len(ctx), [q["sql"] for q in ctx.captured_queries], len(response.json()["rows"])


def test_report_cards_cost_the_same_queries_at_two_sizes(settings, supervisor):
    settings.SUPERVISION_TODAY = AFTER_Q2
    client = bearer_client(supervisor)
    build(8, "S", supervisor)
    small, small_sql, small_rows = count(client)
    build(80, "L", supervisor)
    large, large_sql, large_rows = count(client)
    assert large_rows > small_rows > 0
    assert small == large, (small_sql, large_sql)
    # auth (token, user) + snapshot + rules, units, closure, nodes, indicators, investment ×2,
    # adjustments.
    assert small <= 12, small_sql
