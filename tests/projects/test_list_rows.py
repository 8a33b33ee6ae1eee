"""``GET projects/`` reads its page as ids, then the rows by one prepared statement with the
decimals written by PostgreSQL as text (``projects.api.list_rows``): byte for byte what
``ProjectSerializer`` writes from ``project_list``'s annotated instances, for every filter
and ordering (those on the figures read their ids from the annotated queryset), across days
and light settings (the statement is kept per day and settings), and for decimals that
round (completion rates of a third, a half-cent, huge and zero plans).
"""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from config.api.renderers import OrjsonRenderer
from projects.api import list_rows
from projects.api.serializers import ProjectSerializer
from projects.filters import ProjectFilter
from projects.selectors import project_list
from tests import factories
from tests.clients import API, bearer_client

TODAY = dt.date(2024, 6, 28)
# (annual plan, reported this year): completion rates 33.33, 66.67, 12.50, 0.00, None (no
# plan), 1234567800.00, 100.00 (the money at its widest) and 0.17 %.
FIGURES = [
    (Decimal("3.00"), Decimal("1.00")),
    (Decimal("3.00"), Decimal("2.00")),
    (Decimal("8.00"), Decimal("1.00")),
    (Decimal("10000.00"), None),
    (Decimal("0"), Decimal("5.55")),
    (Decimal("0.01"), Decimal("123456.78")),
    (Decimal("999999999999.99"), Decimal("999999999999.99")),
    (Decimal("6.00"), Decimal("0.01")),
]


@pytest.fixture
def data(db, settings):
    settings.SUPERVISION_TODAY = TODAY
    # Codes sort against ids: the list gives co-operating units in code order.
    units = [factories.DepartmentFactory(code=f"U{9 - i}") for i in range(8)]
    leaders = [factories.UserFactory(role="leader") for _ in range(2)]
    projects = []
    for i in range(16):
        plan, reported = FIGURES[i % len(FIGURES)]
        year = [2023, 2024, 2025, 2024][i % 4]
        project = factories.ProjectFactory(
            code=f"P{15 - i:02d}",
            name=f"项目{i % 5}",  # ties: the code breaks them
            category=["district", "municipal", "key_work"][i % 3],
            stage=["under_construction", "preliminary"][i % 2],
            lead_department=units[i % 8],
            responsible_leader=leaders[i % 2] if i % 3 else None,
            total_investment=[None, Decimal("88888.88"), Decimal("0.10")][i % 3],
            annual_plan_investment=plan,
            year=year,
            planned_start=dt.date(2024, 1, 1) if i % 2 else None,
            planned_end=dt.date(2026, 12, 31) if i % 3 else None,
            location="鸭江镇" if i % 3 else "",
            assumed_fields=[["stage"], [], ["location", "level"]][i % 3],
            is_archived=i % 5 == 0,
        )
        if i % 2:
            project.co_departments.set(units[(i + 1) % 8 : (i + 1) % 8 + 3])
        if reported is not None:
            factories.InvestmentReportFactory(
                project=project, amount=reported, period=dt.date(year, 1 + i % 6, 1)
            )
        if i % 4 == 1:  # overdue: red
            factories.MilestoneFactory(project=project, due_date=dt.date(2024, 6, 1))
        elif i % 4 == 2:  # due within the warning days: yellow at least
            factories.MilestoneFactory(project=project, due_date=dt.date(2024, 7, 2))
        projects.append(project)
    return {"units": units, "projects": projects}


def _assert_same(client, params: dict, *, today=TODAY):
    """The page the API answers against the serializer's output for the same page."""
    size = int(params.get("page_size", 100))
    page = int(params.get("page", 1))
    response = client.get(f"{API}projects/", {"page_size": size, **params})
    assert response.status_code == 200, response.content[:500]
    queryset = project_list(today=today).prefetch_related("co_departments")
    rows = ProjectFilter(QueryDict(urlencode(params)), queryset=queryset).qs
    data = ProjectSerializer(rows[(page - 1) * size : page * size], many=True).data
    frame = response.json()
    assert frame["results"], frame
    body = {key: frame[key] for key in ("count", "next", "previous")}
    assert response.content == OrjsonRenderer().render({**body, "results": data})
    return frame


