import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from supervision.models import Indicator, Reminder
from tests.factories import MilestoneFactory, ProjectFactory, TaskFactory

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def notice(task, created):
    return Reminder.objects.create(
        kind="deadline",
        level="notice",
        task=task,
        department=task.lead_department,
        deadline=task.deadline,
        created_at=created,
        deliver_after=created,
    )


def test_weekly_notice_lists_the_notice_rung_of_that_week_only(client, viewer, department):
    client.force_login(viewer)
    in_week = notice(
        TaskFactory(lead_department=department, title="本周通报事项"),
        dt.datetime(2024, 6, 26, 10, tzinfo=TZ),
    )  # Wednesday of 2024-W26
    notice(
        TaskFactory(lead_department=department, title="上周通报事项"),
        dt.datetime(2024, 6, 21, 10, tzinfo=TZ),
    )  # 2024-W25
    response = client.get(reverse("web:notices"), {"week": "2024-W26"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "本周通报事项" in body
    assert "上周通报事项" not in body
    assert "共 1 项" in body
    assert str(department) in body  # one form of the unit name (its short form)
    assert in_week.task.code in body


@pytest.mark.parametrize("week", ["2024-26", "2024-W54", "1999-W01", "abc"])
def test_a_bad_week_is_a_clear_400(client, viewer, week):
    client.force_login(viewer)
    response = client.get(reverse("web:notices"), {"week": week})
    assert response.status_code == 400
    assert "周次格式应为" in response.content.decode()


def test_indicators_page_shows_target_latest_and_trend_per_card(client, viewer):
    client.force_login(viewer)
    Indicator.objects.create(
        code="IND-01",
        name="地区生产总值增长",
        domain="economy",
        unit="%",
        target_value=Decimal("6.5"),
        comparison="at_least",
        latest_value=Decimal("6.1"),
        period_values={"2024Q1": 5.9, "2024Q2": 6.1},
    )
    Indicator.objects.create(
        code="IND-07",
        name="居民消费价格涨幅",
        domain="economy",
        unit="%",
        target_value=Decimal("3"),
        comparison="at_most",
    )
    body = client.get(reverse("web:indicators")).content.decode()
    assert "经济" in body
    assert "不低于 6.5%" in body
    assert "6.1%" in body
    assert "2024Q1：5.9" in body
    assert "不高于 3%" in body


def test_baselines_and_inferred_values_are_shown_on_indicator_and_task_pages(
    client, viewer, department
):
    """Issue 19: the 2023 actual (baseline), the contradiction note, and a "（推定）" mark on
    every value the report does not state (assumed_fields)."""
    client.force_login(viewer)
    indicator = Indicator.objects.create(
        code="IND-63",
        name="进出口总额",
        domain="economy",
        unit="万元",
        target_value=Decimal("9200"),
        comparison="at_least",
        baseline=Decimal("8477"),
        consistency_note="目标较2023年增长8.5%，与“增长10%以上”不一致",
        department=department,
        assumed_fields=["department"],
    )
    body = client.get(reverse("web:indicators")).content.decode()
    row = body[body.index('data-indicator="IND-63"') :].split("</tr>")[0]
    assert "8477万元" in row
    assert "与“增长10%以上”不一致" in row
    assert f"{department}<span" in row
    assert row.count("（推定）") == 1  # the unit only: baseline and direction are stated
    body = client.get(reverse("web:indicator-detail", args=[indicator.pk])).content.decode()
    shown = body[body.index('data-testid="indicator-baseline"') :].split("</dd>")[0]
    assert "8477万元" in shown
    assert "不一致" in shown

    task = TaskFactory(
        lead_department=department,
        indicator=indicator,
        target_value=Decimal("9200"),
        target_comparison="at_least",
        assumed_fields=["deadline", "target_comparison"],
    )
    body = client.get(reverse("web:task-detail", args=[task.pk])).content.decode()
    assert body.count("（推定）") == 2
    shown = body[body.index('data-testid="indicator"') :].split("</dd>")[0]
    assert "2023年实绩（基数）8477万元" in shown
    assert "不一致" in shown

    project = ProjectFactory(location="双河镇", assumed_fields=["location"])
    MilestoneFactory(project=project, assumed_fields=["due_date"])
    body = client.get(reverse("web:project-detail", args=[project.pk])).content.decode()
    assert "双河镇<span" in body
    assert body.count("（推定）") == 2


def test_pages_need_a_login(client):
    for name in ("web:notices", "web:indicators"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/login/" in response["Location"]
