"""新建/修改重点项目 and its 节点 in a real browser (the office), on a desktop and on a
390×844 phone, with no console error."""

import pytest

from accounts.choices import Role
from projects.models import Milestone, Project
from tests import factories
from tests.web.test_browser import ARTIFACTS, browser, login  # noqa: F401 (fixtures)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)])
def test_the_office_creates_a_project_and_sets_its_milestones(login, viewport):  # noqa: F811
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    unit = factories.DepartmentFactory(code="ZJW", name="区住房城乡建委")
    boss = factories.UserFactory(role=Role.LEADER, first_name="包保领导")

    page = login(supervisor, viewport=viewport)
    page.on("dialog", lambda dialog: dialog.accept())
    base = page.url.rstrip("/")
    page.goto(f"{base}/projects/")
    page.click("[data-testid=project-new]")
    page.fill("#id_code", "ZD-2024-009")
    page.fill("#id_name", "仙女山快速通道")
    page.select_option("#id_category", "district")
    page.fill("#id_year", "2024")
    page.select_option("#id_stage", "new_start")
    page.select_option("#id_lead_department", str(unit.pk))
    page.select_option("#id_responsible_leader", str(boss.pk))
    page.fill("#id_annual_plan_investment", "8000")
    page.click("[data-testid=project-submit]")
    page.wait_for_selector(".alert-success")
    project = Project.objects.get(code="ZD-2024-009")
    assert project.responsible_leader == boss

    page.click("[data-testid=project-office] >> text=新增节点")
    page.fill("#id_name", "路基完工")
    page.fill("#id_due_date", "2024-09-30")
    page.click("[data-testid=milestone-submit]")
    page.wait_for_selector(".alert-success")
    milestone = Milestone.objects.get(project=project)
    page.click(f"[data-testid=milestone-edit-{milestone.pk}]")
    page.fill("#id_due_date", "2024-10-31")
    page.click("[data-testid=milestone-submit]")
    page.wait_for_selector(".alert-success")
    milestone.refresh_from_db()
    assert str(milestone.due_date) == "2024-10-31"

    page.click("[data-testid=project-office] >> text=修改项目")
    page.fill("#id_annual_plan_investment", "9000")
    page.click("[data-testid=project-submit]")
    page.wait_for_selector(".alert-success")
    project.refresh_from_db()
    assert project.annual_plan_investment == 9000
    if viewport[0] == 390:  # the phone does not scroll sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"project-edit-{viewport[0]}.png"), full_page=True)