QUERIES = [
    {},
    {"page_size": "5", "page": "2"},
    {"page_size": "1", "page": "3"},
    {"light": "red"},
    {"light": "yellow"},
    {"light": "green"},
    {"light": ""},
    {"ordering": "code"},
    {"ordering": "-code"},
    {"ordering": "name"},
    {"ordering": "-name"},
    {"ordering": "year"},
    {"ordering": "-year,name"},
    {"ordering": "annual_plan_investment"},
    {"ordering": "-annual_plan_investment"},
    {"ordering": "completion_rate"},
    {"ordering": "-completion_rate"},
    {"ordering": "-completion_rate", "light": "green", "page_size": "1", "page": "2"},
    {"category": "municipal"},
    {"stage": "preliminary"},
    {"year": "2024"},
    {"year": "2025", "ordering": "-name"},
    {"is_archived": "true"},
    {"is_archived": "false", "ordering": "-year"},
    {"search": "鸭江"},
    {"q": "项目3"},
    {"q": "鸭江", "year": "2024"},
]


@pytest.mark.parametrize("params", QUERIES)
def test_the_page_is_the_serializers(data, owner, params):
    _assert_same(bearer_client(owner, scope="read"), params)


def test_the_unit_filters_are_the_serializers(data, owner):
    client = bearer_client(owner, scope="read")
    unit = data["units"][3]
    _assert_same(client, {"department": str(unit.pk)})
    _assert_same(client, {"lead_department": str(unit.pk), "ordering": "-completion_rate"})


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
def test_the_page_is_the_serializers_in_any_zone(data, owner, zone):
    with timezone.override(zone):
        _assert_same(bearer_client(owner, scope="read"), {"ordering": "-year"})


def test_the_compared_data_holds_every_figure(data, owner):
    """The comparisons are only as good as the data: every light, rates that round, no
    plan, co-operating units, assumed fields, archived projects, every year's 序时进度."""
    rows = _assert_same(bearer_client(owner, scope="read"), {})["results"]
    assert {row["light"] for row in rows} == {"red", "yellow", "green"}
    rates = {row["completion_rate"] for row in rows}
    assert {"33.33", "66.67", "12.50", "0.00", None, "1234567800.00", "100.00", "0.17"} <= rates
    assert {row["time_progress"] for row in rows} == {"100.00", "0.00", "49.18"}
    assert {row["total_investment"] for row in rows} == {None, "88888.88", "0.10"}
    assert "999999999999.99" in {row["completed_investment"] for row in rows}
    assert any(len(row["co_departments"]) == 3 for row in rows)
    assert any(row["assumed_fields"] == ["location", "level"] for row in rows)
    assert {row["is_archived"] for row in rows} == {True, False}


def test_the_rows_follow_the_day_and_the_light_settings(data, owner, settings):
    """The statement is kept per day and light settings: another day's 序时进度 and lights,
    and the lights of other settings, are the serializer's on that day."""
    client = bearer_client(owner, scope="read")
    before = _assert_same(client, {})["results"]
    later = dt.date(2024, 11, 30)
    settings.SUPERVISION_TODAY = later
    after = _assert_same(client, {}, today=later)["results"]
    assert {row["time_progress"] for row in after} == {"100.00", "0.00", "91.53"}
    assert [row["light"] for row in after] != [row["light"] for row in before]
    settings.PROJECT_LIGHT_RED_GAP = 100
    settings.PROJECT_LIGHT_YELLOW_GAP = 95
    settings.PROJECT_MILESTONE_WARNING_DAYS = 0
    relaxed = _assert_same(client, {}, today=later)["results"]
    assert [row["light"] for row in relaxed] != [row["light"] for row in after]


def test_only_filters_and_orderings_on_the_figures_read_the_annotated_ids():
    params = QueryDict
    assert not list_rows.needs_figures(params("year=2024&ordering=-name&q=x"))
    assert list_rows.needs_figures(params("light=red"))
    assert list_rows.needs_figures(params("ordering=name,-completion_rate"))
    assert list_rows.needs_figures(params("ordering=name&ordering=completion_rate"))
