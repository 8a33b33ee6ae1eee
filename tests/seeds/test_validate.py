"""``validate()`` on small in-memory data: each bad row is named with its file and code, and
nothing is loaded while there is one. No database.
"""

import copy
import datetime as dt

import pytest

from seeds import loader

DEC_31 = dt.date(2024, 12, 31)


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
                "level": "district",
                "stage": "new_start",
                "assumed_fields": ["stage"],
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
                "unit": "%",
                "target_value": "6.5",
                "comparison": "at_least",
                "department": "FGW",
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
                "target_unit": "个",
                "target_comparison": "at_least",
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


def _growth_pair(note=""):
    """A level indicator with its baseline and a growth indicator of it (L35/L107's figures)."""

    def change(data):
        level = {**data.indicators[0], "code": "IND-2", "name": "进出口总额", "unit": "万元"}
        level.update(target_value="9200", baseline="8477")
        growth = {**data.indicators[0], "code": "IND-3", "name": "进出口总额增长"}
        growth.update(target_value="10", growth_of="IND-2", consistency_note=note)
        data.indicators += [level, growth]

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
        _duplicate("tasks", code="T-2", project="P-404"),
        "tasks_02_01.yaml: T-2: unknown project 'P-404'",
        id="task-unknown-project",
    ),
    pytest.param(
        _set("tasks", target_comparison=None),
        "tasks_02_01.yaml: T-1: target_comparison must be one of at_least, at_most, about, got None",
        id="task-number-without-direction",
    ),
    pytest.param(
        _set("indicators", comparison=None),
        "indicators.yaml: IND-1: comparison must be one of at_least, at_most, about, got None",
        id="indicator-number-without-direction",
    ),
    pytest.param(
        _set("tasks", target_value=None, target_unit=None),
        "tasks_02_01.yaml: T-1: target_comparison given without target_value",
        id="direction-without-number",
    ),
    pytest.param(
        _set("tasks", target_comparison="about"),
        "tasks_02_01.yaml: T-1: target_comparison about needs a target_tolerance",
        id="about-without-tolerance",
    ),
    pytest.param(
        _set("tasks", target_tolerance="-1"),
        "tasks_02_01.yaml: T-1: target_tolerance must be a number ≥ 0",
        id="negative-tolerance",
    ),
    pytest.param(
        _set("indicators", department=None),
        "indicators.yaml: IND-1: unknown department None",
        id="indicator-without-unit",
    ),
    pytest.param(
        _set("tasks", project=None),
        "projects.yaml: P-1: no task refers to this project",
        id="project-without-task",
    ),
    pytest.param(
        _set("projects", assumed_fields=[]),
        "projects.yaml: P-1: a stage the report does not state needs assumed_fields: [stage], "
        "one it states needs stage_source",
        id="stage-neither-quoted-nor-assumed",
    ),
    pytest.param(
        _set("projects", level="municipal"),
        "projects.yaml: P-1: level 'municipal' does not match category 'district'",
        id="level-against-category",
    ),
    pytest.param(
        _set("tasks", assumed_fields=["weather"]),
        "tasks_02_01.yaml: T-1: assumed_fields must be distinct names of deadline, "
        "target_comparison, target_tolerance, project, got ['weather']",
        id="unknown-assumed-field",
    ),
    pytest.param(
        _set("tasks", parent="T-404"),
        "tasks_02_01.yaml: T-1: unknown parent 'T-404'",
        id="unknown-parent",
    ),
    pytest.param(
        _set("tasks", parent="T-1"),
        "tasks_02_01.yaml: T-1: a task is not its own parent",
        id="own-parent",
    ),
    pytest.param(
        _set("tasks", indicator="IND-404"),
        "tasks_02_01.yaml: T-1: unknown indicator 'IND-404'",
        id="unknown-indicator",
    ),
    pytest.param(
        _growth_pair(),
        "indicators.yaml: IND-3: 进出口总额目标 9200万元 比 2023 年实绩 8477万元 增长 "
        "7.93%–9.13%，与“进出口总额增长不低于 10%”不符: record it in consistency_note",
        id="growth-contradiction-without-note",
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


def test_a_contradiction_needs_its_note_and_a_note_its_contradiction():
    data = _valid()
    _growth_pair(note="报告前后不一")(data)
    assert loader.validate(data) == []
    data.indicators[1]["target_value"] = "9400"  # +10.9 %–11.5 % over 8477: agrees
    assert loader.validate(data) == [
        "indicators.yaml: IND-3: consistency_note given, but the targets agree over the baseline"
    ]


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
