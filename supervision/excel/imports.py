"""The 交办清单 import: read an .xlsx, check every row, then create all tasks or none.

The first sheet's header row is found by name (columns in any order, extra columns
ignored); every cell of every row is checked and each error reported as
``RowError(row, field, message)``. ``tasks_import`` creates the checked rows in one
transaction through ``services.task_create`` (the one path that writes the CREATE event).
"""

import datetime as dt
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from accounts.models import Department, User
from config.validators import validate_year_range
from supervision.choices import Domain, Priority, ReportFrequency, TaskSource
from supervision.excel.kind_columns import FIELD_COLUMNS, KIND_HEADERS, kind_details, leader_finder
from supervision.kinds import services as kind_services
from supervision.loop import services, transitions
from supervision.loop.models import Task

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
CHOICES = {"来源": TaskSource, "报表类别": Domain, "优先级": Priority, "报送频次": ReportFrequency}
# Model field → column, to place a ``full_clean`` error on its column.
FIELD_HEADERS = {
    "code": "编号",
    "title": "事项名称",
    "content": "事项内容",
    "source": "来源",
    "domain": "报表类别",
    "lead_department": "牵头单位",
    "deadline": "办理时限",
    "priority": "优先级",
    "report_frequency": "报送频次",
    "target_value": "目标值",
    "target_unit": "单位",
}
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


def _is_blank(value) -> bool:
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
        if all(_is_blank(v) for v in cells):
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


# --- checking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass
class TaskRow:
    row: int
    fields: dict = field(default_factory=dict)


@dataclass
class ImportCheck:
    rows: int
    valid: list[TaskRow]
    errors: list[RowError]

    def errors_json(self) -> list[dict]:
        return [asdict(error) for error in self.errors]


class ImportRejected(Exception):
    """Rows the database refused while importing; the whole import was rolled back."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


class _Bad(Exception):
    """One cell's error (internal to the checks)."""


_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, dt.datetime | dt.date):
        value = value.strftime("%Y-%m-%d")
    return unicodedata.normalize("NFC", str(value)).translate(_CONTROL).strip()


def _limited(value, limit: int) -> str:
    text = _text(value)
    if len(text) > limit:
        raise _Bad(f"不能超过 {limit} 个字（现有 {len(text)} 个）。")
    return text


def _choice(value, choices, column: str) -> str:
    text = _text(value)
    lookup = {**{c.label: c.value for c in choices}, **{c.value: c.value for c in choices}}
    found = lookup.get(text) or lookup.get(text.lower()) or lookup.get(text.removesuffix("报表"))
    if not found:
        raise _Bad(f"未知的{column}“{text}”，可填：{'、'.join(choices.labels)}。")
    return found


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and (match := _DATE_TEXT.fullmatch(value.strip())):
        try:
            day = dt.date(*map(int, match.groups()))
        except ValueError:
            raise _Bad(f"“{value.strip()}”不是有效日期。") from None
    else:
        raise _Bad(f"“{_text(value)}”不是日期，请填日期单元格或 YYYY-MM-DD。")
    try:
        validate_year_range(day)
    except ValidationError as exc:
        raise _Bad(exc.messages[0]) from None
    return day


def _number(value) -> Decimal:
    if isinstance(value, bool):
        raise _Bad("应为数字。")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else _text(value).replace(",", ""))
    except InvalidOperation:
        raise _Bad(f"“{_text(value)}”不是数字。") from None
    if not number.is_finite():
        raise _Bad("应为数字。")
    if number < 0:
        raise _Bad("不能为负数。")
    rounded = number.quantize(Decimal("0.0001")) if number.adjusted() < 12 else number
    if isinstance(value, float) and abs(rounded - number) < Decimal("1e-9"):
        number = rounded  # binary float noise from Excel, e.g. 0.30000000000000004
    if number.adjusted() >= 12 or number != number.quantize(Decimal("0.0001")):
        raise _Bad("最多 12 位整数、4 位小数。")
    return number


class _Departments:
    """Departments by code, full name or short name (that precedence, like ``department_find``)."""

    def __init__(self):
        self.by_key: dict[str, list[Department]] = {}
        for department in Department.objects.order_by("code"):
            for key in {department.code, department.name, department.short_name} - {""}:
                self.by_key.setdefault(key, []).append(department)

    def find(self, text: str) -> Department:
        candidates = self.by_key.get(text, [])
        exact = [d for d in candidates if text in (d.code, d.name)]
        found = exact or candidates
        if not found:
            raise _Bad(f"找不到单位“{text}”，请填单位编码、全称或简称（见模板“说明”页）。")
        if len(found) > 1:
            raise _Bad(f"简称“{text}”对应多个单位，请填单位编码或全称。")
        if not found[0].is_active:
            raise _Bad(f"单位“{text}”已停用。")
        return found[0]


