"""The 交办清单 template: the header, one example row, and a 说明 sheet of allowed values."""

import datetime as dt
from collections.abc import Iterable
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import Department
from core.validators import YEAR_MAX, YEAR_MIN
from supervision.choices import Domain, Priority, ReportFrequency, TaskSource
from supervision.excel import cells
from supervision.excel.exports import BOLD, CENTER, DATE, HEADER_FILL, TITLE_FONT
from supervision.excel.imports import CHOICES
from supervision.excel.kind_columns import KIND_COLUMNS, KIND_LABELS
from supervision.excel.sheet import HEADERS, MAX_ROWS, REQUIRED

_NOTES = {
    "编号": "唯一，不能与已有事项或本表其他行重复，最多 30 字",
    "事项名称": "最多 200 字",
    "事项内容": "可空",
    "来源": "填下方“来源”的名称（或代码）",
    "报表类别": "八张报表之一，填下方“报表类别”的名称（或代码）",
    "牵头单位": "填单位编码、全称或简称（见下方单位表）",
    "配合单位": "可空；多个单位用逗号或顿号（、）分隔",
    "办理时限": f"日期单元格，或文本 YYYY-MM-DD；须在 {YEAR_MIN}–{YEAR_MAX} 年之间",
    "优先级": "可空，默认“一般”",
    "报送频次": "可空，默认“每月”",
    "目标值": "可空；不小于 0 的数字",
    "单位": "可空；目标值的计量单位，最多 20 字",
}


def write_template(out: IO[bytes], *, today: dt.date) -> None:
    """交办清单模板: the header, one example row, and a 说明 sheet of allowed values."""
    departments = list(Department.objects.filter(is_active=True).order_by("code"))
    wb = Workbook()
    ws = wb.active
    ws.title = "交办清单"
    ws.freeze_panes = "A2"
    for index, name in enumerate(HEADERS, 1):
        cell = cells.as_text(ws.cell(row=1, column=index, value=name))
        red = "C00000" if name in REQUIRED else None
        cell.font, cell.fill, cell.alignment = Font(bold=True, color=red), HEADER_FILL, CENTER
        ws.column_dimensions[get_column_letter(index)].width = 30 if name == "事项名称" else 14
    example = {
        "编号": f"JB-{today.year}-001",
        "事项名称": "（示例，导入前请删除本行）推进某重点项目开工建设",
        "事项内容": "按期完成项目前期手续并开工",
        "来源": TaskSource.INSTRUCTION.label,
        "报表类别": Domain.ECONOMY.label,
        "牵头单位": departments[0].name if departments else "区发展改革委",
        "配合单位": "、".join(d.name for d in departments[1:3]),
        "办理时限": dt.date(today.year, 12, 31),
        "优先级": Priority.HIGH.label,
        "报送频次": ReportFrequency.MONTHLY.label,
        "目标值": 100,
        "单位": "%",
    }
    ws.append(cells.row(ws, [example[name] for name in HEADERS]))
    ws.cell(row=2, column=HEADERS.index("办理时限") + 1).number_format = DATE
    for column, choices in CHOICES.items():
        letter = get_column_letter(HEADERS.index(column) + 1)
        validation = DataValidation(type="list", formula1=f'"{",".join(choices.labels)}"')
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        ws.add_data_validation(validation)

    notes = wb.create_sheet("说明")
    for letter, width in zip("ABC", (16, 36, 60), strict=True):
        notes.column_dimensions[letter].width = width

    def section(title: str, header: list[str], rows: Iterable[Iterable]):
        notes.append([])
        notes.append(cells.row(notes, [title]))
        notes.cell(row=notes.max_row, column=1).font = Font(bold=True, size=12)
        notes.append(cells.row(notes, header))
        for cell in notes[notes.max_row]:
            cell.font, cell.fill = BOLD, HEADER_FILL
        for row in rows:
            notes.append(cells.row(notes, row))

    notes.append(cells.row(notes, ["交办清单填写说明"]))
    notes["A1"].font = TITLE_FONT
    notes.append(
        cells.row(
            notes, ["第一行为表头，按列名识别（顺序可调整）；红色列名为必填列。第 2 行为示例。"]
        )
    )
    notes.append(
        cells.row(
            notes, [f"每次最多导入 {MAX_ROWS} 行、文件不超过 10 MB；任一行有误则整表不导入。"]
        )
    )
    section(
        "列",
        ["列名", "是否必填", "填写要求"],
        ((n, "必填" if n in REQUIRED else "可空", _NOTES[n]) for n in HEADERS),
    )
    section(
        "类别信息列（可选，按来源填写；填了其中一列，该来源的必填列须填齐）",
        ["列名", "适用来源", "是否必填"],
        (
            (column, KIND_LABELS[kind], "必填" if required else "可空")
            for kind, columns in KIND_COLUMNS.items()
            for column, (_, required) in columns.items()
        ),
    )
    for column, choices in CHOICES.items():
        section(column, ["名称", "代码"], ((c.label, c.value) for c in choices))
    section("单位", ["编码", "全称", "简称"], ((d.code, d.name, d.short_name) for d in departments))
    wb.save(out)
