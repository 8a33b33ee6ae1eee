"""The source report the seed data was transcribed from, and helpers shared by the seed tests."""

import functools
import shutil
from pathlib import Path

import yaml
from django.conf import settings

from accounts.models import Department, User
from projects.models import InvestmentReport, Milestone, Project
from seeds import loader
from supervision.models import Indicator, ProgressReport, Task, TaskEvent


def report_path() -> Path:
    """The repository's own copy of the report (``seeds/source/README.md`` says where from)."""
    return Path(settings.BASE_DIR) / "seeds" / "source" / "report_2024.txt"


@functools.cache
def report_text() -> str:
    """The report's text. A missing file fails the calling test (never a skip)."""
    path = report_path()
    assert path.is_file(), f"source report missing: {path}"
    return path.read_text(encoding="utf-8")


def row_counts() -> dict[str, int]:
    """Row counts of every table the loader and the demo write to."""
    return {
        "departments": Department.objects.count(),
        "users": User.objects.count(),
        "projects": Project.objects.count(),
        "milestones": Milestone.objects.count(),
        "investment_reports": InvestmentReport.objects.count(),
        "indicators": Indicator.objects.count(),
        "tasks": Task.objects.count(),
        "task_events": TaskEvent.objects.count(),
        "progress_reports": ProgressReport.objects.count(),
    }


EMPTY = dict.fromkeys(
    [
        "departments",
        "users",
        "projects",
        "milestones",
        "investment_reports",
        "indicators",
        "tasks",
        "task_events",
        "progress_reports",
    ],
    0,
)


def copy_data(tmp_path: Path) -> Path:
    """A copy of ``seeds/data`` that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(loader.DATA_DIR, target)
    return target


def edit_row(path: Path, code: str, /, **changes) -> dict:
    """Change one row (found by code) of a copied data file; returns the row as it was."""
    content = loader.parse_yaml(path.read_text(encoding="utf-8"))
    (key,) = content
    (row,) = [r for r in content[key] if r.get("code") == code]
    before = dict(row)
    row.update(changes)
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return before