def _existing_codes(codes: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        found.update(Task.objects.filter(code__in=chunk).values_list("code", flat=True))
    return found


def check_rows(rows: list[tuple[int, dict[str, Any]]]) -> ImportCheck:
    """Check every row (all its cells, not just the first bad one); nothing is written."""
    departments = _Departments()
    leaders = leader_finder()
    codes = [_text(values.get("编号")) for _, values in rows]
    existing = _existing_codes(sorted(set(codes) - {""}))
    first_seen: dict[str, int] = {}
    valid, errors = [], []
    for (number, values), code in zip(rows, codes, strict=True):
        row_errors: list[RowError] = []
        fields = _check_row(values, departments, row_errors.append, number, leaders)
        if code and code in first_seen:
            row_errors.append(
                RowError(number, "编号", f"编号“{code}”与第 {first_seen[code]} 行重复。")
            )
        elif code in existing:
            row_errors.append(RowError(number, "编号", f"编号“{code}”已存在。"))
        first_seen.setdefault(code, number)
        if row_errors:
            errors += sorted(row_errors, key=lambda e: (HEADERS + KIND_HEADERS).index(e.field))
        else:
            valid.append(TaskRow(number, fields))
    return ImportCheck(rows=len(rows), valid=valid, errors=errors)


def _check_row(values: dict, departments: _Departments, report, number: int, leaders) -> dict:
    def cell(column: str, parse: Callable[[Any], Any], default=None, required=None):
        value = values.get(column)
        if _is_blank(value):
            if column in REQUIRED if required is None else required:
                report(RowError(number, column, f"{column}不能为空。"))
            return default
        try:
            return parse(value)
        except _Bad as bad:
            report(RowError(number, column, str(bad)))
            return default

    def co_departments(value) -> list[Department]:
        found: list[Department] = []
        for part in filter(None, (p.strip() for p in re.split(r"[,，、;；\n]+", _text(value)))):
            department = departments.find(part)
            if department not in found:
                found.append(department)
        return found

    def leader(value):
        try:
            return leaders(_text(value))
        except LookupError as exc:
            raise _Bad(str(exc)) from None

    parse = {
        "text": lambda v: _limited(v, 5000),
        "date": _date,
        "choice": _choice,
        "units": co_departments,
        "leader": leader,
    }
    fields = {
        "code": cell("编号", lambda v: _limited(v, 30)),
        "title": cell("事项名称", lambda v: _limited(v, 200)),
        "content": cell("事项内容", lambda v: _limited(v, 10000), ""),
        "source": cell("来源", lambda v: _choice(v, TaskSource, "来源")),
        "domain": cell("报表类别", lambda v: _choice(v, Domain, "报表类别")),
        "lead_department": cell("牵头单位", lambda v: departments.find(_text(v))),
        "co_departments": cell("配合单位", co_departments, []),
        "deadline": cell("办理时限", _date),
        "priority": cell("优先级", lambda v: _choice(v, Priority, "优先级"), Priority.NORMAL),
        "report_frequency": cell(
            "报送频次",
            lambda v: _choice(v, ReportFrequency, "报送频次"),
            ReportFrequency.MONTHLY,
        ),
        "target_value": cell("目标值", _number),
        "target_unit": cell("单位", lambda v: _limited(v, 20), ""),
    }
    details = kind_details(values, fields["source"], parse, cell)
    return {**fields, "details": details} if details else fields


# --- writing -----------------------------------------------------------------------------


@transaction.atomic
def tasks_import(*, actor: User, rows: list[TaskRow], assign: bool = False) -> list[Task]:
    """Create every checked row as a draft task (and 交办 it when ``assign``), all or none.

    A row the model still refuses (``full_clean``) is collected, the others are still tried
    so every error is reported, and then ``ImportRejected`` rolls everything back.
    """
    created, refused = [], []
    for row in rows:
        fields = dict(row.fields)
        details = fields.pop("details", None)
        try:
            if details:
                task = kind_services.task_file(actor=actor, details=details, **fields)
            else:
                task = services.task_create(actor=actor, **fields)
        except ValidationError as exc:
            for name, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                column = FIELD_HEADERS.get(name) or FIELD_COLUMNS.get(name, "")
                refused += [RowError(row.row, column, message) for message in messages]
            continue
        if assign:
            task = transitions.task_assign(task=task, actor=actor)
        created.append(task)
    if refused:
        raise ImportRejected(refused)
    return created
