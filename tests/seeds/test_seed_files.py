"""The data files themselves: they validate, codes are unique, text is verbatim from the report.

No database here: ``loader.read()`` and ``loader.validate()`` are pure.
"""

import copy
import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
import yaml

from seeds import loader
from tests.seeds.source import report_text

DEC_31 = dt.date(2024, 12, 31)


@pytest.fixture(scope="module")
def data() -> loader.SeedData:
    return loader.read()


def _file_rows(name: str) -> list[dict]:
    content = yaml.safe_load((loader.DATA_DIR / name).read_text(encoding="utf-8"))
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
    assert len(seen) == 302
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
    """README.md ## Counts."""
    per_file = Counter(row["_file"] for row in data.tasks)
    assert dict(per_file) == {
        "tasks_02_01.yaml": 10,
        "tasks_02_02.yaml": 40,
        "tasks_02_03.yaml": 46,
        "tasks_02_04.yaml": 35,
        "tasks_02_05.yaml": 47,
        "tasks_02_06.yaml": 17,
        "tasks_02_07.yaml": 34,
        "tasks_02_08.yaml": 24,
        "tasks_02_09.yaml": 25,
        "tasks_02_10.yaml": 12,
        "tasks_livelihood.yaml": 12,
    }
    assert len(data.tasks) == 302
    assert sum(row.get("target_value") is not None for row in data.tasks) == 182
    assert Counter(row["domain"] for row in data.tasks) == {
        "economy": 151,
        "livelihood": 44,
        "ecology": 28,
        "reform": 27,
        "innovation": 24,
        "safety": 18,
        "culture": 9,
        "party": 1,
    }
    assert len(data.departments) == 51
    assert Counter(row["kind"] for row in data.departments) == {
        "district": 35,
        "town": 9,
        "street": 3,
        "other": 3,
        "soe": 1,
    }
    assert sum(bool(row.get("assumed")) for row in data.departments) == 45
    key_works = [row for row in data.projects if row["_file"] == "key_works.yaml"]
    assert [row["code"] for row in key_works] == [f"KW-{n:02d}" for n in range(1, 11)]
    others = [row for row in data.projects if row["_file"] == "projects.yaml"]
    assert [row["code"] for row in others] == [f"P-{n:03d}" for n in range(1, 85)]
    assert Counter(row["category"] for row in others) == {
        "district": 65,
        "other": 10,
        "livelihood": 5,
        "investment_promotion": 3,
        "preliminary": 1,
    }
    assert [row["code"] for row in data.indicators] == [f"IND-{n:02d}" for n in range(1, 74)]


def test_quoted_text_is_verbatim_from_the_report(data):
    """README: ``content`` (tasks) and ``target_text`` (projects, indicators) are exact substrings."""
    report = report_text()
    missing = [
        (row["code"], row[key])
        for rows, key in [
            (data.tasks, "content"),
            (data.projects, "target_text"),
            (data.indicators, "target_text"),
        ]
        for row in rows
        if row.get(key) and row[key] not in report
    ]
    assert missing == []


# The two numeric targets the report writes in Chinese numerals.
IN_WORDS = {"RW24-0205-013": "两个十亿级产业", "RW24-0208-019": "“六大机制”"}


def test_every_numeric_target_is_written_in_its_quoted_text(data):
    """The number as the report gives it appears in the quoted clause, with its unit."""
    wrong = []
    for row in data.tasks:
        if row.get("target_value") is None:
            assert row.get("target_unit") is None, row["code"]  # README: null in both fields
            continue
        assert row.get("target_unit"), row["code"]
        if row["code"] in IN_WORDS:
            ok = IN_WORDS[row["code"]] in row["content"]
        else:
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


def test_every_deadline_and_milestone_is_the_end_of_2024(data):
    """README: section 二 gives no date more precise than the year."""
    assert {row["deadline"] for row in data.tasks} == {DEC_31}
    assert {m["due_date"] for row in data.projects for m in row.get("milestones") or []} == {DEC_31}


# --- validate() on small in-memory data ---------------------------------------------------


def _valid() -> loader.SeedData:
    """The smallest data that validates: DCB, one lead unit, one of everything else."""
    return loader.SeedData(
        departments=[
            {"code": "DCB", "name": "督查办", "kind": "district", "_file": "departments.yaml"},
            {"code": "FGW", "name": "发展改革委", "kind": "district", "_file": "departments.yaml"},
        ],
        projects=[
            {
                "code": "P-1",
                "name": "测试项目",
                "category": "district",
                "stage": "new_start",
                "lead_department": "FGW",
                "annual_plan_investment": "100.00",
                "target_text": "开工建设测试项目",
                "source_ref": "二(二)",
                "milestones": [{"name": "开工", "due_date": DEC_31}],
                "_file": "projects.yaml",
            }
        ],
        indicators=[
            {
                "code": "IND-1",
                "name": "地区生产总值增长",
                "domain": "economy",
                "target_value": "6.5",
                "comparison": "at_least",
                "source_ref": "二·预期目标",
                "_file": "indicators.yaml",
            }
        ],
        tasks=[
            {
                "code": "T-1",
                "title": "测试事项",
                "content": "测试事项",
                "domain": "economy",
                "source": "work_report",
                "source_ref": "二(一)",
                "lead_department": "FGW",
                "project": "P-1",
                "target_value": "3",
                "deadline": DEC_31,
                "_file": "tasks_02_01.yaml",
            }
        ],
    )


def test_the_small_data_validates():
    assert loader.validate(_valid()) == []


def _set(kind: str, **changes):
    def change(data):
        getattr(data, kind)[0].update(changes)

    return change


