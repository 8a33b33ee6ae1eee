"""An xlsx built to exhaust memory or time is refused with a 400 that says why, before
openpyxl holds it (issue 12 item 9)."""

import io
import zipfile

import pytest

from supervision.excel import sheet as caps
from supervision.models import Task
from tests.excel.conftest import post_sheet, workbook_bytes

pytestmark = pytest.mark.django_db

# The caps (read from the module; the values as they are today, to run against older code).
SHARED_STRINGS_CAP = getattr(caps, "MAX_SHARED_STRINGS_BYTES", 16 * 1024 * 1024)
SHEET_CAP = getattr(caps, "MAX_SHEET_BYTES", 32 * 1024 * 1024)
CELL_CAP = getattr(caps, "MAX_CELLS", 2 * (caps.MAX_ROWS + 10) * caps.MAX_COLUMNS)

HEADER = ["编号", "事项名称", "来源", "报表类别", "牵头单位", "办理时限"]


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """``data`` (an xlsx) with the part ``name`` replaced (or added) by ``content``, deflated."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[name] = content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for filename, body in parts.items():
            target.writestr(filename, body)
    return out.getvalue()


def with_shared_strings(data: bytes, xml: bytes) -> bytes:
    """Add a sharedStrings part, declared and related as Excel does (openpyxl writes inline
    strings, so its files have none)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    types = source.read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = source.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    data = with_part(data, "[Content_Types].xml", types)
    data = with_part(data, "xl/_rels/workbook.xml.rels", rels)
    return with_part(data, "xl/sharedStrings.xml", xml)


def shared_strings_bomb(inflated: int) -> bytes:
    """A small file whose sharedStrings part inflates to ``inflated`` bytes."""
    data = workbook_bytes([HEADER, ["B-1", "炸弹", "领导批示", "经济", "D000", "2024-12-31"]])
    body = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    count = inflated // len(body)
    xml = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + body * count
        + b"</sst>"
    )
    return with_shared_strings(data, xml)


def test_a_shared_strings_bomb_is_refused_naming_the_part(supervisor_api, department):
    data = shared_strings_bomb(SHARED_STRINGS_CAP + 1024 * 1024)
    assert len(data) < 200_000  # a small upload ...
    response = post_sheet(supervisor_api, data)
    assert response.status_code == 400, response.content[:300]
    message = response.json()["errors"]["file"][0]
    assert "sharedStrings" in message  # ... refused, saying which part is too big
    assert "MB" in message
    assert not Task.objects.exists()


def test_a_sheet_part_that_inflates_too_far_is_refused(supervisor_api, department):
    data = workbook_bytes([HEADER])
    padding = b" " * (SHEET_CAP + 1)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    data = with_part(
        data, "xl/worksheets/sheet1.xml", sheet.replace(b"<sheetData", padding + b"<sheetData", 1)
    )
    response = post_sheet(supervisor_api, data)
    assert response.status_code == 400
    assert "工作表" in response.json()["errors"]["file"][0]


def test_a_row_far_down_the_sheet_is_refused_by_the_cell_count(supervisor_api, department):
    """openpyxl yields every (blank) row before the last one: the count stops it."""
    data = workbook_bytes(
        [HEADER, ["B-1", "事项", "领导批示", "经济", department.code, "2024-12-31"]]
    )
    far = CELL_CAP // caps.MAX_COLUMNS + 100
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    row = f'<row r="{far}"><c r="A{far}" t="inlineStr"><is><t>X</t></is></c></row>'.encode()
    sheet = sheet.replace(b"</sheetData>", row + b"</sheetData>")
    sheet = sheet.replace(b'<dimension ref="A1:F2"/>', f'<dimension ref="A1:F{far}"/>'.encode())
    response = post_sheet(supervisor_api, with_part(data, "xl/worksheets/sheet1.xml", sheet))
    assert response.status_code == 400, response.content[:300]
    assert "单元格过多" in response.json()["errors"]["file"][0]
    assert not Task.objects.exists()
