"""POST imports/tasks/: a 交办清单 (.xlsx) becomes draft tasks — all rows or none."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from accounts.choices import Role
from supervision import excel
from supervision.loop import services
from supervision.models import Task, TaskEvent
from tests import factories
from tests.clients import bearer_client
from tests.excel.conftest import (
    IMPORT,
    PROJECTS_XLSX,
    TASKS_XLSX,
    TEMPLATE,
    post_sheet,
    read_xlsx,
    wall,
    workbook_bytes,
)

HEADER = ["编号", "事项名称", "来源", "报表类别", "牵头单位", "配合单位", "办理时限", "优先级",
          "报送频次", "目标值", "单位", "事项内容"]  # fmt: skip


@pytest.fixture
def lead(db):
    return factories.DepartmentFactory(code="FGW", name="区发展和改革委员会", short_name="区发改委")


@pytest.fixture
def co(db):
    return factories.DepartmentFactory(
        code="ZJW", name="区住房和城乡建设委员会", short_name="区住建委"
    )


def row(code, title="推进重点项目建设", lead="FGW", deadline=dt.date(2024, 9, 30), **cells):
    values = {"编号": code, "事项名称": title, "来源": "领导批示", "报表类别": "经济",
              "牵头单位": lead, "办理时限": deadline, **cells}  # fmt: skip
    return [values.get(name) for name in HEADER]


def snapshot():
    return Task.objects.count(), TaskEvent.objects.count()


# --- the round trip ----------------------------------------------------------------------


def test_exported_ledger_reshaped_with_new_codes_imports_the_same_tasks(
    supervisor_api, supervisor, lead, co
):
    originals = [
        factories.TaskFactory(
            code="OLD-1", title="推进乌江航道整治", source="instruction", domain="ecology",
            lead_department=lead, deadline=dt.date(2024, 6, 20), status="in_progress",
        ),
        factories.TaskFactory(
            code="OLD-2", title="建设城市书房 10 个", source="npc", domain="culture",
            lead_department=co, deadline=dt.date(2024, 12, 31), target_value=Decimal("10"),
            target_unit="个",
        ),
        factories.TaskFactory(
            code="OLD-3", title="完成年度招商引资任务", source="work_report", domain="economy",
            lead_department=lead, deadline=dt.date(2025, 3, 31), status="closed",
        ),
    ]  # fmt: skip
    exported = read_xlsx(supervisor_api.get(TASKS_XLSX)).worksheets[0]
    headers = [cell.value for cell in exported[2]]
    # Reshape: other column order, only what a 交办清单 carries, new codes.
    wanted = ["办理时限", "牵头单位", "事项名称", "编号", "报表类别", "来源", "目标值", "单位"]
    sheet = [wanted]
    for values in exported.iter_rows(min_row=3, values_only=True):
        record = dict(zip(headers, values, strict=True))
        record["编号"] = "NEW-" + record["编号"]
        sheet.append([record[name] for name in wanted])

    response = post_sheet(supervisor_api, workbook_bytes(sheet))

    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 3, "codes": ["NEW-OLD-1", "NEW-OLD-2", "NEW-OLD-3"]}
    for original in originals:
        copy = Task.objects.get(code=f"NEW-{original.code}")
        assert (copy.title, copy.lead_department, copy.deadline) == (
            original.title,
            original.lead_department,
            original.deadline,
        )
        assert (copy.source, copy.domain) == (original.source, original.domain)
        assert (copy.target_value, copy.target_unit) == (
            original.target_value,
            original.target_unit,
        )
        assert copy.status == "draft"
        assert copy.created_by == supervisor
        assert list(copy.events.values_list("action", "actor", "to_status")) == [
            ("create", supervisor.pk, "draft")
        ]


def test_the_ledger_itself_is_read_below_its_title_row(supervisor_api, lead):
    factories.TaskFactory.create_batch(2, lead_department=lead)
    ledger = supervisor_api.get(TASKS_XLSX).getvalue()

    response = post_sheet(supervisor_api, ledger, "?dry_run=1")

    assert response.status_code == 200
    body = response.json()
    assert (body["rows"], body["valid"]) == (2, 0)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "编号"), (4, "编号")]
    assert all(e["message"].endswith("已存在。") for e in body["errors"])


# --- every error, nothing created --------------------------------------------------------

BAD_SHEET = [
    HEADER,
    row("JB-001", 目标值=100, 单位="%"),  # 2: fine
    row("JB-002", title=None, deadline="2024-13-01"),  # 3
    row("JB-003", lead="不存在的局", 配合单位="ZJW、也不存在"),  # 4
    row("JB-004", deadline=dt.date(1999, 12, 31)),  # 5
    row("JB-001"),  # 6: repeats row 2
    row("T-EXIST"),  # 7: already in the database
    row("JB-007", 来源="上级交办", 优先级="特急", 报送频次="每天"),  # 8
    row("JB-008", 目标值=-5),  # 9
    row("JB-009", title="长" * 201),  # 10
    ["JB-010"],  # 11: only a code
    [None, "  ", None],  # 12: empty, skipped
    row("JB-012", 目标值="abc", 报表类别="体育"),  # 13
    row(None, deadline="2100-12-31"),  # 14
    row("JB-014", deadline=2024),  # 15: a bare number is not a date
]
BAD_ERRORS = [
    (3, "事项名称"),
    (3, "办理时限"),
    (4, "牵头单位"),
    (4, "配合单位"),
    (5, "办理时限"),
    (6, "编号"),
    (7, "编号"),
    (8, "来源"),
    (8, "优先级"),
    (8, "报送频次"),
    (9, "目标值"),
    (10, "事项名称"),
    (11, "事项名称"),
    (11, "来源"),
    (11, "报表类别"),
    (11, "牵头单位"),
    (11, "办理时限"),
    (13, "报表类别"),
    (13, "目标值"),
    (14, "编号"),
    (15, "办理时限"),
]


@pytest.fixture
def existing(lead, co):
    return factories.TaskFactory(code="T-EXIST", lead_department=lead)


def test_bad_rows_are_all_reported_and_nothing_is_created(supervisor_api, existing):
    before = snapshot()

    response = post_sheet(supervisor_api, workbook_bytes(BAD_SHEET))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_invalid"
    assert (body["dry_run"], body["rows"], body["valid"]) == (False, 13, 1)
    assert [(e["row"], e["field"]) for e in body["errors"]] == BAD_ERRORS
    assert snapshot() == before
    messages = {(e["row"], e["field"]): e["message"] for e in body["errors"]}
    assert messages[(5, "办理时限")] == "日期须在 2000–2100 年之间。"
    assert messages[(6, "编号")] == "编号“JB-001”与第 2 行重复。"
    assert messages[(7, "编号")] == "编号“T-EXIST”已存在。"
    assert "不存在的局" in messages[(4, "牵头单位")]
    assert "也不存在" in messages[(4, "配合单位")]
    assert "政府工作报告" in messages[(8, "来源")]  # lists what is allowed
    assert messages[(9, "目标值")] == "不能为负数。"
    assert "200" in messages[(10, "事项名称")]


def test_dry_run_reports_the_same_errors_and_creates_nothing(supervisor_api, existing):
    before = snapshot()

    response = post_sheet(supervisor_api, workbook_bytes(BAD_SHEET), "?dry_run=1")

    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["rows"], body["valid"]) == (True, 13, 1)
    assert [(e["row"], e["field"]) for e in body["errors"]] == BAD_ERRORS
    assert snapshot() == before


def test_dry_run_of_a_good_sheet_creates_nothing(supervisor_api, lead, co):
    sheet = workbook_bytes([HEADER, row("JB-1"), row("JB-2", lead="区住建委")])

    response = post_sheet(supervisor_api, sheet, "?dry_run=true")

    assert response.status_code == 200
    assert response.json() == {"dry_run": True, "rows": 2, "valid": 2, "errors": []}
    assert snapshot() == (0, 0)


def test_a_row_the_database_refuses_rolls_back_the_rows_before_it(
    supervisor_api, lead, monkeypatch
):
    create = services.task_create

    def refuse_second(**fields):
        if fields["code"] == "JB-2":
            raise ValidationError({"deadline": ["办理时限不合规。"]})
        return create(**fields)

    monkeypatch.setattr(services, "task_create", refuse_second)
    sheet = workbook_bytes([HEADER, row("JB-1"), row("JB-2"), row("JB-3")])

    response = post_sheet(supervisor_api, sheet)

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [{"row": 3, "field": "办理时限", "message": "办理时限不合规。"}]
    assert (body["rows"], body["valid"]) == (3, 2)
    assert snapshot() == (0, 0)


# --- what a cell may hold ----------------------------------------------------------------


def test_labels_codes_names_and_text_dates_are_all_understood(supervisor_api, lead, co):
    other = factories.DepartmentFactory(
        code="WLJ", name="区文化和旅游发展委员会", short_name="区文旅委"
    )
    sheet = workbook_bytes(
        [
            [" 编号 ", "事项名称*", "事项内容", "来源", "报表类别", "牵头单位", "配合单位",
             "办理时限", "优先级", "报送频次", "目标值", "单位", "备注（不导入）"],
            ["A-1", "事项一", "内容一", "领导批示", "经济", "FGW", "ZJW、区文旅委",
             wall(dt.date(2024, 9, 30)), "紧急", "每周", "1,200.5", "万元", "x"],
            ["A-2", "事项二", None, "instruction", "经济报表", "区发展和改革委员会",
             "ZJW, WLJ，FGW", "2024/10/8", "high", "quarterly", 0.1 + 0.2, None, None],
            [1003, "事项三", None, "人大建议", "ecology", "区发改委", None,
             "2024年12月31日", None, None, 7, "个", None],
        ]
    )  # fmt: skip

    response = post_sheet(supervisor_api, sheet)

    assert response.status_code == 201, response.json()
    assert response.json()["codes"] == ["A-1", "A-2", "1003"]
    one, two, three = (Task.objects.get(code=c) for c in ("A-1", "A-2", "1003"))
    assert (one.source, one.domain, one.lead_department) == ("instruction", "economy", lead)
    assert set(one.co_departments.all()) == {co, other}
    assert (one.deadline, one.priority, one.report_frequency) == (
        dt.date(2024, 9, 30),
        "urgent",
        "weekly",
    )
    assert (one.content, one.target_value, one.target_unit) == ("内容一", Decimal("1200.5"), "万元")
    assert (two.source, two.domain, two.lead_department) == ("instruction", "economy", lead)
    assert set(two.co_departments.all()) == {co, other, lead}
    assert (two.deadline, two.priority, two.report_frequency) == (
        dt.date(2024, 10, 8),
        "high",
        "quarterly",
    )
    assert two.target_value == Decimal("0.3")
    assert (three.domain, three.lead_department, three.deadline) == (
        "ecology",
        lead,
        dt.date(2024, 12, 31),
    )
    assert (three.priority, three.report_frequency) == ("normal", "monthly")


def test_assign_also_sends_each_task(supervisor_api, supervisor, lead):
    sheet = workbook_bytes([HEADER, row("JB-1"), row("JB-2")])

    response = post_sheet(supervisor_api, sheet, "?assign=1")

    assert response.status_code == 201
    for task in Task.objects.all():
        assert task.status == "assigned"
        assert task.assigned_at is not None
        assert list(task.events.values_list("action", flat=True)) == ["create", "assign"]


def test_an_inactive_or_ambiguous_department_is_an_error(supervisor_api, lead):
    factories.DepartmentFactory(code="OLD", name="原区商务委", is_active=False)
    factories.DepartmentFactory(code="X1", name="甲街道办事处", short_name="街道办")
    factories.DepartmentFactory(code="X2", name="乙街道办事处", short_name="街道办")
    sheet = workbook_bytes([HEADER, row("JB-1", lead="OLD"), row("JB-2", lead="街道办")])

    body = post_sheet(supervisor_api, sheet, "?dry_run=1").json()

    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "牵头单位"), (3, "牵头单位")]
    assert "停用" in body["errors"][0]["message"]
    assert "多个单位" in body["errors"][1]["message"]


# --- files that are refused as a whole ---------------------------------------------------


def _zip(**members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _good() -> bytes:
    return workbook_bytes([HEADER, row("JB-1")])


NOT_XLSX = {
    "csv": "编号,事项名称\nJB-1,事项\n".encode(),
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
    "zip": _zip(readme="not a workbook"),
    "truncated": _good()[:2000],
    "broken_sheet": None,  # built below: valid archive, malformed sheet XML
}


def _broken_sheet() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_good()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            archive.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("kind", sorted(NOT_XLSX))
def test_a_file_that_is_not_xlsx_is_a_json_400(supervisor_api, lead, kind):
    data = NOT_XLSX[kind] if kind != "broken_sheet" else _broken_sheet()

    response = post_sheet(supervisor_api, data)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"]["file"] == ["无法读取文件，请上传 Excel 2007 及以上版本的 .xlsx 文件。"]
    assert snapshot() == (0, 0)


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        (
            [["编号", "事项名称", "来源"], ["JB-1", "事项", "领导批示"]],
            "缺少必填列：报表类别、牵头单位、办理时限。",
        ),
        ([["甲", "乙"], ["1", "2"]], "找不到表头行"),
        ([HEADER], "交办清单中没有数据行。"),
        ([HEADER + ["编号"], row("JB-1")], "列名重复：编号。"),
        ([HEADER, *(row(f"JB-{n}") for n in range(5001))], "数据超过 5000 行"),
    ],
    ids=["missing_columns", "no_header", "no_rows", "repeated_column", "too_many_rows"],
)
def test_a_sheet_without_the_shape_is_refused_even_in_a_dry_run(
    supervisor_api, lead, sheet, message
):
    for query in ("", "?dry_run=1"):
        response = post_sheet(supervisor_api, workbook_bytes(sheet), query)

        assert response.status_code == 400
        assert response.json()["errors"]["file"][0].startswith(message)
    assert snapshot() == (0, 0)


def test_a_file_over_the_size_limit_is_refused(supervisor_api, lead, monkeypatch):
    data = _good()
    monkeypatch.setattr(excel.sheet, "MAX_UPLOAD_BYTES", len(data) - 1)

    response = post_sheet(supervisor_api, data)

    assert response.status_code == 400
    assert "文件超过" in response.json()["errors"]["file"][0]


def test_a_zip_bomb_is_refused_before_it_is_read(supervisor_api, lead, monkeypatch):
    monkeypatch.setattr(excel.sheet, "MAX_UNZIPPED_BYTES", 1000)

    response = post_sheet(supervisor_api, _good())

    assert response.status_code == 400
    assert "解压后过大" in response.json()["errors"]["file"][0]


def test_no_file_or_a_bad_flag_is_a_400(supervisor_api, lead):
    assert supervisor_api.post(IMPORT, {}, format="multipart").json()["errors"].keys() == {"file"}
    response = post_sheet(supervisor_api, _good(), "?dry_run=maybe")
    assert response.status_code == 400
    assert "dry_run" in response.json()["errors"]
    assert supervisor_api.post(IMPORT, {"file": "x"}, format="json").status_code == 415
    assert snapshot() == (0, 0)


# --- who may import ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "leader", "viewer", "read_token"])
def test_only_the_supervision_office_may_import(supervisor, lead, role):
    users = {
        "owner": lambda: factories.UserFactory(role=Role.OWNER, department=lead),
        "leader": lambda: factories.UserFactory(role=Role.LEADER),
        "viewer": lambda: factories.UserFactory(role=Role.VIEWER),
    }
    client = (
        bearer_client(supervisor, "read") if role == "read_token" else bearer_client(users[role]())
    )

    for query in ("", "?dry_run=1"):
        response = post_sheet(client, _good(), query)

        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    assert snapshot() == (0, 0)


def test_anonymous_may_not_import_or_download_the_template(anonymous_api, lead):
    assert post_sheet(anonymous_api, _good()).status_code == 401
    assert anonymous_api.get(TEMPLATE).status_code == 401
    assert snapshot() == (0, 0)


# --- the template ------------------------------------------------------------------------


def test_template_lists_headers_an_example_and_the_allowed_values(db, lead, co):
    viewer = factories.UserFactory(role=Role.VIEWER)
    response = bearer_client(viewer).get(TEMPLATE)

    assert "filename*=UTF-8''%E4%BA%A4%E5%8A%9E" in response["Content-Disposition"]  # 交办…
    wb = read_xlsx(response)
    assert wb.sheetnames == ["交办清单", "说明"]
    form = wb["交办清单"]
    assert [c.value for c in form[1]] == list(excel.HEADERS)
    example = dict(zip(excel.HEADERS, [c.value for c in form[2]], strict=True))
    assert example["来源"] == "领导批示"
    assert example["牵头单位"] == "区发展和改革委员会"
    assert example["办理时限"] == wall(dt.date(2024, 12, 31))
    notes = [value for r in wb["说明"].iter_rows(values_only=True) for value in r if value]
    for label in ("政府工作报告", "领导批示", "党建", "民生", "一般", "紧急", "每周", "一次性"):
        assert label in notes
    for department in (lead, co):
        assert {department.code, department.name, department.short_name} <= set(notes)


def test_the_template_example_row_passes_a_dry_run(supervisor_api, lead, co):
    template = supervisor_api.get(TEMPLATE).getvalue()

    body = post_sheet(supervisor_api, template, "?dry_run=1").json()

    assert body == {"dry_run": True, "rows": 1, "valid": 1, "errors": []}
    assert load_workbook(io.BytesIO(template)).active.title == "交办清单"


@pytest.mark.parametrize("url", [IMPORT, TEMPLATE, TASKS_XLSX, PROJECTS_XLSX])
def test_options_describes_the_endpoint(supervisor_api, url):
    response = supervisor_api.options(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
