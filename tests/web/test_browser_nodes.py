"""Nodes in a real browser (Playwright + Debian Chromium, the fixtures of ``test_browser``):
the lead unit proposes a node of its 分解计划, the office approves it, the lead unit completes
it; the timeline shows each node's light and the 序时 curve is drawn. The task page is saved
under ``test-artifacts/``."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from supervision.models import Node
from tests import factories
from tests.web.test_browser import ARTIFACTS, browser, login  # noqa: F401, F811


@pytest.fixture
def road(settings):
    """(office user, lead unit owner, a road task at 20 of 100 公里, its Q1 node overdue)."""
    settings.SUPERVISION_TODAY = dt.date(2024, 5, 15)
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    unit = factories.DepartmentFactory(code="JTJ", name="区交通局")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    owner = factories.UserFactory(role=Role.OWNER, department=unit)
    task = factories.TaskFactory(
        status="in_progress",
        lead_department=unit,
        title="新改建农村公路",
        target_value=Decimal("100"),
        target_unit="公里",
        latest_value=Decimal("20"),
    )
    node = factories.NodeFactory(
        task=task, sequence=1, title="一季度", due_date=dt.date(2024, 3, 31), target_value=25
    )
    return supervisor, owner, task, node


@pytest.mark.django_db(transaction=True)
def test_the_lead_unit_plans_and_completes_nodes_the_office_approves(
    login,  # noqa: F811
    live_server,
    road,
):
    supervisor, owner, task, _ = road
    url = f"{live_server.url}/tasks/{task.pk}/"

    page = login(owner)
    page.goto(url)
    timeline = page.locator("[data-testid=node-timeline]")
    assert "红灯" in timeline.locator("[data-node]").first.inner_text()  # Q1 overdue
    page.click("summary[data-action=node-propose]")
    page.fill("#id_node-propose-title", "二季度")
    page.fill("#id_node-propose-due_date", "2024-06-30")
    page.fill("#id_node-propose-target_value", "50")
    page.click("form[action$='/node/propose/'] button[type=submit]")
    page.wait_for_selector("text=等待督查办审定")
    assert "待审定" in timeline.inner_text()

    office_page = login(supervisor)
    office_page.goto(url)
    office_page.click("summary[data-action=node-approve]")
    office_page.click("form[action$='/node/approve/'] button[type=submit]")
    office_page.wait_for_selector("text=已审定分解计划")

    page.goto(url)
    page.click("summary[data-action=node-complete]")
    first = Node.objects.get(task=task, sequence=1)
    page.select_option("#id_node-complete-node", str(first.pk))
    page.fill("#id_node-complete-completed_on", "2024-04-03")
    page.fill("#id_node-complete-value", "26")
    page.click("form[action$='/node/complete/'] button[type=submit]")
    page.wait_for_selector("text=逾期完成）")
    assert page.locator("[data-testid=schedule-chart] polyline").count() == 1
    assert page.locator("[data-testid=schedule-chart] .value-dot").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("[data-testid=nodes]").screenshot(path=str(ARTIFACTS / "task-nodes.png"))


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
@pytest.mark.django_db(transaction=True)
def test_the_office_edits_a_node_and_the_unit_completes_it(
    login,  # noqa: F811
    live_server,
    road,
    viewport,
):
    """The office edits a node in the timeline (asked to confirm, told what changed); the
    lead unit then completes it with its value — on a desktop and on a 390×844 phone."""
    supervisor, owner, task, node = road
    url = f"{live_server.url}/tasks/{task.pk}/"
    prefix = f"#id_node-edit-{node.pk}"

    office_page = login(supervisor, viewport=viewport)
    office_page.goto(url)
    office_page.click(f"summary[data-action=node-edit-{node.pk}]")
    assert office_page.input_value(f"{prefix}-target_value") == "25"
    office_page.fill(f"{prefix}-due_date", "2024-05-31")
    office_page.fill(f"{prefix}-target_value", "30")
    office_page.fill(f"{prefix}-reason", "按施工期调整")
    asked = []
    office_page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    office_page.click(f"form[action$='/node/{node.pk}/edit/'] button[type=submit]")
    office_page.wait_for_selector("text=已修改节点“一季度”")
    assert len(asked) == 1
    assert "确认修改节点“一季度”" in asked[0]
    body = office_page.inner_text("body")
    assert "计划完成日期 2024-03-31 → 2024-05-31" in body
    assert "累计目标值 25 → 30" in body
    assert office_page.evaluate("document.documentElement.scrollWidth") <= viewport[0]

    page = login(owner, viewport=viewport)
    page.goto(url)
    assert "计划 2024-05-31 · 累计目标 30" in page.inner_text("[data-testid=node-timeline]")
    assert page.locator(f"summary[data-action=node-edit-{node.pk}]").count() == 0
    page.click("summary[data-action=node-complete]")
    page.select_option("#id_node-complete-node", str(node.pk))
    page.fill("#id_node-complete-completed_on", "2024-05-14")
    page.fill("#id_node-complete-value", "31")
    page.click("form[action$='/node/complete/'] button[type=submit]")
    page.wait_for_selector("text=已登记节点“一季度”于 2024-05-14 完成")
    assert "已完成" in page.inner_text("[data-testid=node-timeline]")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
    node.refresh_from_db()
    assert (node.status, node.value, node.due_date) == ("done", Decimal("31"), dt.date(2024, 5, 31))
    assert [e.action for e in task.events.filter(action__startswith="node")] == [
        "node_edit",
        "node_complete",
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"task-node-done-{viewport[0]}.png"), full_page=True)
