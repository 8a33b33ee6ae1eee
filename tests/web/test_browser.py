"""The closed loop in a real browser: Playwright driving Debian's Chromium (headless).

交办 by the supervision office → 签收, 反馈, 申请办结 by the lead department → 核验 by the
office, each step checked on the page (status label, the new event in the timeline, which
buttons are there). The dashboard is saved as a screenshot under ``test-artifacts/``.

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium fonts-noto-cjk``; ``make test``
installs it). Without it the test is skipped locally and FAILS when ``CI`` is set.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from accounts.choices import Role
from supervision.loop import services
from tests import factories

# Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
# between browser steps are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "pass-word-123"  # tests.factories.UserFactory's


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI requires the browser tests to run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        _unavailable(f"{CHROMIUM} not found (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def login(browser, live_server):
    """``login(user)`` → a page in a fresh browser context, logged in through the form.

    Every console error and uncaught page error of every page opened is collected; the test
    fails at the end if there was any."""
    contexts, errors = [], []

    def console(page, message):
        # A page the test makes answer 4xx (a refused form) logs its own status: not a fault;
        # nor does the upload widget's staging endpoint refusing a file (400, shown in place).
        source = message.location.get("url") or ""
        if message.type == "error" and source != page.url and not source.endswith("/uploads/"):
            errors.append(f"{page.url}: {message.text} ({source})")

    def watch(page):
        page.on("console", lambda message: console(page, message))
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))

    def open_as(user, viewport=(1280, 900), home="/"):
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN"
        )
        context.set_default_timeout(15_000)
        context.on("page", watch)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/")  # → the login form
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}{home}")
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert errors == [], "console errors in the browser"


def buttons(page) -> set[str]:
    return set(
        page.locator("[data-testid=actions] summary[data-action]").evaluate_all(
            "nodes => nodes.map(n => n.dataset.action)"
        )
    )


def status_label(page) -> str:
    return page.locator(".pagehead .status").inner_text()


def timeline(page) -> str:
    return page.locator("[data-testid=timeline]").inner_text()


@pytest.mark.django_db(transaction=True)
def test_closed_loop_in_the_browser(login, live_server):
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    lead = factories.DepartmentFactory(code="FGW", name="区发展改革委", short_name="发展改革委")
    supervisor = factories.UserFactory(
        username="duchaban", display_name="督查办·王敏", role=Role.SUPERVISOR, department=office
    )
    owner = factories.UserFactory(
        username="owner_fgw", display_name="发改委联络员", role=Role.OWNER, department=lead
    )
    task = services.task_create(
        actor=supervisor,
        code="BR-001",
        title="新增市场主体5000家",
        source="work_report",
        domain="economy",
        lead_department=lead,
        deadline=settings.SUPERVISION_TODAY.replace(month=12, day=31),
    )
    task_url = f"{live_server.url}/tasks/{task.pk}/"

    # 1. The supervision office: the dashboard, then 交办 the draft.
    page = login(supervisor)
    assert page.locator("h1").inner_text() == "全区驾驶舱"
    assert page.locator("[data-testid=overdue-count]").inner_text() == "0"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.goto(task_url)
    assert status_label(page) == "草稿"
    assert buttons(page) == {"assign", "cancel"}
    page.click("summary[data-action=assign]")
    page.fill("#id_assign-comment", "请于年底前完成")
    page.click("form[action$='/assign/'] button[type=submit]")
    page.wait_for_url(task_url)
    assert "已交办，已通知牵头单位签收。" in page.locator(".flash").inner_text()
    assert status_label(page) == "已交办"
    assert "草稿 → 已交办" in timeline(page)
    assert "请于年底前完成" in timeline(page)
    assert buttons(page) == {"cancel", "urge"}

    # 2. The lead department: finds it in 我的待办, 签收, 反馈, 申请办结.
    page = login(owner)
    page.click("nav.mainnav >> text=我的待办")
    page.click("[data-testid=to-accept] >> text=新增市场主体5000家")
    page.wait_for_url(task_url)
    assert buttons(page) == {"accept", "extend"}
    page.click("summary[data-action=accept]")
    page.click("form[action$='/accept/'] button[type=submit]")
    page.wait_for_url(task_url)
    assert status_label(page) == "办理中"
    assert "已交办 → 办理中" in timeline(page)
    assert buttons(page) == {"progress", "submit", "extend"}

    page.click("summary[data-action=progress]")
    page.fill("#id_progress-content", "新增市场主体2600家")
    page.fill("#id_progress-percent", "52")
    page.click("form[action$='/progress/'] button[type=submit]")
    page.wait_for_url(task_url)
    assert "反馈进展" in timeline(page)
    assert "新增市场主体2600家" in page.locator("article.report").first.inner_text()

    page.click("summary[data-action=submit]")
    page.click("form[action$='/submit/'] button[type=submit]")  # no summary: refused
    error = page.locator("form[action$='/submit/'] .field.has-error .error")
    assert error.inner_text() == "该字段是必填项。"
    assert status_label(page) == "办理中"
    page.fill("#id_submit-summary", "全年目标已完成")
    page.click("form[action$='/submit/'] button[type=submit]")
    page.wait_for_url(task_url)
    assert status_label(page) == "申请办结"
    assert "办理中 → 申请办结" in timeline(page)
    assert buttons(page) == set()
    assert page.locator("[data-testid=no-actions]").is_visible()

    # 3. The supervision office verifies it: 销号.
    page = login(supervisor)
    page.goto(f"{live_server.url}/inbox/")
    assert "新增市场主体5000家" in page.locator("[data-testid=to-verify]").inner_text()
    page.goto(task_url)
    assert buttons(page) == {"verify", "cancel"}  # submitted work is not urged
    page.click("summary[data-action=verify]")
    page.fill("#id_verify-comment", "核验属实")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button[value=close]")  # dismissed: nothing happens
    assert asked == ["确认核验通过并销号？销号后事项不能再办理。"]
    assert status_label(page) == "申请办结"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=close]")
    page.wait_for_url(task_url)
    assert "已销号。" in page.locator(".flash").inner_text()
    assert status_label(page) == "已销号"
    assert "申请办结 → 已销号" in timeline(page)
    assert "核验属实" in timeline(page)
    assert buttons(page) == set()

    # Logging out through the user menu ends the session.
    page.click("[data-testid=user-menu]")
    page.click("text=退出登录")
    page.goto(task_url)
    assert "/login/" in page.url

    task.refresh_from_db()
    assert task.status == "closed"
    assert [e.action for e in task.events.order_by("created_at", "pk")] == [
        "create",
        "assign",
        "accept",
        "progress",
        "submit",
        "close",
    ]


@pytest.mark.django_db(transaction=True)
def test_dashboard_fits_a_phone(login, supervisor):
    page = login(supervisor, viewport=(390, 844))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    assert page.locator("[data-testid=phone-messages]").is_visible()  # 消息 stays visible
    assert not page.locator("nav.mainnav >> text=督办事项").is_visible()  # folded behind 菜单
    page.click("[data-testid=nav-toggle]")
    for item in ["驾驶舱", "项目", "督办事项", "通报", "公文", "我的待办", "消息"]:
        assert page.locator("nav.mainnav a", has_text=item).first.is_visible(), item
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_office_urges_and_the_unit_sees_and_confirms_it(login, live_server):
    """催办 by hand: the office presses 催办 with a message on an overdue task; the unit sees
    the message it caused (header count, 消息, 我的待办) and confirms it (确认收到催办)."""
    from supervision.loop import transitions
    from supervision.reminders.delivery import deliver_pending

    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    lead = factories.DepartmentFactory(code="JW", name="区教委", short_name="教委")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    owner = factories.UserFactory(role=Role.OWNER, department=lead)
    task = services.task_create(
        actor=supervisor,
        code="BR-002",
        title="新建城区幼儿园2所",
        source="work_report",
        domain="livelihood",
        lead_department=lead,
        deadline=settings.SUPERVISION_TODAY.replace(month=6, day=3),
    )
    task = transitions.task_assign(task=task, actor=supervisor)
    transitions.task_accept(task=task, actor=owner)
    task_url = f"{live_server.url}/tasks/{task.pk}/"

    page = login(supervisor)
    page.goto(task_url)
    assert "逾期" in page.locator(".pagehead").inner_text()
    page.click("summary[data-action=urge]")
    page.fill("#id_urge-message", "请于今日下班前报送进展")
    page.click("form[action$='/urge/'] button[type=submit]")
    page.wait_for_url(task_url)
    assert "已催办，已通知牵头单位。" in page.locator(".flash").inner_text()
    assert "请于今日下班前报送进展" in timeline(page)

    deliver_pending()  # what the worker does within the minute

    page = login(owner)
    count = page.locator("[data-testid=nav-messages] .count")
    assert count.inner_text() == "2"  # 交办 and 催办
    page.click("[data-testid=nav-messages]")
    urge = page.locator("article.message", has_text="【催办】")
    assert "请于今日下班前报送进展" in urge.inner_text()
    page.click("nav.mainnav >> text=我的待办")
    row = page.locator("[data-testid=reminders] tr", has_text="新建城区幼儿园2所")
    row.locator("button[data-action=acknowledge]").click()
    assert "已确认收到催办。" in page.locator(".flash").inner_text()
    assert page.locator("[data-testid=reminders] button[data-action=acknowledge]").count() == 0
