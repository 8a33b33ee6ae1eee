"""Refused loads leave the database empty: invalid data, or ``--demo`` with DEBUG off."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from seeds import loader
from tests.seeds.source import EMPTY, copy_data, edit_row, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad_data(tmp_path):
    """The real data with one bad row, in the file the loader reaches last."""
    data_dir = copy_data(tmp_path)
    edit_row(data_dir / "tasks_livelihood.yaml", "MS24-012", deadline=dt.date(2027, 1, 1))
    return data_dir


def test_invalid_data_loads_nothing_at_all(bad_data):
    with pytest.raises(loader.SeedError) as exc:
        loader.load(loader.read(bad_data))
    assert exc.value.errors == [
        "tasks_livelihood.yaml: MS24-012: deadline must be a date in 2024–2026, "
        "got datetime.date(2027, 1, 1)"
    ]
    assert row_counts() == EMPTY  # not even the departments


def test_the_command_refuses_invalid_data_and_loads_nothing(bad_data, monkeypatch):
    real_read = loader.read
    monkeypatch.setattr(loader, "read", lambda: real_read(bad_data))
    with pytest.raises(CommandError) as exc:
        call_command("load_seeds")
    assert str(exc.value).startswith("种子数据校验失败，未载入任何数据：")
    assert "MS24-012" in str(exc.value)
    assert row_counts() == EMPTY


def test_demo_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as exc:
        call_command("load_seeds", "--demo")
    assert "--force" in str(exc.value)
    assert row_counts() == EMPTY


def test_a_row_the_database_refuses_rolls_back_the_whole_load(tmp_path):
    """All or nothing even past validate(): a task code too long for the column passes
    validate(), so departments, projects, milestones and indicators are written before the
    first task fails on save. None of them may remain."""
    data_dir = copy_data(tmp_path)
    long_code = "RW24-0201-001-" + "X" * 20  # Task.code is max_length=30
    edit_row(data_dir / "tasks_02_01.yaml", "RW24-0201-001", code=long_code)
    with pytest.raises((loader.SeedError, ValidationError)):
        loader.load(loader.read(data_dir))
    assert row_counts() == EMPTY
