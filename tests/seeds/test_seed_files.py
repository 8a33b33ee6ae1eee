"""The data files themselves: they validate, codes are unique, text is verbatim from the report.

No database here: ``loader.read()`` and ``loader.validate()`` are pure.
"""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from seeds import loader
from tests.seeds.source import report_text

DEC_31 = dt.date(2024, 12, 31)


@pytest.fixture(scope="module")
def data() -> loader.SeedData:
    return loader.read()


def _file_rows(name: str) -> list[dict]:
    content = loader.parse_yaml((loader.DATA_DIR / name).read_text(encoding="utf-8"))
    (rows,) = content.values()
    return rows


def _duplicates(codes) -> list:
    return sorted(code for code, n in Counter(codes).items() if n > 1)


# --- the real files -----------------------------------------------------------------------


def test_every_data_file_validates(data):
    assert loader.validate(data) == []


def test_read_tags_every_row_with_its_file(data):
    names = {path.name for path in loader.DATA_DIR.glob("*.yaml")}
    for rows in (data.departments, data.projects, data.indicators, data.tasks):
        assert rows
        assert {row["_file"] for row in rows} <= names
    assert {row["_file"] for row in data.projects} == {"key_works.yaml", "projects.yaml"}


def test_read_refuses_an_unknown_top_level_key(tmp_path):
    (tmp_path / "extra.yaml").write_text("programmes:\n- code: X\n", encoding="utf-8")
    with pytest.raises(loader.SeedError) as exc:
        loader.read(tmp_path)
    assert exc.value.errors == ["extra.yaml: unknown top-level key 'programmes'"]


def test_no_task_code_is_used_twice_across_the_task_files():
    seen = [
        (row["code"], path.name)
        for path in sorted(loader.DATA_DIR.glob("tasks_*.yaml"))
        for row in _file_rows(path.name)
    ]
    assert len(seen) == 422
    assert _duplicates(code for code, _ in seen) == []


def test_no_project_code_is_used_twice_across_key_works_and_projects():
    codes = [row["code"] for row in _file_rows("key_works.yaml") + _file_rows("projects.yaml")]
    assert _duplicates(codes) == []
    assert len(codes) == 94


def test_department_and_indicator_codes_and_names_are_unique(data):
    assert _duplicates(row["code"] for row in data.departments) == []
    assert _duplicates(row["name"] for row in data.departments) == []  # Department.name is unique
    assert _duplicates(row["code"] for row in data.indicators) == []


def test_milestone_names_are_unique_per_project(data):
    for row in data.projects:
        names = [m["name"] for m in row.get("milestones") or []]
        assert _duplicates(names) == [], row["code"]


def test_task_codes_follow_their_file(data):
    for row in data.tasks:
        if row["_file"] == "tasks_livelihood.yaml":
            assert row["code"].startswith("MS24-"), row["code"]
            assert row["source"] == "livelihood", row["code"]
        else:
            section = row["_file"].removeprefix("tasks_").removesuffix(".yaml").replace("_", "")
            assert row["code"].startswith(f"RW24-{section}-"), row["code"]
            assert row["source"] == "work_report", row["code"]


