"""Role homes (issue 17): ``/`` is the unit's 本单位, the leader's 包保 page, the office's
district cockpit; each may open the others; every page under 30 queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from supervision.kinds.instructions import task_instruct
from supervision.reminders.models import Notification
from tests import factories
from tests.clients import session_client

pytestmark = pytest.mark.django_db

MAX_QUERIES = 30


@pytest.fixture
def unit_world(make_task, department, owner, leader):
    make_task("assigned", title="待签收的任务", responsible_leader=leader)
    make_task("in_progress", title="本周到期的事项", deadline=dt.date(2024, 6, 30))
    make_task("in_progress", title="逾期的事项", deadline=dt.date(2024, 6, 3))
    make_task("in_progress", title="年底的事项", deadline=dt.date(2024, 12, 31))
    factories.ProjectFactory(
        lead_department=department,
        name="本单位牵头项目",
        responsible_leader=leader,
        annual_plan_investment=Decimal("100"),
    )
    Notification.objects.create(
        recipient=owner,
        title="新交办：待签收的任务",
        created_at=dt.datetime(2024, 6, 27, tzinfo=dt.UTC),
    )


def test_the_units_home_is_its_own_work(owner_client, unit_world, department):
    page = owner_client.get("/")
    assert page.status_code == 200
    assert page.templates[0].name == "web/home_unit.html"
    html = page.content.decode()
    assert f"本单位 · {department}" in html
    assert [t.title for t in page.context["to_accept"]["rows"]] == ["待签收的任务"]
    assert [t.title for t in page.context["due_this_week"]["rows"]] == [
        "逾期的事项",
        "本周到期的事项",
    ]
    assert "本单位牵头项目" in html
    assert "新交办：待签收的任务" in html
    lights = {row["light"]: row["count"] for row in page.context["lights"]}
    assert lights["red"] == 1
    assert 'data-testid="nav-home">本单位</a>' in html
    # It can still open the district cockpit.
    assert owner_client.get(reverse("web:district")).status_code == 200


def test_the_leaders_home_is_what_he_baobaos_and_his_instructions(
    unit_world, leader, supervisor, make_task
):
    task = make_task("in_progress", title="领导包保事项", responsible_leader=leader)
    make_task("in_progress", title="别人包保的事项")
    task_instruct(task=task, actor=supervisor, leader=leader, text="加快推进，月底前见效")
    page = session_client(leader).get("/")
    assert page.templates[0].name == "web/home_leader.html"
    html = page.content.decode()
    assert "我的包保" in html
    titles = [t.title for t in page.context["open_tasks"]["rows"]]
    assert "领导包保事项" in titles
    assert "别人包保的事项" not in titles
    assert "加快推进，月底前见效" in html
    assert "本单位牵头项目" in html


def test_the_office_home_is_the_district_and_it_opens_the_others(
    supervisor_client, unit_world, department, leader
):
    home = supervisor_client.get("/")
    assert home.templates[0].name == "web/dashboard.html"
    assert 'data-testid="nav-home"' not in home.content.decode()
    unit = supervisor_client.get(reverse("web:unit-home", args=[department.pk]))
    assert unit.status_code == 200
    assert 'data-testid="unit-picker"' in unit.content.decode()
    assert supervisor_client.get(reverse("web:leader-home", args=[leader.pk])).status_code == 200
    picked = supervisor_client.get(reverse("web:my-unit"), {"pk": department.pk})
    assert picked.url == reverse("web:unit-home", args=[department.pk])
    assert supervisor_client.get(reverse("web:unit-home", args=[999_999])).status_code == 404


def test_home_pages_under_30_queries(
    owner_client, supervisor_client, unit_world, department, leader, django_assert_max_num_queries
):
    for _ in range(15):  # more rows must not mean more queries
        factories.ProjectFactory(lead_department=department, responsible_leader=leader)
    pages = [
        (owner_client, "/"),
        (session_client(leader), "/"),
        (supervisor_client, reverse("web:unit-home", args=[department.pk])),
        (supervisor_client, reverse("web:leader-home", args=[leader.pk])),
    ]
    for client, url in pages:
        client.get(url)  # warm the session up
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(url).status_code == 200


# --- the charts' data (issue 17: ECharts) ---------------------------------------------------


def test_district_charts_data(supervisor_client, unit_world, department, owner, make_task):
    from projects.services import investment_report_create

    project = factories.ProjectFactory(
        year=2024, lead_department=department, annual_plan_investment=Decimal("1200")
    )
    investment_report_create(
        project=project, period=dt.date(2024, 3, 1), amount=Decimal("300"), actor=owner
    )
    unplanned = factories.ProjectFactory(
        year=2024, lead_department=department, annual_plan_investment=0
    )
    investment_report_create(
        project=unplanned, period=dt.date(2024, 3, 1), amount=Decimal("999"), actor=owner
    )
    body = supervisor_client.get(reverse("web:district-charts")).json()
    bars = body["investment"]["series"][0]["data"]
    assert bars[2] == 300.0  # March: planned projects only
    assert body["investment"]["series"][1]["data"][0] == 108.33  # (100 + 1200) / 12
    lights = body["lights"]
    assert lights["yAxis"]["data"] == [str(department)]
    red = next(s for s in lights["series"] if s["name"] == "红灯")
    assert red["data"] == [1]


def test_chart_data_is_a_few_queries(supervisor_client, unit_world, django_assert_max_num_queries):
    supervisor_client.get(reverse("web:district-charts"))
    for name in ("web:district-charts", "web:ranking-trend"):
        with django_assert_max_num_queries(10):
            assert supervisor_client.get(reverse(name)).status_code == 200


def test_indicator_page_charts_its_values_against_the_target(supervisor_client, department, owner):
    from supervision.loop.models import Indicator
    from supervision.phases.indicators import indicator_value_enter

    gdp = Indicator.objects.create(
        code="GDP",
        name="地区生产总值",
        domain="economy",
        unit="亿元",
        target_value=Decimal("500"),
        comparison="at_least",
        department=department,
    )
    for period, value in (("2024Q1", "110"), ("2024Q2", "240")):
        indicator_value_enter(actor=owner, indicator=gdp, period=period, value=Decimal(value))
    page = supervisor_client.get(reverse("web:indicator-detail", args=[gdp.pk]))
    option = page.context["chart_option"]
    assert option["xAxis"]["data"] == ["2024Q1", "2024Q2"]
    assert option["series"][0]["data"] == [110.0, 240.0]
    assert option["series"][1]["data"] == [500.0, 500.0]  # the target
    assert 'data-testid="chart-indicator"' in page.content.decode()
