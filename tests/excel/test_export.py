"""GET exports/tasks.xlsx and exports/projects.xlsx: the list's rows, print-ready."""

import datetime as dt
import io
import tracemalloc
from decimal import Decimal

import pytest
from django.http import FileResponse
from openpyxl import load_workbook

from accounts.choices import Role
from supervision.excel import XLSX
from supervision.models import Indicator, Task
from tests import factories
from tests.clients import bearer_client
from tests.excel.conftest import (
    PROJECTS_XLSX,
    TASKS_XLSX,
    data_rows,
    read_xlsx,
    wall,
)

TASK_HEADERS = [
    "编号", "事项名称", "来源", "报表类别", "牵头单位", "办理时限", "状态", "亮灯",
    "逾期工作日", "目标值", "单位", "最新值", "交办时间", "签收时间", "办结时间",
    "指标基数（2023年）", "推定字段",
]  # fmt: skip
PROJECT_HEADERS = [
    "编号", "项目名称", "类别", "阶段", "牵头单位", "年度计划投资（万元）", "累计完成（万元）",
    "完成率%", "序时进度%", "亮灯", "计划开工", "计划完工", "推定字段",
]  # fmt: skip


@pytest.fixture
def tasks(department, other_department):
    """Three tasks around 2024-06-28 (a Friday): overdue, due soon, later; one co-operated."""
    return [
        factories.TaskFactory(
            code="T-001",
            title="推进乌江航道整治",
            source="instruction",
            domain="ecology",
            lead_department=department,
            deadline=dt.date(2024, 6, 20),
            status="in_progress",
            target_value=Decimal("1200.5"),
            target_unit="米",
            latest_value=Decimal("300"),
            assigned_at=dt.datetime(2024, 6, 3, 1, 30, tzinfo=dt.UTC),
            accepted_at=dt.datetime(2024, 6, 4, 2, tzinfo=dt.UTC),
        ),
        factories.TaskFactory(
            code="T-002",
            title="建设城市书房",
            lead_department=other_department,
            co_departments=[department],
            deadline=dt.date(2024, 7, 2),
            status="assigned",
        ),
        factories.TaskFactory(
            code="T-003",
            title="完成年度招商任务",
            lead_department=department,
            deadline=dt.date(2024, 12, 31),
            status="closed",
        ),
    ]


def test_task_ledger_is_print_ready_with_chinese_labels(supervisor_api, tasks, department):
    response = supervisor_api.get(TASKS_XLSX)

    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == (
        "attachment; filename=\"tasks-2024-06-28.xlsx\"; filename*=UTF-8''"
        "%E7%9D%A3%E5%8A%9E%E5%8F%B0%E8%B4%A6-2024-06-28.xlsx"  # 督办台账-2024-06-28.xlsx
    )
    ws = read_xlsx(response).worksheets[0]
    assert ws.title == "督办台账"
    assert ws["A1"].value == "督办台账（截至 2024-06-28，共 3 项）"
    assert [c.value for c in ws[2]] == TASK_HEADERS
    assert all(c.font.b and c.fill.fgColor.rgb.endswith("DDEBF7") for c in ws[2])
    assert ws.freeze_panes == "C3"
    assert ws.print_title_rows == "$1:$2"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width == 40
    assert ws.auto_filter.ref == "A2:Q5"

    first = {h: c for h, c in zip(TASK_HEADERS, ws[3], strict=True)}
    assert first["编号"].value == "T-001"
    assert first["来源"].value == "领导批示"
    assert first["报表类别"].value == "生态"
    assert first["牵头单位"].value == department.name
    assert first["办理时限"].value == wall(dt.date(2024, 6, 20))
    assert first["办理时限"].number_format == "yyyy-mm-dd"
    assert first["状态"].value == "办理中"
    assert first["亮灯"].value == "红灯"
    assert first["逾期工作日"].value == 6  # 21, 24–28 June
    assert first["目标值"].value == 1200.5
    assert first["目标值"].data_type == "n"
    assert first["单位"].value == "米"
    assert first["最新值"].value == 300
    # Asia/Shanghai wall time, as an Excel date.
    assert first["交办时间"].value == wall(dt.date(2024, 6, 3), dt.time(9, 30))
    assert first["交办时间"].number_format == "yyyy-mm-dd"
    assert first["签收时间"].value == wall(dt.date(2024, 6, 4), dt.time(10, 0))
    assert first["办结时间"].value is None
    assert first["指标基数（2023年）"].value is None  # no indicator
    assert first["推定字段"].value is None  # nothing inferred

    rows = data_rows(ws)
    assert [(r[0], r[6], r[7]) for r in rows] == [
        ("T-001", "办理中", "红灯"),
        ("T-002", "已交办", "黄灯"),
        ("T-003", "已销号", "已销号"),  # closed: no light
    ]
    assert rows[2][8] == 0  # closed: never overdue
    assert rows[2][14] == wall(dt.date(2024, 6, 1), dt.time(17, 0))