def test_row_counts_match_the_readme(data):
    """README.md, "What became a task" and "Counts"."""
    per_file = Counter(row["_file"] for row in data.tasks)
    assert dict(per_file) == {
        "tasks_02_01.yaml": 19,
        "tasks_02_02.yaml": 51,
        "tasks_02_03.yaml": 49,
        "tasks_02_04.yaml": 45,
        "tasks_02_05.yaml": 54,
        "tasks_02_06.yaml": 20,
        "tasks_02_07.yaml": 43,
        "tasks_02_08.yaml": 30,
        "tasks_02_09.yaml": 45,
        "tasks_02_10.yaml": 28,
        "tasks_03_01.yaml": 4,
        "tasks_03_02.yaml": 7,
        "tasks_03_03.yaml": 9,
        "tasks_03_04.yaml": 6,
        "tasks_livelihood.yaml": 12,
    }
    assert len(data.tasks) == 422
    assert sum(row.get("target_value") is not None for row in data.tasks) == 172
    assert Counter(row["domain"] for row in data.tasks) == {
        "economy": 182,
        "livelihood": 61,
        "reform": 46,
        "safety": 37,
        "ecology": 35,
        "innovation": 28,
        "party": 20,
        "culture": 13,
    }
    assert len(data.departments) == 54
    assert Counter(row["kind"] for row in data.departments) == {
        "district": 37,
        "town": 9,
        "street": 3,
        "other": 4,
        "soe": 1,
    }
    assert sum(bool(row.get("assumed")) for row in data.departments) == 48
    key_works = [row for row in data.projects if row["_file"] == "key_works.yaml"]
    assert [row["code"] for row in key_works] == [f"KW-{n:02d}" for n in range(1, 11)]
    others = [row for row in data.projects if row["_file"] == "projects.yaml"]
    assert [row["code"] for row in others] == [f"P-{n:03d}" for n in range(1, 85)]
    assert Counter(row["category"] for row in others) == {
        "district": 60,
        "municipal": 5,
        "other": 10,
        "livelihood": 5,
        "investment_promotion": 3,
        "preliminary": 1,
    }
    assert [row["code"] for row in data.indicators] == [f"IND-{n:02d}" for n in range(1, 75)]
    assert sum(row.get("baseline") is not None for row in data.indicators) == 33


def test_quoted_text_is_verbatim_from_the_report(data):
    """README: ``content`` (tasks) and ``target_text`` (projects, indicators) are exact substrings."""
    report = report_text()
    missing = [
        (row["code"], row[key])
        for rows, key in [
            (data.tasks, "content"),
            (data.projects, "target_text"),
            (data.indicators, "target_text"),
            (data.indicators, "baseline_text"),
            (data.projects, "stage_source"),
        ]
        for row in rows
        if row.get(key) and row[key] not in report
    ]
    assert missing == []


def test_every_numeric_target_is_written_in_its_quoted_text(data):
    """The number as the report gives it appears in the quoted clause, with its unit."""
    wrong = []
    for row in data.tasks:
        if row.get("target_value") is None:
            assert row.get("target_unit") is None, row["code"]  # README: null in both fields
            continue
        assert row.get("target_unit"), row["code"]
        ok = str(row["target_value"]) in row["content"]
        if not ok:
            wrong.append((row["code"], row["target_value"], row["content"]))
    for row in data.indicators:
        if (
            row.get("target_value") is not None
            and str(row["target_value"]) not in row["target_text"]
        ):
            wrong.append((row["code"], row["target_value"], row["target_text"]))
    assert wrong == []


def test_project_amounts_are_the_reports_yi_yuan_times_ten_thousand(data):
    """README: only KW-04, KW-08 and P-074 have an annual amount; no project has a total."""
    amounts = {
        row["code"]: Decimal(row["annual_plan_investment"])
        for row in data.projects
        if row.get("annual_plan_investment") is not None
    }
    assert amounts == {
        "KW-04": Decimal("30000.00"),
        "KW-08": Decimal("35000.00"),
        "P-074": Decimal("40000.00"),
    }
    by_code = {row["code"]: row for row in data.projects}
    for code, amount in amounts.items():
        yi = (amount / 10000).normalize()
        assert f"完成投资{yi}亿元" in by_code[code]["target_text"]
    assert [row["code"] for row in data.projects if row.get("total_investment") is not None] == []


def test_every_deadline_and_milestone_is_the_end_of_2024_and_flagged_as_inferred(data):
    """README: the report gives no date more precise than the year."""
    assert {row["deadline"] for row in data.tasks} == {DEC_31}
    assert [row["code"] for row in data.tasks if "deadline" not in row["assumed_fields"]] == []
    milestones = [m for row in data.projects for m in row.get("milestones") or []]
    assert {m["due_date"] for m in milestones} == {DEC_31}
    assert [m for m in milestones if m["assumed_fields"] != ["due_date"]] == []
