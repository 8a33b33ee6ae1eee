"""Shared by the Excel tests: a pinned day and
helpers to build and read workbooks."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from supervision.excel import XLSX

TODAY = dt.date(2024, 6, 28)
TASKS_XLSX = "/api/v1/exports/tasks.xlsx"
PROJECTS_XLSX = "/api/v1/exports/projects.xlsx"
IMPORT = "/api/v1/imports/tasks/"
TEMPLATE = "/api/v1/imports/tasks/template.xlsx"


@pytest.fixture(autouse=True)
def _pinned_day(settings):
    settings.SUPERVISION_TODAY = TODAY


def wall(day: dt.date, time: dt.time = dt.time()) -> dt.datetime:
    """A cell's date/time as Excel holds it: wall time, no time zone."""
    return dt.datetime.combine(day, time)


def workbook_bytes(rows: list[list], *, title: str = "交办清单") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "交办清单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def post_sheet(client, data: bytes, query: str = ""):
    return client.post(f"{IMPORT}{query}", {"file": upload(data)}, format="multipart")


def read_xlsx(response):
    """The workbook a (streaming) xlsx response carries, fully loaded for inspection."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.getvalue()))


def data_rows(ws, first_row: int = 3) -> list[tuple]:
    return [row for row in ws.iter_rows(min_row=first_row, values_only=True) if any(row)]