def test_project_ledger_formats_money_and_percentages(supervisor_api, department, owner):
    project = factories.ProjectFactory(
        code="P-001",
        name="仙女山旅游环线",
        lead_department=department,
        annual_plan_investment=Decimal("30000.00"),
        planned_start=dt.date(2024, 3, 1),
        planned_end=dt.date(2025, 12, 31),
    )
    factories.InvestmentReportFactory(
        project=project, amount=Decimal("12345.67"), reported_by=owner
    )
    factories.ProjectFactory(code="P-002", annual_plan_investment=Decimal("0.00"))

    response = supervisor_api.get(PROJECTS_XLSX)

    assert "filename*=UTF-8''" in response["Content-Disposition"]
    ws = read_xlsx(response).worksheets[0]
    assert ws["A1"].value.startswith("重点项目投资完成情况表（截至 2024-06-28")
    assert [c.value for c in ws[2]] == PROJECT_HEADERS
    assert ws.freeze_panes == "C3"
    assert ws.print_title_rows == "$1:$2"
    assert ws.page_setup.orientation == "landscape"
    row = {h: c for h, c in zip(PROJECT_HEADERS, ws[3], strict=True)}
    assert row["类别"].value == "区级重点项目"
    assert row["阶段"].value == "在建"
    assert row["年度计划投资（万元）"].value == 30000
    assert row["年度计划投资（万元）"].number_format == "#,##0.00"
    assert row["累计完成（万元）"].value == pytest.approx(12345.67)
    assert row["累计完成（万元）"].number_format == "#,##0.00"
    assert row["完成率%"].value == pytest.approx(41.15)
    assert row["完成率%"].number_format == "0.00"
    assert row["序时进度%"].value == pytest.approx(49.18)  # day 180 of 366
    assert row["序时进度%"].number_format == "0.00"
    assert row["亮灯"].value in {"绿灯", "黄灯", "红灯"}
    assert row["计划开工"].value == wall(dt.date(2024, 3, 1))
    assert row["计划开工"].number_format == "yyyy-mm-dd"
    assert ws["H4"].value is None  # no plan: no completion rate
    total = [c.value for c in ws[5]]
    assert total[0] == "合计"
    assert total[5:8] == [30000, pytest.approx(12345.67), pytest.approx(41.15)]


def _list_codes(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


def _sheet_codes(client, url: str) -> list[str]:
    return [row[0] for row in data_rows(read_xlsx(client.get(url)).worksheets[0])]


TASK_QUERIES = [
    "",
    "status=in_progress&lead_department={lead}",
    "status=assigned&status=closed",
    "department={lead}",
    "overdue=true",
    "light=yellow",
    "deadline_before=2024-07-31&domain=economy",
    "search=书房",
    "ordering=-code",
]


@pytest.mark.parametrize("query", TASK_QUERIES)
def test_task_export_has_the_rows_of_the_list(supervisor_api, tasks, department, query):
    factories.TaskFactory.create_batch(4, deadline=dt.date(2024, 7, 15))
    query = query.format(lead=department.pk)

    listed = _list_codes(supervisor_api, f"/api/v1/tasks/?page_size=500&{query}")

    assert _sheet_codes(supervisor_api, f"{TASKS_XLSX}?{query}") == listed
    assert listed  # every query selects something


@pytest.mark.parametrize(
    "query", ["", "category=municipal", "lead_department={lead}", "light=red", "ordering=-code"]
)
def test_project_export_has_the_rows_of_the_list(supervisor_api, department, query):
    factories.ProjectFactory.create_batch(2, lead_department=department)
    factories.ProjectFactory.create_batch(2, category="municipal")
    query = query.format(lead=department.pk)

    listed = _list_codes(supervisor_api, f"/api/v1/projects/?page_size=500&{query}")
    sheet = _sheet_codes(supervisor_api, f"{PROJECTS_XLSX}?{query}")

    assert sheet[-1] == "合计"
    assert sheet[:-1] == listed
    assert listed


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (TASKS_XLSX, "status=bogus", "status"),
        (TASKS_XLSX, "lead_department=999999", "lead_department"),
        (TASKS_XLSX, "lead_department=abc", "lead_department"),
        (TASKS_XLSX, "deadline_before=1900-01-01", "deadline_before"),
        (TASKS_XLSX, "overdue=maybe", "overdue"),
        (PROJECTS_XLSX, "category=nope", "category"),
        (PROJECTS_XLSX, "year=abc", "year"),
    ],
)
def test_unknown_filter_value_is_a_json_400(supervisor_api, url, query, field):
    # Even when the client asks for the spreadsheet, the error is the API's JSON.
    response = supervisor_api.get(f"{url}?{query}", HTTP_ACCEPT=XLSX)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["errors"]


