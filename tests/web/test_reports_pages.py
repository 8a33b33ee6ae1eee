import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse

from supervision.models import Indicator, Reminder
from tests.factories import TaskFactory

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


def test_pages_need_a_login(client):
    for name in ("web:notices", "web:indicators"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert "/login/" in response["Location"]
