"""What the first transcription got misleading, checked on the real files (issue 19): numbers
that are not targets, directions, current stages, inferred values, units, levels, baselines,
the 进出口 contradiction and the 民生实事 parent. No database.
"""

import copy
from collections import Counter

import pytest

from seeds import loader
from tests.seeds.source import report_text


@pytest.fixture(scope="module")
def data() -> loader.SeedData:
    return loader.read()


# README "A number is a target only when the report asks for it".
NOT_TARGETS = {
    "RW24-0201-001": "加快50余份协议转化落地",
    "RW24-0201-007": "3条高速公路建设",
    "RW24-0202-017": "加快推进涪武高铁等18个前期项目",
    "RW24-0202-019": "提速建设兴顺风电等17个在建项目",
    "RW24-0202-028": "加快29个房地产项目建设",
    "RW24-0203-031": "加快建设页岩气开发等11个项目",
    "RW24-0204-008": "加快老车站等5个项目建设",
    "RW24-0205-013": "两个十亿级产业",
    "RW24-0205-023": "推进20万只山羊全产业链建设",
    "RW24-0208-019": "“六大机制”",
}


def test_no_target_is_taken_from_a_name_or_a_count_of_what_is_already_there(data):
    tasks = {row["code"]: row for row in data.tasks}
    for code, quote in NOT_TARGETS.items():
        assert quote in tasks[code]["content"], code
        assert tasks[code]["target_value"] is None, code
    # Every remaining number is written as digits in its own clause (no 两/六 read as 2/6).
    for row in data.tasks:
        if row["target_value"] is not None:
            assert str(row["target_value"]) in row["content"], row["code"]


CEILINGS = ("以内", "控制在", "缩小到", "精简至")


def test_every_numeric_target_has_the_direction_its_wording_gives(data):
    """README: at_most for 以内/控制在/缩小到/精简至, at_least otherwise; 左右 is a tolerance."""
    rows = [
        (row["code"], row["content"], row.get("target_comparison"), row.get("target_tolerance"))
        for row in data.tasks
        if row.get("target_value") is not None
    ] + [
        (row["code"], row["target_text"], row.get("comparison"), row.get("tolerance"))
        for row in data.indicators
        if row.get("target_value") is not None
    ]
    assert len(rows) == 172 + 73
    for code, text, comparison, tolerance in rows:
        expected = "at_most" if any(word in text for word in CEILINGS) else "at_least"
        assert (code, comparison) == (code, expected)
        assert (tolerance is not None) == ("左右" in text), code
    directions = Counter(comparison for _, _, comparison, _ in rows)
    assert directions == {"at_least": 238, "at_most": 7}


def test_stage_is_the_current_stage_never_the_years_goal(data):
    projects = {row["code"]: row for row in data.projects}
    for code in ("P-001", "P-019", "KW-06", "KW-08"):  # the examples
        assert projects[code]["stage"] == "under_construction", code
    part_one = "\n".join(report_text().split("\n")[18:43])  # L19–L43: 2023工作回顾
    done = {code for code, row in projects.items() if row["stage"] in ("completed", "in_operation")}
    assert done == {"P-058", "P-059", "P-060", "P-061"}
    for code, row in projects.items():
        if row.get("stage_source"):
            assert row["stage_source"] in part_one, code
        else:
            assert "stage" in row["assumed_fields"], code
    # The year's goal is in the target text and the milestones.
    assert projects["P-001"]["target_text"] == "渝湘高速复线武隆段建成通车"
    assert [m["name"] for m in projects["P-001"]["milestones"]] == ["建成通车"]


def test_inferred_locations_are_flagged_and_a_bundle_has_none(data):
    projects = {row["code"]: row for row in data.projects}
    located = {code for code, row in projects.items() if row.get("location")}
    assert located == {
        "KW-07", "P-002", "P-016", "P-044", "P-049", "P-060", "P-068", "P-075", "P-076",
        "P-077", "P-078",
    }  # fmt: skip
    assert [c for c in located if "location" not in projects[c]["assumed_fields"]] == ["P-078"]
    assert projects["P-078"]["location"] == "江口镇"
    assert "江口镇“关口西汉一号墓”" in report_text()  # stated, not inferred
    assert projects["P-054"].get("location") is None
    assert all("、" not in (row.get("location") or "") for row in data.projects)