@pytest.mark.parametrize("url", [TASKS_XLSX, PROJECTS_XLSX])
def test_every_signed_in_role_may_export_but_not_anonymous(db, anonymous_api, url):
    for role in (Role.VIEWER, Role.LEADER):
        user = factories.UserFactory(role=role)
        assert bearer_client(user).get(url).status_code == 200
        assert bearer_client(user, scope="read").get(url).status_code == 200
    owner = factories.UserFactory(role=Role.OWNER, department=factories.DepartmentFactory())
    assert bearer_client(owner).get(url).status_code == 200

    response = anonymous_api.get(url)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_big_export_streams_from_a_chunked_iterator(supervisor_api, department, monkeypatch):
    """3,000 tasks: the workbook is written row by row from ``.iterator(chunk_size=2000)``
    into a temporary file and streamed back (a memory check, not a timing)."""
    Task.objects.bulk_create(
        Task(
            code=f"B-{n:05d}",
            title=f"批量督办事项{n}",
            source="work_report",
            domain="economy",
            lead_department=department,
            deadline=dt.date(2024, 1, 1) + dt.timedelta(days=n % 700),
        )
        for n in range(3000)
    )
    chunk_sizes = []
    iterator = type(Task.objects.all()).iterator

    def spy(queryset, chunk_size=None):
        chunk_sizes.append(chunk_size)
        return iterator(queryset, chunk_size=chunk_size)

    monkeypatch.setattr(type(Task.objects.all()), "iterator", spy)

    tracemalloc.start()
    try:
        response = supervisor_api.get(TASKS_XLSX)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert isinstance(response, FileResponse)
    assert response.streaming
    assert chunk_sizes == [2000]
    # Measured: ~9 MiB streaming; ~24 MiB for a workbook built in memory from a list.
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MiB"
    assert int(response["Content-Length"]) == len(body := response.getvalue())
    ws = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    assert sum(1 for _ in ws.iter_rows(min_row=3, values_only=True)) == 3000


def test_the_task_ledger_shows_the_indicators_baseline_and_what_is_inferred(
    supervisor_api, department
):
    """Issue 19: baselines (the 2023 actual) and inferred values are visible in the ledger."""
    indicator = Indicator.objects.create(
        code="IND-63",
        name="进出口总额",
        domain="economy",
        unit="万元",
        baseline=Decimal("8477"),
        assumed_fields=["baseline"],
    )
    factories.TaskFactory(
        code="T-009",
        lead_department=department,
        indicator=indicator,
        assumed=True,
        assumed_fields=["deadline", "target_comparison"],
    )
    ws = read_xlsx(supervisor_api.get(TASKS_XLSX)).worksheets[0]
    row = {h: c.value for h, c in zip(TASK_HEADERS, ws[3], strict=True)}
    assert row["编号"] == "T-009"
    assert row["指标基数（2023年）"] == 8477
    assert row["推定字段"] == "牵头单位、办理时限、目标方向"
    factories.ProjectFactory(code="P-009", assumed_fields=["location"])
    ws = read_xlsx(supervisor_api.get(PROJECTS_XLSX)).worksheets[0]
    row = {h: c.value for h, c in zip(PROJECT_HEADERS, ws[3], strict=True)}
    assert (row["编号"], row["推定字段"]) == ("P-009", "所在乡镇/街道")
