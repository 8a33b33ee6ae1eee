"""八张报表 in a real browser: the office publishes 2024Q2 (晾晒) on the heat map, opens a
unit's profile (its cards and the metrics behind a score) and the problem list. Screenshots
under ``test-artifacts/`` (copied into ``docs/``)."""

import datetime as dt

import pytest

from accounts.choices import Role
from supervision.models import ProblemDetail, RankingSnapshot
from tests import factories
from tests.web.test_browser import ARTIFACTS, browser, login  # noqa: F401 (fixtures)


@pytest.mark.django_db(transaction=True)
def test_the_office_publishes_q2_and_reads_cards_profile_and_problems(login, settings):  # noqa: F811
    settings.SUPERVISION_TODAY = dt.date(2024, 7, 10)
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    units = [
        factories.DepartmentFactory(code=code, name=name, short_name=short)
        for code, name, short in [
            ("FGW", "区发展改革委", "发展改革委"),
            ("ZJW", "区住房城乡建委", "住房城乡建委"),
            ("STJ", "区生态环境局", "生态环境局"),
        ]
    ]
    closed = dt.datetime(2024, 5, 30, 3, tzinfo=dt.UTC)
    for n, unit in enumerate(units):
        for i, domain in enumerate(["economy", "safety", "ecology", "livelihood"]):
            on_time = (i + n) % 3 != 0
            factories.TaskFactory(
                lead_department=unit,
                domain=domain,
                deadline=dt.date(2024, 5, 31),
                status="closed" if on_time else "in_progress",
                closed_at=closed if on_time else None,
            )
    problem = factories.TaskFactory(
        lead_department=units[2],
        domain="ecology",
        source="problem",
        title="乌江支流入河排污口整治",
        deadline=dt.date(2024, 6, 30),
        status="in_progress",
    )
    ProblemDetail.objects.create(
        task=problem,
        origin="supervision",
        found_on=dt.date(2024, 4, 8),
        description="中央生态环境保护督察反馈",
        rectification_goal="排污口全部规范整治",
    )

    page = login(supervisor)
    page.click("nav.mainnav >> text=八张报表")
    page.goto(page.url.split("?")[0] + "?period=2024Q2")
    heatmap = page.locator("[data-testid=heatmap]")
    assert "发展改革委" in heatmap.inner_text()
    page.click("[data-testid=publish]")
    page.wait_for_selector("[data-testid=published]")
    assert RankingSnapshot.objects.filter(period="2024Q2").exists()
    assert page.locator("[data-testid=publish]").count() == 0
    page.screenshot(path=str(ARTIFACTS / "report-cards.png"), full_page=True)

    page.click("[data-testid=heatmap] >> text=生态环境局")
    page.wait_for_selector("[data-testid=drilldown]")
    assert "区生态环境局" in page.locator("[data-testid=unit-name]").inner_text()
    assert "乌江支流入河排污口整治" in page.locator("[data-testid=unit-problems]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "unit-profile.png"), full_page=True)

    page.click("nav.mainnav >> text=问题清单")
    cards = page.locator("[data-testid=problem-cards]").inner_text()
    assert "生态" in cards
    assert "乌江支流入河排污口整治" in page.content()
    page.screenshot(path=str(ARTIFACTS / "problems.png"), full_page=True)
