"""Reading a 交办清单 upload: the first sheet of an .xlsx as rows by column name.

What is not a readable xlsx, inflates past its caps (zip bombs), is too long or lacks a
required column is refused with a ``ValidationError`` on ``file`` before any row is checked
(``supervision.excel.imports`` checks and imports the rows).
"""

import re
import zipfile
import zlib
from typing import Any

from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from supervision.excel.kind_columns import KIND_HEADERS

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a 10 MB upload that inflates past this is a bomb
MAX_ROWS = 5000
MAX_COLUMNS = 100
# Each part inflated: openpyxl holds every shared string in memory, so a small file whose
# sharedStrings part inflates to 190 MB grew a worker past 1 GB. A full 5000-row 交办清单
# needs a few MB of each. (zipfile stops at a part's declared size, so a part cannot lie.)
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_SHEET_BYTES = 32 * 1024 * 1024
MAX_PART_BYTES = 8 * 1024 * 1024
# Cells read, blank ones included (a row far down makes openpyxl yield every row before it).
MAX_CELLS = 2 * (MAX_ROWS + 10) * MAX_COLUMNS

REQUIRED = ("编号", "事项名称", "来源", "报表类别", "牵头单位", "办理时限")
HEADERS = (
    *("编号", "事项名称", "事项内容", "来源", "报表类别", "牵头单位", "配合单位", "办理时限"),
    *("优先级", "报送频次", "目标值", "单位"),
)
# What a damaged or foreign file makes openpyxl/zipfile raise while reading it.
UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    InvalidFileException,
    SyntaxError,  # malformed XML: ElementTree's and lxml's ParseError both subclass it
    LookupError,  # a part missing from the archive
    ValueError,
    TypeError,
    ArithmeticError,  # e.g. a date cell holding a number past year 9999
    EOFError,
    zlib.error,
)


def _refuse(message: str):
    raise ValidationError({"file": [message]})


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(value) -> str:
    return re.sub(r"[\s*＊]|[（(]必填[）)]", "", str(value)) if value is not None else ""


def read_sheet(upload) -> list[tuple[int, dict[str, Any]]]:
    """The first sheet of an .xlsx upload as ``[(row number, {column: value})]``.

    Refuses (``ValidationError`` on ``file``) what is not a readable xlsx, is too big, has
    more than ``MAX_ROWS`` rows, or lacks a required column. Empty rows are skipped.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        _refuse(f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请拆分后导入。")
    try:
        with zipfile.ZipFile(upload) as archive:
            _check_parts(archive.infolist())
        upload.seek(0)
        workbook = load_workbook(upload, read_only=True, data_only=True)
        try:
            raw = _sheet_rows(workbook.worksheets[0]) if workbook.worksheets else None
        finally:
            workbook.close()
    except UNREADABLE:
        _refuse("无法读取文件，请上传 Excel 2007 及以上版本的 .xlsx 文件。")
    if raw is None:
        _refuse("文件中没有工作表。")
    return _rows_by_header(*raw)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _check_parts(parts: list[zipfile.ZipInfo]) -> None:
    """Refuse a file any part of which inflates past its cap, saying which part."""
    for info in parts:
        name = info.filename
        if name == "xl/sharedStrings.xml":
            limit, what = MAX_SHARED_STRINGS_BYTES, "共享字符串（xl/sharedStrings.xml）"
        elif name.startswith("xl/worksheets/"):
            limit, what = MAX_SHEET_BYTES, f"工作表（{name[:100]}）"
        else:
            limit, what = MAX_PART_BYTES, f"部件 {name[:100]}"
        if info.file_size > limit:
            _refuse(
                f"文件中的{what}解压后有 {_mb(info.file_size)}，超过上限 {_mb(limit)}，"
                "不是有效的交办清单（可能是压缩炸弹）。"
            )
    if sum(info.file_size for info in parts) > MAX_UNZIPPED_BYTES:
        _refuse(f"文件解压后过大（超过 {_mb(MAX_UNZIPPED_BYTES)}），不是有效的交办清单。")


def _sheet_rows(ws) -> tuple[list, list[tuple[int, tuple]]]:
    """(header cells, [(row number, cells)]) — only openpyxl's reading happens here."""
    header, header_row, rows, cells_read = None, 0, [], 0
    for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
        cells_read += len(cells)
        if cells_read > MAX_CELLS:
            _refuse(
                f"表格单元格过多（读到第 {number} 行已超过 {MAX_CELLS} 个，空行也计入），"
                f"每次最多导入 {MAX_ROWS} 行，请删除多余的行后重试。"
            )
        if header is None:
            if any(_header(v) == "事项名称" for v in cells):
                header, header_row = list(cells), number
            elif number >= 10:
                break
            continue
        if all(is_blank(v) for v in cells):
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            break
    return (header or [], header_row), rows


def _rows_by_header(head, rows):
    header, header_row = head
    if not header_row:
        _refuse("找不到表头行（前 10 行中须有“事项名称”等列名），请使用交办清单模板。")
    if len(rows) > MAX_ROWS:
        _refuse(f"数据超过 {MAX_ROWS} 行，请拆分后导入。")
    if not rows:
        _refuse("交办清单中没有数据行。")
    names = [_header(v) for v in header]
    known = HEADERS + KIND_HEADERS
    repeated = sorted({n for n in names if n in known and names.count(n) > 1})
    if repeated:
        _refuse(f"列名重复：{'、'.join(repeated)}。")
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        _refuse(f"缺少必填列：{'、'.join(missing)}。")
    index = {n: i for i, n in enumerate(names) if n in known}
    return [
        (number, {n: cells[i] if i < len(cells) else None for n, i in index.items()})
        for number, cells in rows
    ]
