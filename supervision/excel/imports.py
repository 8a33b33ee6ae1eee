"""The 交办清单 import: check every row read from the sheet (``supervision.excel.sheet``),
then create all tasks or none.

The first sheet's header row is found by name (columns in any order, extra columns
ignored); every cell of every row is checked and each error reported as
``RowError(row, field, message)``. ``tasks_import`` creates the checked rows in one
transaction through ``services.task_create`` (the one path that writes the CREATE event).
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Department, User
from core.validators import validate_year_range
from supervision.choices import Domain, Priority, ReportFrequency, TaskSource
from supervision.excel.kind_columns import FIELD_COLUMNS, KIND_HEADERS, kind_details, leader_finder
from supervision.excel.sheet import HEADERS, REQUIRED, is_blank
from supervision.kinds import services as kind_services
from supervision.loop import services, transitions
from supervision.loop.models import Task

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
        if is_blank(value):
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
