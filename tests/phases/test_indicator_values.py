"""Indicators by period: the responsible unit enters values; the indicator's light against
序时; a task that repeats an indicator reads its values."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditRecord
from supervision.loop.models import EscalationPolicy, Indicator
from supervision.loop.services import progress_report_create
from supervision.phases.indicators import indicator_lights, indicator_value_enter
from supervision.phases.models import IndicatorValue
from tests import factories
from tests.clients import API, session_client
from tests.phases.conftest import api_for


@pytest.fixture
def gdp(department):
    """An amount to prorate: 地区生产总值 at least 500 亿元 in 2024."""
    return Indicator.objects.create(
        code="GDP",
        name="地区生产总值",
        domain="economy",
        unit="亿元",
        target_value=Decimal("500"),
        comparison="at_least",
        department=department,
    )


@pytest.fixture
def growth(department):
    return Indicator.objects.create(
        code="GDP-G",
        name="地区生产总值增长",
        domain="economy",
        unit="%",
        target_value=Decimal("6.5"),
        comparison="at_least",
        department=department,
    )


def test_responsible_unit_enters_and_corrects_a_period(gdp, owner):
    client = api_for(owner)
    response = client.post(
        API + f"indicators/{gdp.pk}/values/", {"period": "2024Q1", "value": "120.5"}, format="json"
    )
    assert response.status_code == 201, response.content
    response = client.post(
        API + f"indicators/{gdp.pk}/values/",
        {"period": "2024Q1", "value": "121", "note": "统计局修正"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert IndicatorValue.objects.get(indicator=gdp, period="2024Q1").value == Decimal("121")
    audits = AuditRecord.objects.filter(model="supervision.IndicatorValue").order_by("pk")
    assert [a.action for a in audits] == ["create", "update"]
    assert audits[1].before["value"] == "120.5000"
    assert audits[1].after["value"] == "121.0000"
    listed = client.get(API + f"indicators/{gdp.pk}/values/").json()
    assert [row["period"] for row in listed] == ["2024Q1"]


def test_latest_value_follows_the_latest_period(gdp, owner):
    for period, value in (("2024-05", "200"), ("2024Q1", "120"), ("2024-03", "119")):
        indicator_value_enter(actor=owner, indicator=gdp, period=period, value=Decimal(value))
    gdp.refresh_from_db()
    assert gdp.latest_value == Decimal("200")
    assert gdp.period_values == {"2024-03": "119", "2024Q1": "120", "2024-05": "200"}


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2024-13", "格式"),
        ("2024Q5", "格式"),
        ("2023Q4", "年度"),
        ("2024-07", "尚未开始"),
        ("", ""),
    ],
)
def test_bad_periods_are_refused_and_nothing_is_stored(gdp, owner, period, message):
    response = api_for(owner).post(
        API + f"indicators/{gdp.pk}/values/", {"period": period, "value": "1"}, format="json"
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_other_units_and_viewers_cannot_enter(gdp, other_owner, viewer, leader, supervisor):
    for user in (other_owner, viewer, leader):
        response = api_for(user).post(
            API + f"indicators/{gdp.pk}/values/", {"period": "2024-05", "value": "1"}, format="json"
        )
        assert response.status_code == 403, user.role
    assert not IndicatorValue.objects.exists()
    response = api_for(supervisor).post(
        API + f"indicators/{gdp.pk}/values/", {"period": "2024-05", "value": "1"}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("value", "light"),
    [
        # 序时 target at May: 500 × 5/12 = 208.33; behind in points of 500
        ("205", "green"),  # 0.7 points behind
        ("150", "yellow"),  # 11.7 points behind (yellow gap 10)
        ("100", "red"),  # 21.7 points behind (red gap 20)
    ],
)
def test_an_amount_is_judged_against_its_prorated_target(gdp, owner, value, light):
    indicator_value_enter(actor=owner, indicator=gdp, period="2024-05", value=Decimal(value))
    judged = indicator_lights([gdp], policy=EscalationPolicy())[gdp.pk]
    assert judged.light == light
    assert judged.sequential_target.quantize(Decimal("0.01")) == Decimal("208.33")


def test_a_rate_is_judged_as_it_stands_and_no_value_has_no_light(growth, gdp, owner):
    indicator_value_enter(actor=owner, indicator=growth, period="2024Q1", value=Decimal("5.5"))
    lights = indicator_lights([growth, gdp], policy=EscalationPolicy())
    assert lights[growth.pk].light == "yellow"  # (6.5 − 5.5) / 6.5 = 15.4 points
    assert lights[gdp.pk].light is None
    body = api_for(owner).get(API + f"indicators/{growth.pk}/").json()
    assert body["light"] == "yellow"
    assert body["behind"] == "15.4"
    assert body["department"] == growth.department_id


def test_a_linked_task_reads_the_indicators_value(gdp, owner, supervisor):
    task = factories.TaskFactory(
        status="in_progress", lead_department=owner.department, indicator=gdp, target_value=500
    )
    indicator_value_enter(actor=owner, indicator=gdp, period="2024-05", value=Decimal("210"))
    body = api_for(supervisor).get(API + f"tasks/{task.pk}/").json()
    assert Decimal(body["latest_value"]) == Decimal("210")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="指标"):
        progress_report_create(task=task, actor=owner, content="五月", value=Decimal("999"))


def test_cockpit_page_lets_the_unit_enter_and_others_only_read(gdp, owner, other_owner):
    url = reverse("web:indicator-detail", args=[gdp.pk])
    unit = session_client(owner)
    assert "填报分期数值" in unit.get(url).content.decode()
    response = unit.post(url, {"value-period": "2024-05", "value-value": "150"})
    assert response.status_code == 302
    page = unit.get(url).content.decode()
    assert "已填报 2024-05 数值 150" in page
    assert "落后序时" in page
    response = unit.post(url, {"value-period": "2024-09", "value-value": "1"})
    assert response.status_code == 400
    assert "尚未开始" in response.content.decode()
    other = session_client(other_owner)
    assert "填报分期数值" not in other.get(url).content.decode()
    assert other.post(url, {"value-period": "2024-04", "value-value": "1"}).status_code == 403
    assert IndicatorValue.objects.count() == 1
    listing = other.get(reverse("web:indicators")).content.decode()
    assert "light-yellow" in listing
    assert "2024-05：150" in listing


def test_the_office_sets_the_responsible_unit_and_target_in_the_cockpit(
    gdp, owner, supervisor, other_department
):
    Indicator.objects.filter(pk=gdp.pk).update(assumed_fields=["department", "tolerance"])
    url = reverse("web:indicator-edit", args=[gdp.pk])
    office = session_client(supervisor)
    page = office.get(reverse("web:indicator-detail", args=[gdp.pk]))
    assert 'data-testid="indicator-edit"' in page.content.decode()
    assert page.context["edit_form"].initial["target_value"] == Decimal("500")
    assert (
        'data-testid="indicator-edit"'
        not in session_client(owner)
        .get(reverse("web:indicator-detail", args=[gdp.pk]))
        .content.decode()
    )
    refused = session_client(owner).post(url, {"edit-department": other_department.pk})
    assert refused.status_code == 403
    bad = office.post(url, {"edit-department": gdp.department_id, "edit-tolerance": "-1"})
    assert bad.status_code == 400

    response = office.post(
        url,
        {
            "edit-department": other_department.pk,
            "edit-target_value": "520",
            "edit-tolerance": "",
        },
        follow=True,
    )

    text = response.content.decode()
    assert (
        f"已修改指标“地区生产总值”：责任单位 {gdp.department} → {other_department}；"
        "年度目标值 500 → 520。"
    ) in text
    gdp.refresh_from_db()
    assert (gdp.department, gdp.target_value) == (other_department, Decimal("520"))
    assert gdp.assumed_fields == ["tolerance"]  # set by the office: no longer 推定
    record = AuditRecord.objects.filter(object_id=str(gdp.pk), actor=supervisor).get()
    assert record.action == "update"
    unchanged = office.post(
        url, {"edit-department": other_department.pk, "edit-target_value": "520"}, follow=True
    )
    assert "指标没有改动。" in unchanged.content.decode()


def test_excel_sheet_lists_periods_and_light(gdp, owner, viewer):
    indicator_value_enter(actor=owner, indicator=gdp, period="2024-05", value=Decimal("100"))
    response = api_for(viewer).get(API + "exports/indicators.xlsx?year=2024")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[2]]
    row = [c.value for c in sheet[3]]
    assert row[header.index("2024-05")] == 100
    assert row[header.index("亮灯")] == "红灯"
    assert api_for(viewer).get(API + "exports/indicators.xlsx?year=1").status_code == 400
