"""The office's 单位管理 / 用户管理 and a project's 归档 / 删除 in a real browser, on a desktop
and on a 390×844 phone, with no console error: a new unit, an account for its staff (the
temporary password shown once and good for logging in), a password reset, a deactivation;
a project that cannot be deleted is archived instead."""

import pytest

from accounts.choices import Role
from accounts.models import Department, User
from projects.models import Project
from tests import factories
from tests.web.test_browser import ARTIFACTS, browser, login  # noqa: F401 (fixtures)


def _open_manage(page, base: str, phone: bool):
    if phone:  # the menu folds behind 菜单
        page.click("[data-testid=nav-toggle]")
    page.click("[data-testid=nav-manage]")
    page.wait_for_url(f"{base}/manage/units/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)])
def test_the_office_keeps_units_and_accounts(login, browser, live_server, viewport):  # noqa: F811
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    phone = viewport[0] == 390

    page = login(supervisor, viewport=viewport)
    page.on("dialog", lambda dialog: dialog.accept())
    base = live_server.url
    _open_manage(page, base, phone)
    page.click("[data-testid=unit-new]")
    page.fill("#id_code", "ZJW")
    page.fill("#id_name", "区住房城乡建委")
    page.fill("#id_short_name", "区住建委")
    page.select_option("#id_kind", "district")
    page.click("[data-testid=unit-submit]")
    page.wait_for_selector(".alert-success")
    unit = Department.objects.get(code="ZJW")
    assert page.locator("[data-testid=unit-ZJW]").is_visible()

    page.click("[data-testid=unit-edit-ZJW]")
    page.fill("#id_short_name", "住建委")
    page.click("[data-testid=unit-submit]")
    page.wait_for_selector(".alert-success")
    unit.refresh_from_db()
    assert unit.short_name == "住建委"

    page.click("[data-testid=manage-tabs] >> text=用户管理")
    page.click("[data-testid=user-new]")
    page.fill("#id_username", "zjw_liaison")
    page.fill("#id_display_name", "住建委联络员")
    page.select_option("#id_role", Role.OWNER)
    page.select_option("#id_department", str(unit.pk))
    page.click("[data-testid=user-submit]")
    first = page.locator("[data-testid=shown-password]").inner_text()
    account = User.objects.get(username="zjw_liaison")
    assert account.department == unit
    assert account.check_password(first)

    page.click("[data-testid=back-to-users]")
    page.click("[data-testid=user-password-zjw_liaison]")
    page.click("[data-testid=password-submit]")
    second = page.locator("[data-testid=shown-password]").inner_text()
    assert second != first

    # the staff member logs in with the password they were given
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    staff = context.new_page()
    staff.goto(f"{base}/")
    staff.fill("#id_username", "zjw_liaison")
    staff.fill("#id_password", second)
    staff.click("button[type=submit]")
    staff.wait_for_url(f"{base}/")
    staff.goto(f"{base}/manage/users/")
    assert "只有督查办可以" in staff.content()
    context.close()

    page.click("[data-testid=back-to-users]")
    page.click("[data-testid=user-deactivate-zjw_liaison]")
    page.wait_for_selector(".alert-success")
    account.refresh_from_db()
    assert not account.is_active
    if phone:  # the lists fold into cards: no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"manage-users-{viewport[0]}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)])
def test_the_office_archives_a_project_it_cannot_delete(login, viewport):  # noqa: F811
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    unit = factories.DepartmentFactory(code="JTJ", name="区交通局")
    kept = factories.ProjectFactory(code="ZD-KEEP", lead_department=unit)
    factories.MilestoneFactory(project=kept)
    spare = factories.ProjectFactory(code="ZD-SPARE", lead_department=unit)

    page = login(supervisor, viewport=viewport)
    page.on("dialog", lambda dialog: dialog.accept())
    base = page.url.rstrip("/")
    page.goto(f"{base}/projects/{kept.pk}/")
    page.click("[data-testid=project-delete]")
    refusal = page.locator("[data-testid=refusal]").inner_text()
    assert "无法删除：" in refusal
    assert "请改为归档" in refusal
    page.click("[data-testid=project-archive]")
    page.wait_for_selector(".alert-success")
    assert "已归档项目 ZD-KEEP" in page.locator(".alert-success").inner_text()
    kept.refresh_from_db()
    assert kept.is_archived

    page.goto(f"{base}/projects/{spare.pk}/")
    page.click("[data-testid=project-delete]")
    page.wait_for_url(f"{base}/projects/")
    assert "已删除项目 ZD-SPARE" in page.locator(".alert-success").inner_text()
    assert not Project.objects.filter(pk=spare.pk).exists()
    if viewport[0] == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)])
def test_the_office_adds_disables_and_deletes_a_webhook_receiver(login, settings, viewport):  # noqa: F811
    from supervision.webhooks.models import WebhookEndpoint

    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)

    page = login(supervisor, viewport=viewport)
    page.on("dialog", lambda dialog: dialog.accept())
    base = page.url.rstrip("/")
    page.goto(f"{base}/manage/webhooks/")
    page.click("[data-testid=webhook-new]")
    page.fill("#id_name", "政务服务平台")
    page.fill("#id_url", "http://127.0.0.1/hook")
    page.click("[data-testid=webhook-submit]")
    assert "不允许指向内网" in page.locator(".has-error").inner_text()
    assert not WebhookEndpoint.objects.exists()
    page.fill("#id_url", "https://93.184.216.34/hook")
    page.check("input[value='task.closed']")
    page.click("[data-testid=webhook-submit]")
    secret = page.locator("[data-testid=shown-secret]").inner_text()
    endpoint = WebhookEndpoint.objects.get()
    assert secret == endpoint.secret
    assert endpoint.event_types == ["task.closed"]

    page.goto(f"{base}/manage/webhooks/")
    assert secret not in page.content()
    page.click(f"[data-testid=webhook-deactivate-{endpoint.pk}]")
    page.wait_for_selector(".alert-success")
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    page.click(f"[data-testid=webhook-delete-{endpoint.pk}]")
    page.wait_for_selector(".alert-success")
    assert not WebhookEndpoint.objects.exists()
    if viewport[0] == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
