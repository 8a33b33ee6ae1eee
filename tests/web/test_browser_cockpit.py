"""Issue 17 in a real browser (few, cheap): the phone layout (cards with status and light,
the folded menu with 消息 visible, folded filters), the filter labels after a search, and
the unit correcting a month's investment with a reason. Fixtures from ``test_browser``."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from projects.services import investment_report_create
from supervision.loop import services, transitions
from tests import factories
from tests.web.test_browser import ARTIFACTS, browser, login  # noqa: F401 (fixtures)

PHONE = (390, 844)


def _world():
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    lead = factories.DepartmentFactory(code="JW", name="区教育委员会", short_name="教委")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    owner = factories.UserFactory(role=Role.OWNER, department=lead)
    for n, deadline in enumerate([dt.date(2024, 6, 3), dt.date(2024, 12, 31)], start=1):
        task = services.task_create(
            actor=supervisor,
            code=f"PH-00{n}",
            title=f"新建城区幼儿园{n}所",
            source="work_report",
            domain="livelihood",
            lead_department=lead,
            deadline=deadline,
        )
        task = transitions.task_assign(task=task, actor=supervisor)
        transitions.task_accept(task=task, actor=owner)
    project = factories.ProjectFactory(
        year=2024,
        lead_department=lead,
        name="城区幼儿园建设",
        annual_plan_investment=Decimal("20000"),
    )
    return supervisor, owner, project


@pytest.mark.django_db(transaction=True)
def test_phone_home_menu_and_task_cards(login, live_server):  # noqa: F811
    _, owner, _ = _world()
    page = login(owner, viewport=PHONE)
    assert "本单位 · 教委" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=phone-messages]").is_visible()
    page.click("[data-testid=nav-toggle]")
    page.click("nav.mainnav >> text=督办事项")
    page.wait_for_url(f"{live_server.url}/tasks/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    assert not page.locator("[data-testid=filter-fold] #id_light").is_visible()  # folded
    card = page.locator("[data-testid=task-list] tbody tr", has_text="新建城区幼儿园1所")
    text = card.inner_text()
    for expected in ["教委", "2024-06-03", "办理中", "红灯", "18"]:  # 18 working days late
        assert expected in text, expected
    assert card.evaluate("row => getComputedStyle(row).display") == "block"  # a card
    labels = card.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert '"状态"' in labels
    assert '"亮灯"' in labels
    assert '"逾期(工作日)"' in labels
    box = card.bounding_box()
    assert box["width"] <= PHONE[0]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tasks-phone.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_filter_labels_after_a_search_and_the_investment_correction(login, live_server):  # noqa: F811
    supervisor, owner, project = _world()
    page = login(supervisor)
    page.goto(f"{live_server.url}/tasks/")
    page.fill("#id_search", "幼儿园")
    page.select_option("#id_light", "red")
    page.click(".filters button[type=submit]")
    page.wait_for_url("**/tasks/?*")
    filters = page.locator("form.filters").inner_text()
    assert "亮灯" in filters
    assert "时限不早于" in filters
    assert "[invalid name]" not in filters
    assert "is greater than" not in filters
    assert page.locator("#id_priority option").first.inner_text() == "全部"

    investment_report_create(
        project=project, period=dt.date(2024, 3, 1), amount=Decimal("12500"), actor=owner
    )
    page = login(owner)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.click("[data-testid=investment-reports] summary")
    page.click("a[data-action=correct-2024-03]")
    page.fill("#id_correct-amount", "125")
    page.fill("#id_correct-reason", "多录了两位数")
    page.click("#correct button[type=submit]")
    assert "已更正 2024年03月 完成投资为 125.00 万元" in page.locator(".flash").inner_text()
    page.click("[data-testid=investment-reports] summary")
    history = page.locator("[data-testid=revisions]").inner_text()
    assert "原 12,500 万元，理由：多录了两位数" in history


@pytest.mark.django_db(transaction=True)
def test_charts_are_drawn_by_the_apps_echarts_without_console_errors(login, live_server):  # noqa: F811
    """ECharts from /static/ (no CDN) under the CSP: drawn as SVG, nothing refused."""
    supervisor, owner, project = _world()
    investment_report_create(
        project=project, period=dt.date(2024, 3, 1), amount=Decimal("4000"), actor=owner
    )
    page = login(supervisor)
    page.goto(f"{live_server.url}/district/")
    page.wait_for_selector("[data-testid=chart-investment] .echart[data-drawn] svg")
    page.wait_for_selector("[data-testid=chart-lights] .echart[data-drawn] svg")
    scripts = page.locator("script[src]").evaluate_all("nodes => nodes.map(n => n.src)")
    assert any("/static/web/vendor/echarts/" in src for src in scripts)
    assert all(src.startswith(live_server.url) for src in scripts)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "district-charts.png"), full_page=True)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.wait_for_selector("[data-testid=chart-investment][data-drawn] svg")
    assert not page.locator("#monthchart").is_visible()  # the no-script bars give way
    page.emulate_media(media="print")
    assert page.locator("[data-testid=chart-investment] svg").is_visible()  # printable
