"""Regressions of the cockpit bugs listed in issue 17, one test (or a few) per bug."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


# --- filter labels after a search ----------------------------------------------------------


@pytest.mark.parametrize("name", ["web:tasks", "web:projects"])
@pytest.mark.parametrize("params", [{}, {"q": "事项"}, {"light": "red", "q": "x"}])
def test_filter_labels_stay_chinese_after_a_search(supervisor_client, name, params):
    """They turned into "[invalid name]", "办理时限 is greater than or equal to" and
    "---------" once a search or filter was applied (bound fields cached before tuning)."""
    html = supervisor_client.get(reverse(name), params).content.decode()
    assert "[invalid name]" not in html
    assert "---------" not in html
    assert "is greater than" not in html
    assert "is less than" not in html
    assert '<label for="id_light">亮灯</label>' in html
    assert '<option value=""' in html
    assert ">全部</option>" in html


# --- the dashboard's KPI of unacknowledged 督办/通报 -----------------------------------------


def test_unacknowledged_kpi_counts_fresh_reminders_and_says_which_are_late(
    supervisor_client, make_task
):
    """ "督办未签收 0" while a unit held eight fresh 通报: the KPI counted only reminders
    older than one working day without saying so."""
    fresh = dt.datetime(2024, 6, 28, 1, tzinfo=dt.UTC)
    old = dt.datetime(2024, 6, 20, 1, tzinfo=dt.UTC)
    for day in (3, 4, 5):
        task = make_task("in_progress", deadline=dt.date(2024, 6, day))
        factories.ReminderFactory(task=task, level="notice", sent_at=fresh)
    factories.ReminderFactory(task=task, level="escalated", sent_at=old)
    task = make_task("in_progress", deadline=dt.date(2024, 6, 6))
    factories.ReminderFactory(task=task, level="escalated", sent_at=old, acknowledged_at=old)

    page = supervisor_client.get(reverse("web:dashboard"))
    assert page.context["escalations_pending"] == 4
    html = page.content.decode()
    assert "督办未签收" not in html
    assert "督办、通报待确认" in html
    assert "其中超过1个工作日未确认 1 条" in html


# --- Chinese error pages -------------------------------------------------------------------


def test_unknown_page_is_a_chinese_404(supervisor_client):
    response = supervisor_client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "返回首页" in html
    assert "Not Found" not in html


def test_a_views_own_404_message_is_shown(supervisor_client):
    response = supervisor_client.get(reverse("web:task-detail", args=[999_999]))
    assert response.status_code == 404
    assert "督办事项不存在。" in response.content.decode()


def test_unknown_api_path_is_a_json_404(supervisor_client):
    response = supervisor_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_403_and_500_pages_are_chinese(rf):
    from django.core.exceptions import PermissionDenied

    from supervision.web.views import errors

    denied = errors.permission_denied(rf.get("/tasks/"), PermissionDenied())
    assert denied.status_code == 403
    assert "无权访问" in denied.content.decode()
    broken = errors.server_error(rf.get("/"))
    assert broken.status_code == 500
    assert "系统出错了" in broken.content.decode()
    api = errors.server_error(rf.get("/api/v1/tasks/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"


def test_a_stale_form_is_a_chinese_403(owner, make_task):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("web:messages-read-all"))
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_make_run_is_not_debug():
    """Under DEBUG=1 a bad URL showed Django's English debug page: ``make run`` runs with
    DEBUG off (and loads the demo with --force, serves static files after collectstatic)."""
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run_env = makefile.split("RUN_ENV :=", 1)[1].split("\n\n", 1)[0]
    assert "DEBUG=0" in run_env
    assert "DEBUG=1" not in run_env
    assert "collectstatic" in makefile
    assert "load_seeds --demo --force" in makefile


# --- one product name, one form of each unit name, weeks in words --------------------------


def test_one_product_name(supervisor_client, client):
    login = client.get(reverse("web:login")).content.decode()
    home = supervisor_client.get(reverse("web:dashboard")).content.decode()
    for html in (login, home):
        assert "武隆督办" in html
        assert "督查驾驶舱" not in html
        assert "督查督办系统" not in html


def test_weekly_notice_says_the_week_in_words(viewer_client):
    response = viewer_client.get(reverse("web:notices"), {"week": "2024-W26"})
    html = response.content.decode()
    assert "2024年第26周" in html
    assert "<h1>督办通报 · 2024-W26" not in html


# --- investment correction and the annual plan ---------------------------------------------


@pytest.fixture
def project(department):
    return factories.ProjectFactory(
        lead_department=department, name="白马山隧道", annual_plan_investment=Decimal("12000")
    )


def test_the_unit_corrects_a_wrong_month_with_a_reason_and_the_history_shows(
    owner_client, owner, project
):
    """A wrong figure could not be corrected ("该项目本月投资已填报…" and no edit control)."""
    from projects.models import InvestmentReport

    invest = reverse("web:project-invest", args=[project.pk])
    owner_client.post(invest, {"invest-period": "2024-03", "invest-amount": "12500"})
    again = owner_client.post(invest, {"invest-period": "2024-03", "invest-amount": "125"})
    assert again.status_code == 400
    text = again.content.decode()
    assert "2024年3月的投资已填报（12500.00 万元）" in text
    assert "本月" not in text.split("更正")[0][-80:]
    report = InvestmentReport.objects.get(project=project)

    page = owner_client.get(
        reverse("web:project-detail", args=[project.pk]), {"correct": report.pk}
    )
    assert 'data-action="correct-2024-03"' in page.content.decode()
    assert page.context["correct_form"]["report"].value() == str(report.pk)

    correct = reverse("web:project-invest-correct", args=[project.pk])
    no_reason = owner_client.post(correct, {"correct-report": report.pk, "correct-amount": "125"})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.context["correct_form"].errors
    response = owner_client.post(
        correct,
        {"correct-report": report.pk, "correct-amount": "125", "correct-reason": "多录了两位"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.amount == Decimal("125")
    page = owner_client.get(reverse("web:project-detail", args=[project.pk]))
    history = page.content.decode()
    assert "用户0：原 12,500 万元，理由：多录了两位" in history.replace(owner.display_name, "用户0")
    assert "已更正 2024年03月 完成投资为 125.00 万元" in history
    from accounts.models import AuditRecord

    record = AuditRecord.objects.get(action="correct")
    assert (record.actor, record.before["amount"], record.after["reason"]) == (
        owner,
        "12500.00",
        "多录了两位",
    )


def test_another_unit_cannot_correct(other_owner_client, project, owner):
    from projects.services import investment_report_create

    report = investment_report_create(
        project=project, period=dt.date(2024, 3, 1), amount=Decimal("1"), actor=owner
    )
    response = other_owner_client.post(
        reverse("web:project-invest-correct", args=[project.pk]),
        {"correct-report": report.pk, "correct-amount": "9", "correct-reason": "x"},
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.amount == Decimal("1")


def test_the_office_sets_the_annual_plan_logged(supervisor_client, owner_client, project):
    url = reverse("web:project-plan", args=[project.pk])
    refused = owner_client.post(url, {"plan-annual_plan_investment": "1", "plan-reason": "x"})
    assert refused.status_code == 403
    assert (
        "plan_form"
        not in owner_client.get(reverse("web:project-detail", args=[project.pk])).context
    )
    response = supervisor_client.post(
        url, {"plan-annual_plan_investment": "15000", "plan-reason": "区政府常务会调整"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.annual_plan_investment == Decimal("15000")
    page = supervisor_client.get(reverse("web:project-detail", args=[project.pk]))
    text = page.content.decode()
    assert "年度计划调整记录（1 条）" in text
    assert "依据：区政府常务会调整" in text
    bad = supervisor_client.post(url, {"plan-annual_plan_investment": "-5", "plan-reason": "x"})
    assert bad.status_code == 400


# --- the district rate over planned projects ------------------------------------------------


def test_district_rate_leaves_out_projects_without_a_plan(supervisor_client, department):
    """12,500 万元 on a plan-0 project moved the district rate from 37.3 % to 49.2 %."""
    planned = factories.ProjectFactory(
        year=2024, lead_department=department, annual_plan_investment=Decimal("10000")
    )
    factories.InvestmentReportFactory(project=planned, period=dt.date(2024, 3, 1), amount=3730)
    unplanned = factories.ProjectFactory(
        year=2024, lead_department=department, annual_plan_investment=0
    )
    factories.InvestmentReportFactory(
        project=unplanned, period=dt.date(2024, 3, 1), amount=Decimal("12500")
    )
    page = supervisor_client.get(reverse("web:dashboard"))
    investment = page.context["summary"]["investment"]
    assert investment["completion_rate"] == Decimal("37.30")
    assert investment["completed"] == Decimal("3730.00")
    assert (investment["unplanned_completed"], investment["unplanned_projects"]) == (
        Decimal("12500.00"),
        1,
    )
    assert "另有 1 个无年度计划项目完成 12,500 万元（未计入完成率）" in page.content.decode()
    api = supervisor_client.get("/api/v1/dashboard/").json()["investment"]
    assert (api["completion_rate"], api["unplanned_completed"]) == ("37.30", "12500.00")
