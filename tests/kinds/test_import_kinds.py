"""The 交办清单 with a kind's optional columns: rows that fill them are filed with their
details (the kind's policy applies); a kind's required column left empty is that cell's
error; rows without them import as before."""

import datetime as dt

import pytest

from accounts.choices import Role
from supervision import excel
from supervision.loop.models import Task
from tests import factories
from tests.excel.conftest import upload, workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = ["编号", "事项名称", "来源", "报表类别", "牵头单位", "办理时限",
          "建议提案号", "提出人", "协办单位", "批示领导", "批示日期", "紧急程度", "批示原文"]  # fmt: skip


def check(rows):
    return excel.check_rows(excel.read_sheet(upload(workbook_bytes([HEADER, *rows]))))


def test_rows_with_kind_columns_are_filed_with_their_details(supervisor, department):
    helper = factories.DepartmentFactory()
    leader = factories.UserFactory(role=Role.LEADER, display_name="李强")
    day = dt.date(2024, 9, 30)
    result = check(
        [
            ["JY-1", "农村公路", "人大建议", "民生", department.code, day,
             "第7号", "代表甲", helper.code, None, None, None, None],
            ["PS-1", "航道整治", "领导批示", "生态", department.code, day,
             None, None, None, "李强", dt.date(2024, 6, 24), "急件", "请抓紧办理。"],
            ["QT-1", "其他事项", "其他", "经济", department.code, day,
             "第8号", None, None, None, None, None, None],
        ]
    )  # fmt: skip

    assert result.errors == []
    excel.tasks_import(actor=supervisor, rows=result.valid)

    proposal = Task.objects.get(code="JY-1").proposal
    assert (proposal.number, proposal.proposer) == ("第7号", "代表甲")
    assert list(proposal.assist_departments.all()) == [helper]
    instruction = Task.objects.get(code="PS-1").instruction
    assert (instruction.leader, instruction.urgency) == (leader, "urgent")
    assert not hasattr(Task.objects.get(code="QT-1"), "proposal")  # another kind's column


def test_a_kinds_required_column_left_empty_is_that_cells_error(department):
    day = dt.date(2024, 9, 30)
    result = check(
        [
            ["JY-1", "农村公路", "人大建议", "民生", department.code, day,
             None, "代表甲", None, None, None, None, None],
            ["PS-1", "航道整治", "领导批示", "生态", department.code, day,
             None, None, None, "无此人", "2024-06-24", "很急", "请办理。"],
        ]
    )  # fmt: skip

    assert [(e.row, e.field) for e in result.errors] == [
        (2, "建议提案号"),
        (3, "批示领导"),
        (3, "紧急程度"),
    ]
    assert "找不到区领导“无此人”" in result.errors[1].message
