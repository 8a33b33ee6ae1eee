"""The kinds of 督办件 in a real browser (Playwright + Debian Chromium, the fixtures of
``test_browser``): the office files a 批示件 with 保存并交办 and a meeting's three items,
which it assigns from the list with one batch 交办; the unit signs for the 批示件 and reports;
the 批示领导 sees the report come back and adds a 批示. The new pages are saved as small
screenshots under ``test-artifacts/`` (copied into ``docs/``)."""

import datetime as dt

import pytest

from accounts.choices import Role
from supervision.kinds import proposals, services
from supervision.loop import transitions
from supervision.loop.models import Task
from tests import factories
from tests.web.test_browser import ARTIFACTS, browser, login, status_label  # noqa: F401, F811

VIEW = (1100, 760)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"kinds-{name}.png"))


def _proposals(supervisor, owner, unit):
    """Three answered proposals, so the 四率 page has figures."""
    for n, reply_class in enumerate(["A", "B", "A"], start=1):
        task = services.task_file(
            actor=supervisor,
            source="npc",
            title=f"关于农村公路养护的建议{n}",
            domain="livelihood",
            lead_department=unit,
            details={"proposal": {"number": f"第{n}号", "proposer": f"代表{n}"}},
        )
        task = transitions.task_assign(task=task, actor=supervisor)
        transitions.task_accept(task=task, actor=owner)
        proposals.proposal_reply(
            task=task,
            actor=owner,
            reply_class=reply_class,
            replied_on=dt.date(2024, 6, 20),
            summary="已答复",
            met_on=dt.date(2024, 6, 18) if n < 3 else None,
        )


@pytest.mark.django_db(transaction=True)
def test_office_files_and_assigns_the_unit_reports_the_leader_instructs(login, live_server):  # noqa: F811
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    lead = factories.DepartmentFactory(code="JTJ", name="区交通运输委", short_name="交通委")
    other = factories.DepartmentFactory(code="ZJW", name="区住房城乡建委", short_name="住建委")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    owner = factories.UserFactory(role=Role.OWNER, department=lead)
    leader = factories.UserFactory(role=Role.LEADER, display_name="区领导·李强")
    _proposals(supervisor, owner, lead)
    url = live_server.url

    # 1. The office: 新建 → 领导批示, its own form; 保存并交办.
    page = login(supervisor, viewport=VIEW)
    page.goto(f"{url}/tasks/")
    page.click("[data-testid=task-new]")
    shot(page, "new")
    page.click("[data-source=instruction]")
    page.select_option("#id_instruction-leader", str(leader.pk))
    page.fill("#id_instruction-instructed_on", "2024-06-24")
    page.select_option("#id_instruction-urgency", "urgent")
    page.fill("#id_instruction-text", "请区交通运输委抓紧排查乌江航道安全隐患，三日内报结果。")
    page.fill("#id_task-title", "关于乌江航道安全隐患排查的批示")
    page.select_option("#id_task-domain", "safety")
    page.select_option("#id_task-lead_department", str(lead.pk))
    shot(page, "instruction-form")
    page.click("button[value=assign]")
    page.wait_for_url(f"{url}/tasks/*/")
    assert "已保存并交办" in page.locator(".flash").inner_text()
    assert status_label(page) == "已交办"
    assert "2024-06-27" in page.locator(".pagehead").inner_text()  # 急件: 3 working days
    instruction_url = page.url

    # 2. A meeting and its three items in one form, saved as drafts, then batch 交办.
    page.goto(f"{url}/meetings/new/")
    page.fill("#id_meeting-name", "区政府第15次常务会议")
    page.fill("#id_meeting-held_on", "2024-06-20")
    page.fill("#id_meeting-minutes_number", "武隆府纪〔2024〕15号")
    for i, (title, unit) in enumerate(
        [("推进城区污水管网改造", other), ("加快乡村公路建设", lead), ("完善停车设施", other)]
    ):
        page.fill(f"#id_items-{i}-title", title)
        page.select_option(f"#id_items-{i}-lead_department", str(unit.pk))
        page.fill(f"#id_items-{i}-deadline", "2024-09-30")
        page.select_option(f"#id_items-{i}-domain", "economy")
    shot(page, "meeting-form")
    page.click("button[value=save]")
    page.wait_for_url(f"{url}/tasks/*/")
    assert page.locator("[data-testid=meeting-items] tbody tr").count() == 3
    page.goto(f"{url}/tasks/?source=decision")
    assert page.locator("[data-testid=kind-tabs] a.active").inner_text() == "区委区政府决策"
    for box in page.locator("input[name=tasks]").all():
        box.check()
    page.click("[data-testid=batch-assign-submit]")
    page.wait_for_url(f"{url}/tasks/?source=decision")
    assert "已交办 3 项" in page.locator(".flash").inner_text()
    assert Task.objects.filter(source="decision", status="assigned").count() == 3

    # 3. The unit signs for the 批示件 and reports.
    page = login(owner, viewport=VIEW)
    page.goto(instruction_url)
    page.click("summary[data-action=accept]")
    page.click("form[action$='/accept/'] button[type=submit]")
    page.wait_for_url(instruction_url)
    page.click("summary[data-action=progress]")
    page.fill("#id_progress-content", "已完成航道隐患排查，发现隐患3处，正在整改。")
    page.click("form[action$='/progress/'] button[type=submit]")
    page.wait_for_url(instruction_url)
    assert status_label(page) == "办理中"

    # 4. The leader sees the report come back and adds a 批示.
    page = login(leader, viewport=VIEW)
    page.click("[data-testid=nav-messages]")
    back = page.locator("article.message", has_text="【批示件办理情况】")
    assert "已完成航道隐患排查" in back.inner_text()
    page.click("nav.mainnav >> text=我的待办")
    page.click("[data-testid=instructed] >> text=关于乌江航道安全隐患排查的批示")
    page.wait_for_url(instruction_url)
    assert "已完成航道隐患排查" in page.locator("article.report").first.inner_text()
    page.click("summary[data-action=instruct]")
    page.fill("#id_instruct-text", "整改要彻底，汛期前全部完成。")
    page.click("#instructions button[type=submit]")
    page.wait_for_url(instruction_url)
    assert "整改要彻底" in page.locator("[data-testid=instructions]").inner_text()
    page.locator("[data-testid=kind-detail]").scroll_into_view_if_needed()
    shot(page, "instruction-task")

    # The 四率 page, as anyone sees it.
    page.goto(f"{url}/proposals/")
    rates = page.locator("[data-testid=proposal-rates]").inner_text()
    assert "66.7%" in rates  # 解决率: 2 of 3 answered are class A; 见面沟通率 2 of 3
    shot(page, "proposal-stats")
