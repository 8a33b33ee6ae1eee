"""``loader.load()`` with the real data: loaded once for the module, rolled back at its end.

Each test runs in its own savepoint on top of that load, so a test that loads again (a
second load, a changed data file) leaves the module's load as it was.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Department, User
from projects.models import Milestone, Project
from seeds import loader
from supervision.models import Indicator, Task, TaskEvent
from tests.seeds.source import copy_data, edit_row, report_text, row_counts

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 武隆府发〔2024〕2号 was issued on 2024-02-07: the moment the seeded tasks were assigned.
ASSIGNED_AT = dt.datetime(2024, 2, 7, 9, 0, tzinfo=SHANGHAI)
KINDS = ["单位", "项目", "节点", "指标", "事项", loader.NODES_KIND]


@dataclass
class Seeded:
    data: loader.SeedData
    tally: loader.Tally


@pytest.fixture(scope="module")
def seeded(module_transaction, django_db_blocker) -> Seeded:
    with django_db_blocker.unblock():
        assert row_counts()["departments"] == 0, "the test database is not empty"
        tally = loader.load(loader.read())
    return Seeded(loader.read(), tally)


def outcomes(tally: loader.Tally) -> dict[str, dict[str, int]]:
    return {kind: dict(counter) for kind, counter in tally.counts.items()}


def milestone_rows(data: loader.SeedData) -> list[tuple]:
    return [(row["code"], m["name"]) for row in data.projects for m in row.get("milestones") or []]


def fingerprints():
    """What a silent save would change: every task's and project's ``updated_at``."""
    return (
        dict(Task.objects.values_list("code", "updated_at")),
        dict(Project.objects.values_list("code", "updated_at")),
    )


# --- the first load -----------------------------------------------------------------------


def test_load_creates_one_row_per_data_row(seeded):
    data = seeded.data
    assert Department.objects.count() == len(data.departments)
    assert Project.objects.count() == len(data.projects)
    assert Milestone.objects.count() == len(milestone_rows(data))
    assert Indicator.objects.count() == len(data.indicators)
    assert Task.objects.count() == len(data.tasks)
    # The loader acts as the supervision office's system user, the only account it creates.
    assert list(User.objects.values_list("username", "role", "department__code")) == [
        ("system", "supervisor", "DCB")
    ]
    assert not User.objects.get(username="system").has_usable_password()


def test_the_tally_counts_every_row_as_created(seeded):
    data = seeded.data
    assert outcomes(seeded.tally) == {
        "单位": {"created": len(data.departments)},
        "项目": {"created": len(data.projects)},
        "节点": {"created": len(milestone_rows(data))},
        "指标": {"created": len(data.indicators)},
        "事项": {"created": len(data.tasks)},
        loader.NODES_KIND: {"created": len(data.tasks)},  # every task gets its nodes
    }
    assert seeded.tally.changed == 422 + 94 + 74 + 55 + 54 + 422
    assert [line.split(":")[0] for line in seeded.tally.lines()] == KINDS


def test_the_ten_key_works_are_projects_of_category_key_work(seeded):
    key_works = Project.objects.filter(category="key_work").order_by("code")
    assert list(key_works.values_list("code", flat=True)) == [f"KW-{n:02d}" for n in range(1, 11)]
    from_file = [row["code"] for row in seeded.data.projects if row["_file"] == "key_works.yaml"]
    assert list(key_works.values_list("code", flat=True)) == from_file
    assert not Project.objects.filter(category="key_work").exclude(code__startswith="KW-").exists()


def test_every_row_holds_what_its_file_says(seeded):
    data = seeded.data
    wrong = []

    def check(code, field, got, expected):
        if got != expected:
            wrong.append((code, field, got, expected))

    departments = {d.code: d for d in Department.objects.all()}
    for row in data.departments:
        d = departments[row["code"]]
        check(row["code"], "name", d.name, row["name"])
        check(row["code"], "kind", d.kind, row["kind"])
        check(row["code"], "assumed", d.assumed, bool(row.get("assumed")))

    projects = {p.code: p for p in Project.objects.select_related("lead_department")}
    milestones = defaultdict(list)
    for m in Milestone.objects.select_related("project").order_by("project__code", "sequence"):
        milestones[m.project.code].append((m.name, m.due_date, m.sequence, m.assumed_fields))
    for row in data.projects:
        p = projects[row["code"]]
        check(row["code"], "name", p.name, row["name"])
        check(row["code"], "category", p.category, row["category"])
        check(row["code"], "stage", p.stage, row["stage"])
        check(row["code"], "lead", p.lead_department.code, row["lead_department"])
        check(row["code"], "target_text", p.target_text, row["target_text"])
        check(row["code"], "year", p.year, 2024)
        plan = row.get("annual_plan_investment")
        check(row["code"], "plan", p.annual_plan_investment, Decimal(plan or "0"))
        check(row["code"], "total", p.total_investment, None)
        check(row["code"], "location", p.location, row.get("location") or "")
        check(row["code"], "level", p.level, row.get("level") or "")
        check(row["code"], "assumed_fields", p.assumed_fields, row["assumed_fields"])
        expected = [
            (m["name"], m["due_date"], m.get("sequence") or n, m["assumed_fields"])
            for n, m in enumerate(row.get("milestones") or [], start=1)
        ]
        check(row["code"], "milestones", milestones[row["code"]], expected)

    indicators = {i.code: i for i in Indicator.objects.select_related("department", "growth_of")}
    for row in data.indicators:
        i = indicators[row["code"]]
        value = row.get("target_value")
        check(
            row["code"], "target_value", i.target_value, None if value is None else Decimal(value)
        )
        check(row["code"], "unit", i.unit, row.get("unit") or "")
        check(row["code"], "comparison", i.comparison, row.get("comparison") or "")
        check(row["code"], "department", i.department.code, row["department"])
        check(row["code"], "baseline", i.baseline, decimal_or_none(row.get("baseline")))
        check(row["code"], "tolerance", i.tolerance, decimal_or_none(row.get("tolerance")))
        check(row["code"], "growth_of", i.growth_of and i.growth_of.code, row.get("growth_of"))
        check(row["code"], "note", i.consistency_note, row.get("consistency_note") or "")
        check(row["code"], "assumed_fields", i.assumed_fields, row["assumed_fields"])
        check(row["code"], "target_text", i.target_text, row["target_text"])
        check(row["code"], "domain", i.domain, row["domain"])

    tasks = {
        t.code: t
        for t in Task.objects.select_related("lead_department", "project", "parent", "indicator")
    }
    for row in data.tasks:
        t = tasks[row["code"]]
        value = row.get("target_value")
        check(row["code"], "title", t.title, row["title"])
        check(row["code"], "content", t.content, row["content"])
        check(row["code"], "domain", t.domain, row["domain"])
        check(row["code"], "lead", t.lead_department.code, row["lead_department"])
        check(row["code"], "project", t.project and t.project.code, row.get("project"))
        check(row["code"], "deadline", t.deadline, row["deadline"])
        check(
            row["code"], "target_value", t.target_value, None if value is None else Decimal(value)
        )
        check(row["code"], "target_unit", t.target_unit, row.get("target_unit") or "")
        check(row["code"], "assumed", t.assumed, bool(row.get("assumed")))
        check(row["code"], "comparison", t.target_comparison, row.get("target_comparison") or "")
        check(
            row["code"],
            "tolerance",
            t.target_tolerance,
            decimal_or_none(row.get("target_tolerance")),
        )
        check(row["code"], "assumed_fields", t.assumed_fields, row["assumed_fields"])
        check(row["code"], "parent", t.parent and t.parent.code, row.get("parent"))
        check(row["code"], "indicator", t.indicator and t.indicator.code, row.get("indicator"))
    assert wrong == []


def decimal_or_none(value):
    return None if value is None else Decimal(value)


def test_the_district_livelihood_items_are_one_parent_and_ten_children(seeded):
    parent = Task.objects.get(code="MS24-002")
    assert parent.target_value == Decimal("10")
    children = sorted(parent.children.values_list("code", flat=True))
    assert children == [f"MS24-{n:03d}" for n in range(3, 13)]
    assert not Task.objects.filter(parent__isnull=False).exclude(parent=parent).exists()


def test_every_seeded_task_is_assigned_on_the_report_date(seeded):
    tasks = Task.objects.all()
    assert {t.status for t in tasks} == {"assigned"}
    assert {t.assigned_at for t in tasks} == {ASSIGNED_AT}
    assert {t.created_by.username for t in tasks.select_related("created_by")} == {"system"}
    for task in tasks:
        expected = "livelihood" if task.code.startswith("MS24-") else "work_report"
        assert task.source == expected, task.code
    assert {t.source for t in tasks} == {"work_report", "livelihood"}

    log = defaultdict(list)
    for code, action, from_status, to_status, at, actor in TaskEvent.objects.order_by(
        "task_id", "created_at", "id"
    ).values_list(
        "task__code", "action", "from_status", "to_status", "created_at", "actor__username"
    ):
        log[code].append((action, from_status, to_status, at, actor))
    expected = [
        ("create", "", "draft", ASSIGNED_AT, "system"),
        ("assign", "draft", "assigned", ASSIGNED_AT, "system"),
    ]
    assert {code: events for code, events in log.items() if events != expected} == {}
    assert set(log) == {t.code for t in tasks}
    assert set(TaskEvent.objects.filter(action="assign").values_list("comment", flat=True)) == {
        "随区政府工作报告交办"
    }


# --- loading again ------------------------------------------------------------------------


def test_a_second_load_creates_and_updates_nothing(seeded):
    counts, stamps = row_counts(), fingerprints()
    tally = loader.load(loader.read())
    assert tally.changed == 0
    assert outcomes(tally) == {
        kind: {"unchanged": counter["created"]} for kind, counter in seeded.tally.counts.items()
    }
    assert row_counts() == counts  # no new rows, no new TaskEvents
    assert fingerprints() == stamps  # nothing saved


def test_a_changed_data_file_updates_the_matching_rows_by_code(seeded, tmp_path):
    data_dir = copy_data(tmp_path)
    old_title = edit_row(
        data_dir / "tasks_02_03.yaml", "RW24-0203-021", title="旅游综合收入达220亿元"
    )["title"]
    edit_row(data_dir / "key_works.yaml", "KW-04", target_text="小火车风景线全线施工")
    edit_row(data_dir / "indicators.yaml", "IND-30", target_value="230")
    counts, (task_stamps, project_stamps) = row_counts(), fingerprints()

    tally = loader.load(loader.read(data_dir))

    data = seeded.data
    assert outcomes(tally) == {
        "单位": {"unchanged": len(data.departments)},
        "项目": {"updated": 1, "unchanged": len(data.projects) - 1},
        "节点": {"unchanged": len(milestone_rows(data))},
        "指标": {"updated": 1, "unchanged": len(data.indicators) - 1},
        "事项": {"updated": 1, "unchanged": len(data.tasks) - 1},
        loader.NODES_KIND: {"unchanged": len(data.tasks)},  # nodes are never rewritten
    }
    assert tally.changed == 3
    assert row_counts() == {**counts, "task_events": counts["task_events"] + 1}

    task = Task.objects.get(code="RW24-0203-021")
    assert old_title == "旅游综合收入220亿元"
    assert task.title == "旅游综合收入达220亿元"
    assert task.status == "assigned"
    event = TaskEvent.objects.filter(task=task).latest("id")
    assert event.action == "edit"
    assert event.actor.username == "system"
    assert event.data == {"changes": {"title": ["旅游综合收入220亿元", "旅游综合收入达220亿元"]}}

    project = Project.objects.get(code="KW-04")
    assert project.target_text == "小火车风景线全线施工"
    assert project.annual_plan_investment == Decimal("30000.00")
    assert Indicator.objects.get(code="IND-30").target_value == Decimal("230")

    new_task_stamps, new_project_stamps = fingerprints()
    assert {c for c in task_stamps if task_stamps[c] != new_task_stamps[c]} == {"RW24-0203-021"}
    assert {c for c in project_stamps if project_stamps[c] != new_project_stamps[c]} == {"KW-04"}


# --- spot checks against the report -------------------------------------------------------


def _in_report(text: str):
    assert text, "nothing quoted"
    assert text in report_text(), f"not in the report: {text}"


@pytest.mark.parametrize(
    ("code", "value", "unit", "comparison", "quote"),
    [
        # 二·预期目标
        ("IND-01", "6.5", "%", "at_least", "地区生产总值增长6.5%"),
        (
            "IND-03",
            "10",
            "%",
            "at_least",
            "固定资产投资、社会消费品零售总额、一般公共预算收入分别增长7.5%、10%",
        ),
        ("IND-07", "3", "%", "at_most", "居民消费价格涨幅3%以内"),
        ("IND-08", None, "", "", "完成市上下达的主要节能减排任务"),
        # 二(二) 25 municipal and 78 district key projects
        ("IND-09", "24.7", "亿元", "at_least", "25个市级和78个区级重点项目分别完成投资24.7亿元"),
        ("IND-10", "91.96", "亿元", "at_least", "分别完成投资24.7亿元、91.96亿元"),
        ("IND-11", "122.1", "亿元", "at_least", "带动完成固定资产投资122.1亿元"),
        # 二(三) tourism
        ("IND-27", "550", "万人", "at_least", "组客550万人"),
        ("IND-30", "220", "亿元", "at_least", "旅游综合收入220亿元"),
        # 二(五) grain, income ratio
        ("IND-43", "73.3", "万亩", "at_least", "确保粮食播种面积稳定在73.3万亩"),
        ("IND-53", "2.35", ":1", "at_most", "城乡居民收入比缩小到2.35:1"),
        # 二(七) state assets, trade
        ("IND-61", "13.06", "亿元", "at_least", "盘活国有资产13.06亿元"),
        ("IND-63", "9200", "万元", "at_least", "实现进出口总额9200万元"),
        # 二(八) ecology, 二(九) livelihood
        ("IND-66", "350", "天", "at_least", "空气质量优良天数350天以上"),
        ("IND-71", "5.5", "%", "at_most", "城镇调查失业率控制在5.5%左右"),
    ],
)
def test_indicator_figures_match_the_report(seeded, code, value, unit, comparison, quote):
    indicator = Indicator.objects.get(code=code)
    assert indicator.target_value == (None if value is None else Decimal(value))
    assert indicator.unit == unit
    assert indicator.comparison == comparison
    assert quote in indicator.target_text
    _in_report(indicator.target_text)


@pytest.mark.parametrize(
    ("code", "name", "plan", "stage", "quote"),
    [
        ("KW-01", "银盘抽水蓄能项目", "0", "new_start", "银盘抽水蓄能项目实质性开工"),
        ("KW-04", "小火车风景线", "30000.00", "under_construction", "全线施工、完成投资3亿元"),
        (
            "KW-08",
            "渝湘高铁武隆南站站房及配套道路",
            "35000.00",
            "under_construction",
            "完成投资3.5亿元",
        ),
        ("P-074", "区人民医院内科综合大楼", "40000.00", "under_construction", "完成投资4亿元"),
    ],
)
def test_project_figures_match_the_report(seeded, code, name, plan, stage, quote):
    project = Project.objects.get(code=code)
    assert project.name == name
    assert project.annual_plan_investment == Decimal(plan)
    assert project.total_investment is None
    assert project.stage == stage
    assert quote in project.target_text
    _in_report(project.target_text)


@pytest.mark.parametrize(
    ("code", "value", "unit", "project", "quote"),
    [
        ("RW24-0202-005", "3", "亿元", "KW-04", "小火车风景线全线施工、完成投资3亿元"),
        (
            "RW24-0202-010",
            "3.5",
            "亿元",
            "KW-08",
            "武隆南站站房及配套道路主体工程、完成投资3.5亿元",
        ),
        ("RW24-0202-013", "24.7", "亿元", None, "推动25个市级和78个区级重点项目"),
        ("RW24-0202-014", "91.96", "亿元", None, "91.96亿元"),
        ("RW24-0203-019", "10", "万人", None, "其中境外游客10万人"),
        ("RW24-0203-021", "220", "亿元", None, "旅游综合收入220亿元"),
        ("RW24-0204-031", "263", "栋", None, "完成263栋C级危房全覆盖智慧监测"),
        ("RW24-0207-005", "30", "BP", None, "国企综合融资成本下降30个基点（BP）"),
        ("RW24-0208-011", "282", "公里", "P-065", "完成282公里森林防火生物隔离带建设"),
        ("RW24-0209-001", "3000", "人", None, "全年城镇新增就业3000人以上"),
        ("RW24-0209-015", "4", "亿元", "P-074", "内科综合大楼建设完成投资4亿元"),
        ("MS24-001", "15", "件", None, "我们将承接办好市级重点民生实事15件"),
        ("MS24-002", "10", "件", None, "区级项目重点民生实事10件"),
        ("MS24-012", None, "", "P-084", "高层建筑隐患整治及“高楼消防”应用建设工程"),
    ],
)
def test_task_figures_match_the_report(seeded, code, value, unit, project, quote):
    task = Task.objects.select_related("project").get(code=code)
    assert task.target_value == (None if value is None else Decimal(value))
    assert task.target_unit == unit
    assert (task.project and task.project.code) == project
    assert task.deadline == dt.date(2024, 12, 31)
    assert quote in task.content
    _in_report(task.content)


def test_every_loaded_text_is_quoted_from_the_report(seeded):
    report = report_text()
    quoted = [
        *Task.objects.values_list("code", "content"),
        *Project.objects.values_list("code", "target_text"),
        *Indicator.objects.values_list("code", "target_text"),
    ]
    assert len(quoted) == 422 + 94 + 74
    assert [code for code, text in quoted if not text or text not in report] == []
