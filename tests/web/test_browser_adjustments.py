"""加分扣分 and 评分规则 in a real browser (the office): from 八张报表 enter a deduction, counter
it (confirming), edit a card's rule; on a desktop and on a 390×844 phone, no console error."""

import pytest

from accounts.choices import Role
from supervision.models import ScoreAdjustment, ScoringRule
from tests import factories
from tests.web.test_browser import ARTIFACTS, browser, login  # noqa: F401 (fixtures)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)])
def test_the_office_adjusts_scores_and_edits_a_rule(login, viewport):  # noqa: F811
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    unit = factories.DepartmentFactory(code="FGW", name="区发展改革委")

    page = login(supervisor, viewport=viewport)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(page.url.rstrip("/") + "/report-cards/")
    page.click("[data-testid=office-links] >> text=加分扣分")
    page.select_option("#id_department", str(unit.pk))
    page.fill("#id_period", "2024Q2")
    page.select_option("#id_domain", "safety")
    page.fill("#id_points", "-2")
    page.fill("#id_reason", "安全检查隐患逾期未整改")
    page.click("[data-testid=adjustment-submit]")
    page.wait_for_selector(".alert-success")
    assert "已登记扣分" in page.locator(".flash").inner_text()
    original = ScoreAdjustment.objects.get()
    page.click(f"[data-testid=counter-{original.pk}]")
    page.wait_for_selector("[data-testid=countered]")
    assert ScoreAdjustment.objects.exclude(pk=original.pk).get().points == 2
    if viewport[0] == 390:  # the phone does not scroll sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"adjustments-{viewport[0]}.png"), full_page=True)

    page.goto(page.url.split("/report-cards/")[0] + "/report-cards/rules/")
    page.click("[data-testid=edit-economy]")
    page.fill("#id_investment_weight", "30")
    page.click("[data-testid=rule-submit]")
    page.wait_for_selector(".alert-success")
    assert ScoringRule.objects.get(domain="economy").investment_weight == 30
    assert "30" in page.locator("[data-testid=rule-economy]").inner_text()