def test_every_project_has_a_task_and_every_indicator_a_responsible_unit(data):
    with_task = {row.get("project") for row in data.tasks}
    assert [row["code"] for row in data.projects if row["code"] not in with_task] == []
    assert [row["code"] for row in data.indicators if not row.get("department")] == []
    assert {row["code"]: row["department"] for row in data.indicators[:8]} == {
        "IND-01": "TJJ", "IND-02": "JJXX", "IND-03": "FGW", "IND-04": "SWW",
        "IND-05": "CZJ", "IND-06": "TJJ", "IND-07": "TJJ", "IND-08": "FGW",
    }  # fmt: skip
    assert all("department" in row["assumed_fields"] for row in data.indicators)
    # A task that repeats an indicator names it, and they share the lead unit.
    indicators = {row["code"]: row for row in data.indicators}
    repeats = [row for row in data.tasks if row.get("indicator")]
    assert len(repeats) == 66
    for row in repeats:
        indicator = indicators[row["indicator"]]
        assert row["lead_department"] == indicator["department"], row["code"]
        assert row["target_value"] == indicator["target_value"], row["code"]


def test_levels_follow_the_category_and_are_flagged(data):
    for row in data.projects:
        if row["category"] in ("municipal", "district"):
            assert row["level"] == row["category"], row["code"]
            assert {"level", "category"} <= set(row["assumed_fields"]), row["code"]
        else:
            assert row.get("level") is None, row["code"]
    municipal = [row["code"] for row in data.projects if row.get("level") == "municipal"]
    assert municipal == ["P-001", "P-002", "P-004", "P-005", "P-009"]


def test_baselines_are_the_2023_figures_of_part_one(data):
    part_one = "\n".join(report_text().split("\n")[18:43])
    with_baseline = [row for row in data.indicators if row.get("baseline") is not None]
    for row in with_baseline:
        assert row["baseline_text"] in part_one, row["code"]
        figure = str(row["baseline"]).lstrip("-")
        assert figure in row["baseline_text"], row["code"]
    assert {row["code"]: row["baseline"] for row in with_baseline if row["code"] in {
        "IND-01", "IND-07", "IND-63", "IND-64"
    }} == {"IND-01": "5.5", "IND-07": "-0.5", "IND-63": "8477", "IND-64": "5.2"}  # fmt: skip


def test_the_import_export_contradiction_is_flagged_and_caught(data):
    indicators = {row["code"]: row for row in data.indicators}
    assert indicators["IND-64"]["growth_of"] == "IND-63"
    assert "9200万元仅比上年增长约8.5%" in indicators["IND-64"]["consistency_note"]
    # Without the note the files do not validate.
    stripped = copy.deepcopy(data)
    (growth,) = [row for row in stripped.indicators if row["code"] == "IND-64"]
    growth["consistency_note"] = ""
    assert loader.validate(stripped) == [
        "indicators.yaml: IND-64: 进出口总额目标 9200万元 比 2023 年实绩 8477万元 增长 "
        "7.93%–9.13%，与“进出口总额增长不低于 10%”不符: record it in consistency_note"
    ]
    # The other growth pair in the report agrees: 22.2亿元 over 20.2亿元 is +10 %.
    assert indicators["IND-74"]["growth_of"] == "IND-33"
    assert not indicators["IND-74"].get("consistency_note")


def test_the_ten_district_livelihood_items_are_children_of_ms24_002(data):
    livelihood = [row for row in data.tasks if row["_file"] == "tasks_livelihood.yaml"]
    parents = {row["code"]: row.get("parent") for row in livelihood}
    assert parents == {
        "MS24-001": None,
        "MS24-002": None,
        **{f"MS24-{n:03d}": "MS24-002" for n in range(3, 13)},
    }
    assert [row.get("parent") for row in data.tasks if row["_file"] != "tasks_livelihood.yaml"] == [
        None
    ] * (422 - 12)