def _duplicate(kind: str, **changes):
    def change(data):
        rows = getattr(data, kind)
        rows.append({**copy.deepcopy(rows[0]), **changes})

    return change


def _milestone_due(day):
    def change(data):
        data.projects[0]["milestones"][0]["due_date"] = day

    return change


def _drop_supervision_office(data):
    data.departments[:] = [row for row in data.departments if row["code"] != "DCB"]


BAD_ROWS = [
    pytest.param(
        _set("tasks", domain="weather"),
        "tasks_02_01.yaml: T-1: unknown domain 'weather'",
        id="task-unknown-domain",
    ),
    pytest.param(
        _set("indicators", domain="weather"),
        "indicators.yaml: IND-1: unknown domain 'weather'",
        id="indicator-unknown-domain",
    ),
    pytest.param(
        _set("projects", category="provincial"),
        "projects.yaml: P-1: unknown category 'provincial'",
        id="project-unknown-category",
    ),
    pytest.param(
        _set("projects", annual_plan_investment="-100.00"),
        "projects.yaml: P-1: annual_plan_investment must be a positive amount",
        id="project-negative-amount",
    ),
    pytest.param(
        _set("projects", total_investment=-1),
        "projects.yaml: P-1: total_investment must be a positive amount",
        id="project-negative-total",
    ),
    pytest.param(
        _set("tasks", target_value="-3"),
        "tasks_02_01.yaml: T-1: target_value must be a positive amount",
        id="task-negative-amount",
    ),
    pytest.param(
        _set("tasks", deadline=dt.date(2023, 12, 31)),
        "tasks_02_01.yaml: T-1: deadline must be a date in 2024–2026, got datetime.date(2023, 12, 31)",
        id="deadline-in-2023",
    ),
    pytest.param(
        _set("tasks", deadline=dt.date(2027, 1, 1)),
        "tasks_02_01.yaml: T-1: deadline must be a date in 2024–2026, got datetime.date(2027, 1, 1)",
        id="deadline-in-2027",
    ),
    pytest.param(
        _set("tasks", deadline="2027-03-01"),
        "tasks_02_01.yaml: T-1: deadline must be a date in 2024–2026, got '2027-03-01'",
        id="deadline-in-2027-as-text",
    ),
    pytest.param(
        _milestone_due(dt.date(2023, 6, 30)),
        "projects.yaml: P-1: due_date must be a date in 2024–2026, got datetime.date(2023, 6, 30)",
        id="milestone-in-2023",
    ),
    pytest.param(
        _duplicate("tasks", _file="tasks_02_09.yaml"),
        "duplicate task code T-1",
        id="duplicate-task-code-across-files",
    ),
    pytest.param(
        _duplicate("projects", _file="key_works.yaml"),
        "duplicate project code P-1",
        id="duplicate-project-code-across-files",
    ),
    pytest.param(
        _duplicate("indicators"),
        "duplicate indicator code IND-1",
        id="duplicate-indicator-code",
    ),
    pytest.param(
        _duplicate("departments", name="另一个名称"),
        "duplicate department code DCB",
        id="duplicate-department-code",
    ),
    pytest.param(
        _set("tasks", lead_department="XXX"),
        "tasks_02_01.yaml: T-1: unknown lead_department 'XXX'",
        id="task-unknown-lead",
    ),
    pytest.param(
        _set("projects", lead_department="XXX"),
        "projects.yaml: P-1: unknown lead_department 'XXX'",
        id="project-unknown-lead",
    ),
    pytest.param(
        _set("tasks", project="P-404"),
        "tasks_02_01.yaml: T-1: unknown project 'P-404'",
        id="task-unknown-project",
    ),
    pytest.param(
        _drop_supervision_office,
        "departments: the supervision office DCB is missing",
        id="no-supervision-office",
    ),
]


@pytest.mark.parametrize(("change", "error"), BAD_ROWS)
def test_validate_names_the_bad_row(change, error):
    data = _valid()
    change(data)
    assert loader.validate(data) == [error]


@pytest.mark.parametrize("day", [dt.date(2024, 1, 1), dt.date(2026, 12, 31), "2025-06-30"], ids=str)
def test_dates_from_2024_to_2026_are_accepted(day):
    data = _valid()
    data.tasks[0]["deadline"] = day
    data.projects[0]["milestones"][0]["due_date"] = day
    assert loader.validate(data) == []


def test_validate_reports_every_problem_at_once():
    data = _valid()
    data.tasks[0].update(domain="weather", deadline=dt.date(2027, 1, 1))
    data.projects[0].update(category="provincial")
    errors = loader.validate(data)
    assert len(errors) == 3
    assert all(("T-1" in e) or ("P-1" in e) for e in errors)


def test_validate_leaves_the_rows_unchanged():
    data = _valid()
    before = copy.deepcopy(data)
    loader.validate(data)
    assert data == before


# Rows the database refuses but validate() passes: load() then stops with a bare
# ValidationError / IntegrityError (the command prints a traceback instead of "种子数据校验失败",
# and nothing names the file). All or nothing still holds (see test_load_refused.py).
TOO_BIG_FOR_THE_DATABASE = [
    pytest.param(_set("tasks", code="T-" + "9" * 29), "T-" + "9" * 29, id="task-code-over-30"),
    pytest.param(_set("tasks", target_unit="个" * 21), "T-1", id="task-unit-over-20"),
    pytest.param(_duplicate("departments", code="DCB2"), "DCB2", id="department-name-not-unique"),
]


@pytest.mark.parametrize(("change", "code"), TOO_BIG_FOR_THE_DATABASE)
def test_validate_catches_what_the_database_would_refuse(change, code):
    data = _valid()
    change(data)
    errors = loader.validate(data)
    assert [e for e in errors if code in e], errors
