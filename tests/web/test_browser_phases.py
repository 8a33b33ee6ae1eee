"""Issue 13 in a real browser (the fixtures of ``test_browser``): the statistics bureau
enters May's GDP value and sees the indicator turn yellow; the office splits a task to a
town; the town asks to hand its part back; the office reassigns it and rates the parent."""

from decimal import Decimal

import pytest

from accounts.choices import DepartmentKind, Role
from supervision.loop import transitions
from supervision.loop.models import Indicator, Task
from tests import factories
from tests.web.test_browser import browser, login  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_indicator_entry_split_reassign_and_rating(login, live_server):  # noqa: F811
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    stats = factories.DepartmentFactory(code="TJJ", name="区统计局")
    lead = factories.DepartmentFactory(code="SLJ", name="区水利局", short_name="水利局")
    town = factories.DepartmentFactory(code="BMZ", name="白马镇", kind=DepartmentKind.TOWN)
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    statistician = factories.UserFactory(role=Role.OWNER, department=stats)
    owner = factories.UserFactory(role=Role.OWNER, department=lead)
    town_owner = factories.UserFactory(role=Role.OWNER, department=town)
    Indicator.objects.create(
        code="IND-01",
        name="地区生产总值",
        domain="economy",
        unit="亿元",
        target_value=Decimal("600"),
        comparison="at_least",
        department=stats,
    )
    task = factories.TaskFactory(
        title="农村供水保障工程",
        lead_department=lead,
        target_value=Decimal("300"),
        target_unit="户",
    )
    transitions.task_assign(task=task, actor=supervisor)
    transitions.task_accept(task=task, actor=owner)
    url = live_server.url

    # 1. 统计局 enters May: 210 亿元 against 序时 250 → 6.7 points behind: still green; 170 → yellow.
    page = login(statistician)
    page.goto(f"{url}/indicators/")
    page.click("[data-indicator=IND-01] a.btn")
    page.fill("#id_value-period", "2024-05")
    page.fill("#id_value-value", "170")
    page.click("[data-testid=indicator-value-form] button[type=submit]")
    assert "已填报 2024-05 数值 170" in page.locator(".flash").inner_text()
    assert "黄灯" in page.locator("[data-testid=indicator-light]").inner_text()
    page.fill("#id_value-period", "2024-13")
    page.fill("#id_value-value", "1")
    page.click("[data-testid=indicator-value-form] button[type=submit]")
    assert "格式" in page.locator("[data-testid=indicator-value-form]").inner_text()

    # 2. The office splits the task to 白马镇.
    page = login(supervisor)
    page.goto(f"{url}/tasks/{task.pk}/")
    page.click("summary[data-action=split]")
    page.select_option("#id_split-lead_department", str(town.pk))
    page.fill("#id_split-target_value", "120")
    page.click("form[action$='/phase/split/'] button[type=submit]")
    assert "已分解交办" in page.locator(".flash").inner_text()
    assert "白马镇" in page.locator("[data-testid=children]").inner_text()
    child = Task.objects.get(parent=task)

    # 3. 白马镇 asks to hand its part back to 水利局.
    page = login(town_owner)
    page.goto(f"{url}/tasks/{child.pk}/")
    page.click("summary[data-action=reassign-request]")
    page.select_option("#id_reassign-request-suggested_department", str(lead.pk))
    page.fill("#id_reassign-request-reason", "跨镇管网由区水利局统一实施更合适。")
    page.click("form[action$='/phase/reassign-request/'] button[type=submit]")
    assert "等待督查办审批" in page.locator(".flash").inner_text()

    # 4. The office reassigns it, then rates the parent.
    page = login(supervisor)
    page.goto(f"{url}/tasks/{child.pk}/")
    page.click("summary[data-action=reassign-decide]")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=approve]")
    assert "已将牵头单位调整为水利局" in page.locator(".flash").inner_text()
    page.goto(f"{url}/tasks/{task.pk}/")
    page.click("summary[data-action=rate]")
    page.select_option("#id_rate-rating", "mostly_completed")
    page.click("form[action$='/phase/rate/'] button[type=submit]")
    assert "须说明理由" in page.locator("[data-testid=phases]").inner_text()
    page.fill("#id_rate-comment", "主体完成，镇级扫尾结转")
    page.click("form[action$='/phase/rate/'] button[type=submit]")
    assert "年度评定：基本完成" in page.locator("[data-testid=rating]").inner_text()
