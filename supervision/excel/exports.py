"""The 督办台账 and 重点项目投资表 exports: print-ready sheets streamed from a queryset.

A write-only workbook is filled from ``.iterator(chunk_size=CHUNK_SIZE)`` and saved to the
file object the caller gives (a temporary file), so memory does not grow with the rows.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from core.validators import assumed_labels
from projects.choices import Light
from supervision.excel import cells
from supervision.loop.selectors import overdue_days

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_SIZE = 2000
DATE, AMOUNT, PERCENT = "yyyy-mm-dd", "#,##0.00", "0.00"  # Excel number formats

BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=16)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    get: Callable[[Any], Any]
    number_format: str | None = None
    wrap: bool = False


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """An aware datetime as Asia/Shanghai wall time (Excel has no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _light(value: str | None) -> str:
    return Light(value).label if value else ""


def task_columns(today: dt.date) -> list[Column]:
    return [
        Column("编号", 14, lambda t: t.code),
        Column("事项名称", 40, lambda t: t.title, wrap=True),
        Column("来源", 14, lambda t: t.get_source_display()),
        Column("报表类别", 9, lambda t: t.get_domain_display()),
        Column("牵头单位", 22, lambda t: t.lead_department.name, wrap=True),
        Column("办理时限", 12, lambda t: t.deadline, DATE),
        Column("状态", 9, lambda t: t.get_status_display()),
        # no light once closed or cancelled: shown as 已销号 / 已撤销
        Column("亮灯", 7, lambda t: _light(t.light) or t.get_status_display()),
        Column("逾期工作日", 8, lambda t: overdue_days(t, today), "0"),
        Column("目标值", 11, lambda t: t.target_value),
        Column("单位", 8, lambda t: t.target_unit),
        Column("最新值", 11, lambda t: t.latest_value),
        Column("交办时间", 12, lambda t: _local(t.assigned_at), DATE),
        Column("签收时间", 12, lambda t: _local(t.accepted_at), DATE),
        Column("办结时间", 12, lambda t: _local(t.closed_at), DATE),
        Column("指标基数（2023年）", 11, lambda t: t.indicator.baseline if t.indicator else None),
        Column("推定字段", 16, _task_assumed, wrap=True),
    ]


def _task_assumed(task) -> str | None:
    """Which values the source does not state (the lead unit: ``assumed``)."""
    return "、".join((["牵头单位"] if task.assumed else []) + assumed_labels(task)) or None


def project_columns() -> list[Column]:
    return [
        Column("编号", 14, lambda p: p.code),
        Column("项目名称", 36, lambda p: p.name, wrap=True),
        Column("类别", 14, lambda p: p.get_category_display()),
        Column("阶段", 8, lambda p: p.get_stage_display()),
        Column("牵头单位", 22, lambda p: p.lead_department.name, wrap=True),
        Column("年度计划投资（万元）", 14, lambda p: p.annual_plan_investment, AMOUNT),
        Column("累计完成（万元）", 14, lambda p: p.completed_investment, AMOUNT),
        Column("完成率%", 9, lambda p: p.completion_rate, PERCENT),
        Column("序时进度%", 9, lambda p: p.time_progress, PERCENT),
        Column("亮灯", 7, lambda p: _light(p.light)),
        Column("计划开工", 12, lambda p: p.planned_start, DATE),
        Column("计划完工", 12, lambda p: p.planned_end, DATE),
        Column("推定字段", 16, lambda p: "、".join(assumed_labels(p)) or None, wrap=True),
    ]


def _styled(ws, value, *, number_format=None, font=None, fill=None, alignment=None, border=None):
    cell = cells.cell(ws, value)
    if number_format:
        cell.number_format = number_format
    for name, style in (("font", font), ("fill", fill), ("alignment", alignment)):
        if style is not None:
            setattr(cell, name, style)
    if border is not None:
        cell.border = border
    return cell


def _data_row(ws, columns: list[Column], obj) -> list:
    row = []
    for column in columns:
        value = column.get(obj)
        if value is None or not (column.number_format or column.wrap):
            row.append(cells.cell(ws, value) if isinstance(value, str) else value)
        else:
            row.append(
                _styled(
                    ws,
                    value,
                    number_format=column.number_format,
                    alignment=_WRAP if column.wrap else None,
                )
            )
    return row


def write_ledger(
    out: IO[bytes],
    *,
    sheet: str,
    title: str,
    columns: list[Column],
    objects: Iterable,
    footer: Callable[[], list] | None = None,
) -> int:
    """Stream ``objects`` into a print-ready one-sheet workbook saved to ``out``.

    Row 1 is the title, row 2 the Chinese header (both frozen and repeated on every printed
    page); landscape A4, fit to one page wide. Returns the number of data rows written.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    last = get_column_letter(len(columns))
    # A write-only sheet writes what precedes the rows (properties, views, column widths,
    # row heights) at the first append: set them first.
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.freeze_panes = "C3"
    for index, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[2].height = 32
    ws.merged_cells.add(CellRange(f"A1:{last}1"))
    ws.append([_styled(ws, title, font=TITLE_FONT, alignment=CENTER)])
    ws.append(
        [
            _styled(ws, c.header, font=BOLD, fill=HEADER_FILL, alignment=CENTER, border=_BOX)
            for c in columns
        ]
    )
    count = 0
    for obj in objects:
        ws.append(_data_row(ws, columns, obj))
        count += 1
    if footer is not None:
        ws.append([_styled(ws, v, font=BOLD, number_format=f) for v, f in footer()])
    # What follows the rows is written when the workbook is saved.
    ws.auto_filter.ref = f"A2:{last}{2 + count}"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.gridLines = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    wb.save(out)
    return count


def export_tasks(tasks, *, today: dt.date, out: IO[bytes]) -> int:
    """督办台账: ``tasks`` is the filtered ``task_list()`` queryset (with its light)."""
    title = f"督办台账（截至 {today:%Y-%m-%d}，共 {tasks.count()} 项）"
    rows = tasks.iterator(chunk_size=CHUNK_SIZE)  # no co-departments: not a ledger column
    return write_ledger(
        out, sheet="督办台账", title=title, columns=task_columns(today), objects=rows
    )


def export_projects(projects, *, today: dt.date, out: IO[bytes]) -> int:
    """重点项目投资表: ``projects`` is the filtered ``project_list()`` queryset, plus a 合计 row."""
    totals = {"plan": Decimal(0), "done": Decimal(0)}

    def summed(rows):
        for project in rows:
            totals["plan"] += project.annual_plan_investment
            totals["done"] += project.completed_investment
            yield project

    def footer():
        plan, done = totals["plan"], totals["done"]
        rate = (done * 100 / plan).quantize(Decimal("0.01")) if plan else None
        return [
            ("合计", None),
            *[(None, None)] * 4,
            (plan, AMOUNT),
            (done, AMOUNT),
            (rate, PERCENT),
        ]

    title = f"重点项目投资完成情况表（截至 {today:%Y-%m-%d}，共 {projects.count()} 个）"
    rows = summed(projects.iterator(chunk_size=CHUNK_SIZE))
    return write_ledger(
        out,
        sheet="重点项目投资表",
        title=title,
        columns=project_columns(),
        objects=rows,
        footer=footer,
    )
