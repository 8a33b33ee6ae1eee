"""Excel ledgers: the 督办台账 and 重点项目投资表 exports, and the 交办清单 import.

No HTTP here; ``supervision.api.excel`` passes querysets and uploaded files in.

- ``exports``: print-ready sheets streamed from a chunked queryset iterator through a
  write-only workbook into a temporary file, so memory does not grow with the rows.
- ``imports``: read the first sheet (header row found by name, columns in any order), check
  every row and report every error; ``tasks_import`` then creates all tasks in one
  transaction through ``services.task_create`` — or none.
- ``template``: the blank 交办清单 with its 说明 sheet.
"""

from supervision.excel.exports import (
    CHUNK_SIZE,
    XLSX,
    Column,
    export_projects,
    export_tasks,
    project_columns,
    task_columns,
    write_ledger,
)
from supervision.excel.imports import (
    CHOICES,
    ImportCheck,
    ImportRejected,
    RowError,
    TaskRow,
    check_rows,
    tasks_import,
)
from supervision.excel.sheet import (
    HEADERS,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    MAX_UPLOAD_BYTES,
    REQUIRED,
    read_sheet,
)
from supervision.excel.template import write_template

__all__ = [
    "CHOICES",
    "CHUNK_SIZE",
    "HEADERS",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "MAX_UPLOAD_BYTES",
    "REQUIRED",
    "XLSX",
    "Column",
    "ImportCheck",
    "ImportRejected",
    "RowError",
    "TaskRow",
    "check_rows",
    "export_projects",
    "export_tasks",
    "project_columns",
    "read_sheet",
    "task_columns",
    "tasks_import",
    "write_ledger",
    "write_template",
]
