"""Optional 交办清单 columns for a kind's details (批示件, 建议/提案, 问题整改, 会议议定事项).

A row whose source has a kind reads that kind's columns; when any of them is filled, the
kind's required ones must be too and the row is filed with its details through
``supervision.kinds.services.task_file`` (which applies the kind's policy). A row leaving
them all empty imports as before. Other kinds' columns on a row are ignored.
"""

from collections.abc import Callable
from typing import Any

from accounts.choices import Role
from accounts.models import User
from supervision.kinds.choices import ProblemOrigin, Urgency
from supervision.kinds.policies import DETAIL_OF

# column → (detail field, required when the kind's columns are used)
KIND_COLUMNS: dict[str, dict[str, tuple[str, bool]]] = {
    "instruction": {
        "批示领导": ("leader", True),
        "批示日期": ("instructed_on", True),
        "紧急程度": ("urgency", False),
        "批示原文": ("text", True),
        "来文标题": ("document_title", False),
        "来文文号": ("document_number", False),
    },
    "proposal": {
        "建议提案号": ("number", True),
        "提出人": ("proposer", True),
        "联系方式": ("proposer_contact", False),
        "建议提案类别": ("category", False),
        "协办单位": ("assist_departments", False),
    },
    "problem": {
        "问题来源": ("origin", True),
        "发现日期": ("found_on", True),
        "问题描述": ("description", True),
        "整改目标": ("rectification_goal", True),
        "整改措施": ("measures", False),
    },
    "meeting": {
        "会议名称": ("name", True),
        "会议日期": ("held_on", True),
        "纪要文号": ("minutes_number", False),
    },
}
KIND_LABELS = {
    "instruction": "领导批示",
    "proposal": "人大建议、政协提案",
    "problem": "问题整改",
    "meeting": "区委区政府决策（会议议定事项）",
}
KIND_HEADERS = tuple(column for columns in KIND_COLUMNS.values() for column in columns)
# detail field → column, to place a service's "<kind>.<field>" error on its column.
FIELD_COLUMNS = {
    f"{kind}.{field}": column
    for kind, columns in KIND_COLUMNS.items()
    for column, (field, _) in columns.items()
}


def _leaders() -> dict[str, User]:
    found: dict[str, User] = {}
    for user in User.objects.filter(role=Role.LEADER, is_active=True):
        for key in {user.username, user.display_name} - {""}:
            found[key] = user
    return found


def kind_details(values: dict, source: str | None, parse: dict[str, Callable], cell) -> dict:
    """``{kind: {field: value}}`` for the row, or ``{}`` when it fills none of its kind's
    columns. ``cell(column, parse, default, required)`` reads one cell, reporting errors;
    ``parse`` holds the imports' cell parsers (``text``, ``date``, ``choice``, ``units``)."""
    kind = DETAIL_OF.get(source) if source else None
    columns = KIND_COLUMNS.get(kind, {})
    if not any(_filled(values.get(column)) for column in columns):
        return {}
    readers: dict[str, Callable[[Any], Any]] = {
        "leader": parse["leader"],
        "instructed_on": parse["date"],
        "found_on": parse["date"],
        "held_on": parse["date"],
        "urgency": lambda v: parse["choice"](v, Urgency, "紧急程度"),
        "origin": lambda v: parse["choice"](v, ProblemOrigin, "问题来源"),
        "assist_departments": parse["units"],
    }
    detail = {}
    for column, (field, required) in columns.items():
        reader = readers.get(field, parse["text"])
        value = cell(column, reader, None, required)
        if value is not None and value != "":
            detail[field] = value
    return {kind: detail}


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


def leader_finder():
    """A parser for 批示领导: a leader's username or display name."""
    leaders = _leaders()

    def find(text: str) -> User:
        user = leaders.get(text)
        if user is None:
            raise LookupError(f"找不到区领导“{text}”，请填领导账号或姓名。")
        return user

    return find
