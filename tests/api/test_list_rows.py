"""The lists are written from plain rows (``config.api.rows``: ``tasks/`` by hand, the others
through ``RowListMixin``); they must be byte for byte what their serializers write from
model instances.

Each case renders the page the old way — the list's FilterSet over the detail's queryset
(for tasks ``with_light``, every kind detail, co-operating departments and nodes
prefetched), sliced as the paginator slices it, through the list's serializer and the API's
renderer — and compares it with the response body. The data holds every task kind, merged
and assisted proposals, nodes in every status, co-operating units whose codes sort against
their ids, empty and filled optional fields, datetimes written at several UTC offsets and
decimals of several scales; the lists are read in Asia/Shanghai and in UTC (``…Z``).
"""

import datetime as dt
import zoneinfo
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from accounts.api.serializers import DepartmentSerializer
from accounts.choices import Role
from accounts.filters import DepartmentFilter
from accounts.models import Department
from config.api.renderers import OrjsonRenderer
from projects.api.serializers import (
    InvestmentReportSerializer,
    MilestoneSerializer,
    ProjectSerializer,
)
from projects.filters import InvestmentReportFilter, MilestoneFilter, ProjectFilter
from projects.selectors import investment_report_list, milestone_list, project_list
from supervision.api.reminders import ReminderSerializer
from supervision.api.serializers import IndicatorSerializer, TaskSerializer
from supervision.kinds.selectors import with_kinds
from supervision.loop.filters import IndicatorFilter, TaskFilter
from supervision.loop.selectors import task_list
from supervision.models import (
    Indicator,
    IndicatorValue,
    InstructionDetail,
    Meeting,
    MeetingItem,
    ProblemDetail,
    ProposalDetail,
    Reminder,
    Task,
)
from supervision.reminders.filters import ReminderFilter
from tests import factories
from tests.clients import API, bearer_client

TODAY = dt.date(2024, 6, 28)
ZONES = [
    dt.timezone(dt.timedelta(hours=8)),
    dt.UTC,
    dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
    zoneinfo.ZoneInfo("America/New_York"),
]
SOURCES = ["work_report", "decision", "instruction", "npc", "cppcc", "problem", "petition"]
STATUSES = ["draft", "assigned", "in_progress", "submitted", "closed", "cancelled"]
DECIMALS = [None, Decimal("0"), Decimal("12.5"), Decimal("1234567.1234"), Decimal("-3.0100")]


def at(i: int) -> dt.datetime:
    """A datetime with microseconds (or none) at one of several offsets."""
    return dt.datetime(
        2024,
        1 + i % 12,
        1 + i % 27,
        i % 24,
        i % 60,
        i % 3 * 7,
        i % 2 * 123456,
        tzinfo=ZONES[i % len(ZONES)],
    )


@pytest.fixture
def data(db, settings):
    settings.SUPERVISION_TODAY = TODAY
    # Codes sort against ids: the lists give co-operating units in code order.
    units = [factories.DepartmentFactory(code=f"U{9 - i}") for i in range(8)]
    leaders = [factories.UserFactory(role=Role.LEADER) for _ in range(3)]
    projects = []
    for i in range(12):
        project = factories.ProjectFactory(
            code=f"P{11 - i:02d}",
            lead_department=units[i % 8],
            responsible_leader=leaders[i % 3] if i % 2 else None,
            total_investment=[None, Decimal("88888.88"), Decimal("0.10")][i % 3],
            annual_plan_investment=[Decimal("10000.00"), Decimal("0"), Decimal("333.33")][i % 3],
            year=[2023, 2024, 2025][i % 3],
            planned_start=dt.date(2024, 1, 1) if i % 2 else None,
            location="鸭江镇" if i % 3 else "",
            assumed_fields=["total_investment"] if i % 4 == 0 else [],
        )
        if i % 2:
            project.co_departments.set(units[(i + 1) % 8 : (i + 1) % 8 + 3])
        factories.MilestoneFactory(
            project=project,
            due_date=dt.date(2024, 6, 1 + i),
            completed_on=dt.date(2024, 6, 2) if i % 3 == 0 else None,
        )
        factories.InvestmentReportFactory(
            project=project, amount=Decimal("123.45") * (i + 1), period=dt.date(project.year, 1, 1)
        )
        projects.append(project)
    indicator = Indicator.objects.create(
        code="I-1", name="地区生产总值增速", domain="economy", unit="%", target_value=Decimal("6.5")
    )
    meetings = [
        Meeting.objects.create(
            name="常务会议", held_on=dt.date(2024, 3, 1), minutes_number="〔2024〕3号"
        ),
        Meeting.objects.create(name="专题会议", held_on=dt.date(2024, 4, 2)),
    ]
    tasks = []
    for i in range(42):
        status = STATUSES[i % len(STATUSES)]
        value = DECIMALS[i % len(DECIMALS)]
        comparison = ["at_least", "at_most", "about"][i % 3] if value is not None else ""
        tasks.append(
            factories.TaskFactory(
                code=f"T{i:03d}",
                title=f"招商引资事项{i}" if i % 5 == 0 else f"事项{i}",
                content="" if i % 2 else f"内容{i}\n第二行",
                source=SOURCES[i % len(SOURCES)],
                lead_department=units[i % 8],
                responsible_leader=leaders[i % 3] if i % 3 else None,
                project=projects[i % 12] if i % 2 else None,
                deadline=dt.date(2024, 1 + i % 12, 1 + i % 28),
                status=status,
                priority=["normal", "high"][i % 2] if i % 7 else "normal",
                target_metric="增速" if value is not None else "",
                target_value=value,
                target_unit="%" if value is not None else "",
                target_comparison=comparison,
                target_tolerance=Decimal("0.5") if comparison == "about" else None,
                latest_value=DECIMALS[(i + 2) % len(DECIMALS)],
                indicator=indicator if i == 7 else None,
                assigned_at=at(i) if status != "draft" else None,
                accepted_at=at(i + 1) if status in ("in_progress", "submitted", "closed") else None,
                submitted_at=at(i + 2) if status in ("submitted", "closed") else None,
                closed_at=at(i + 3) if status == "closed" else None,
                rating=["", "completed", "not_completed"][i % 3] if status == "closed" else "",
                rating_comment="未达标" if status == "closed" and i % 3 == 2 else "",
                rated_at=at(i + 4) if status == "closed" and i % 3 else None,
                assumed=i % 4 == 0,
                assumed_fields=["deadline", "project"] if i % 4 == 0 else [],
                co_departments=units[i % 5 : i % 5 + i % 4],
            )
        )
    Task.objects.filter(pk=tasks[9].pk).update(parent=tasks[3], carried_from=tasks[4])
    Task.objects.filter(pk=tasks[13].pk).update(created_at=at(5), updated_at=at(6))
    for i, task in enumerate(tasks):
        if task.source == "instruction":
            InstructionDetail.objects.create(
                task=task,
                leader=leaders[i % 3],
                instructed_on=dt.date(2024, 2, 1 + i % 20),
                text=f"请抓紧办理{i}",
                document_number="武隆发〔2024〕1号" if i % 2 else "",
                urgency=["normal", "urgent", "extra_urgent"][i % 3],
            )
        elif task.source == "decision":
            MeetingItem.objects.create(task=task, meeting=meetings[i % 2], sequence=i)
        elif task.source == "problem":
            ProblemDetail.objects.create(
                task=task,
                origin="audit",
                found_on=dt.date(2024, 1, 5),
                description=f"问题{i}",
                rectification_goal="清零",
                recurring=i % 2 == 0,
                recurs_of=tasks[0] if i % 2 == 0 else None,
            )
    proposals = [t for t in tasks if t.source in ("npc", "cppcc")]
    details = []
    for i, task in enumerate(proposals):
        # The first two are main proposals: three merged into the first, one into the second.
        into = proposals[0] if i in (2, 3, 5) else proposals[1] if i == 4 else None
        detail = ProposalDetail.objects.create(
            task=task,
            number=f"第{i}号",
            proposer=f"代表{i}",
            merged_into=into,
            reply_class="A" if i % 2 else "",
            replied_on=dt.date(2024, 5, 1) if i % 2 else None,
            satisfaction="satisfied" if i % 3 == 1 else "",
            round=1 + i % 2,
        )
        detail.assist_departments.set(units[i % 3 : i % 3 + i % 3])
        details.append(detail)
    for i, task in enumerate(tasks[::3]):
        for k in range(i % 4):
            factories.NodeFactory(
                task=task,
                sequence=k + 1,
                due_date=dt.date(2024, 3 * (k + 1), 25),
                target_value=[Decimal("25"), None][k % 2],
                target_text="阶段目标" if k % 2 else "",
                status=["approved", "proposed", "done"][(i + k) % 3],
                completed_on=dt.date(2024, 3, 20) if (i + k) % 3 == 2 else None,
            )
    return {"units": units, "tasks": tasks, "projects": projects}


FILTERSETS = {
    TaskSerializer: TaskFilter,
    ProjectSerializer: ProjectFilter,
    DepartmentSerializer: DepartmentFilter,
    IndicatorSerializer: IndicatorFilter,
    MilestoneSerializer: MilestoneFilter,
    InvestmentReportSerializer: InvestmentReportFilter,
    ReminderSerializer: ReminderFilter,
}


def _assert_list_is_the_serializers(client, path, params, zone, serializer_class, queryset):
    """The page ``path`` answers, against the serializer's output for the same page (the
    list's FilterSet over ``queryset``, sliced as the paginator slices it)."""
    size = int(params.get("page_size", 100))
    filterset_class = FILTERSETS[serializer_class]
    with timezone.override(zone):
        response = client.get(API + path, {"page_size": size, **params})
        assert response.status_code == 200, response.content[:500]
        page = int(params.get("page", 1))
        rows = filterset_class(QueryDict(urlencode(params)), queryset=queryset).qs
        rows = rows[(page - 1) * size : page * size]
        data = serializer_class(rows, many=True, context={"today": TODAY}).data
    frame = response.json()
    assert frame["results"], frame
    body = {key: frame[key] for key in ("count", "next", "previous")}
    assert response.content == OrjsonRenderer().render({**body, "results": data})


TASK_QUERIES = [
    {},
    {"page_size": "7", "page": "2"},
    {"status": "in_progress"},
    {"light": "red"},
    {"overdue": "true"},
    {"priority": "high", "ordering": "-updated_at"},
    {"source": "npc"},
    {"search": "招商"},
    {"ordering": "-assigned_at"},
]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
@pytest.mark.parametrize("params", TASK_QUERIES)
def test_the_tasks_list_is_byte_for_byte_the_serializers(data, supervisor, params, zone):
    queryset = with_kinds(task_list(today=TODAY)).prefetch_related("co_departments", "nodes")
    client = bearer_client(supervisor, scope="read")
    _assert_list_is_the_serializers(client, "tasks/", params, zone, TaskSerializer, queryset)


def test_every_task_field_and_kind_occurs_in_the_compared_data(data, supervisor):
    """The comparison above is only as good as its data: every kind detail, merged and
    main proposals, assisting units, nodes, decimals and datetimes of several offsets."""
    rows = bearer_client(supervisor).get(API + "tasks/?page_size=100").json()["results"]
    for kind in ("instruction", "meeting", "proposal", "problem"):
        assert any(row[kind] for row in rows), kind
    proposals = [row["proposal"] for row in rows if row["proposal"]]
    assert any(len(p["merged_with"]) == 3 for p in proposals)
    assert any(p["merged_into"] for p in proposals)
    assert any(len(p["assist_departments"]) >= 2 for p in proposals)
    assert any(len(row["co_departments"]) == 3 for row in rows)
    assert any(row["nodes_summary"]["total"] for row in rows)
    assert {row["light"] for row in rows} >= {"red", "green", None}
    assert any(row["overdue_days"] for row in rows)
    assert any(row["target_value"] == "1234567.1234" for row in rows)
    assert any(row["schedule_target"] is not None for row in rows)
    assert any(row["parent"] and row["carried_from"] for row in rows)


PROJECT_QUERIES = [
    {},
    {"page_size": "5", "page": "2"},
    {"light": "red"},
    {"ordering": "-completion_rate"},
    {"search": "鸭江"},
    {"year": "2024"},
]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
@pytest.mark.parametrize("params", PROJECT_QUERIES)
def test_the_projects_list_is_byte_for_byte_the_serializers(data, owner, params, zone):
    queryset = project_list(today=TODAY).prefetch_related("co_departments")
    client = bearer_client(owner, scope="read")
    _assert_list_is_the_serializers(client, "projects/", params, zone, ProjectSerializer, queryset)


@pytest.fixture
def more(data, supervisor):
    """Beside ``data``: departments of every kind (one inactive and assumed), indicators of
    every comparison with period values that light them red, yellow, green and not at all,
    further investment reports, and reminders of tasks and milestones at every rung, sent,
    acknowledged and manual."""
    units, tasks, projects = data["units"], data["tasks"], data["projects"]
    Department.objects.filter(pk=units[1].pk).update(
        is_active=False, assumed=True, source_ref="附表二"
    )
    for i, kind in enumerate(["town", "street", "soe", "other"]):
        factories.DepartmentFactory(code=f"K{i}", kind=kind, short_name="" if i % 2 else "简称")
    targets = [  # unit, target, comparison, tolerance, {period: value}
        ("%", Decimal("6.5"), "at_least", None, {"2024-03": "1.0", "2024Q1": "2.0"}),
        ("亿元", Decimal("1200"), "at_least", None, {"2024-05": "320.5"}),
        ("%", Decimal("3"), "at_most", None, {"2024-04": "2.9"}),
        ("%", Decimal("5.0"), "about", Decimal("0.5"), {"2024Q1": "5.2", "2024-02": "9"}),
        ("", None, "", None, {"2024-02": "1"}),
        ("万人", Decimal("0.35"), "at_least", Decimal("0"), {}),
    ]
    indicators = []
    for i, (unit, target, comparison, tolerance, values) in enumerate(targets):
        indicator = Indicator.objects.create(
            code=f"J-{9 - i}",
            name=f"指标{i}",
            domain=["economy", "safety", "party"][i % 3],
            unit=unit,
            target_value=target,
            comparison=comparison,
            tolerance=tolerance,
            baseline=[None, Decimal("1111.2345"), Decimal("4.5")][i % 3],
            baseline_text="上年实绩" if i % 2 else "",
            latest_value=DECIMALS[i % len(DECIMALS)],
            period_values={"2024-03": "1.5", "2024Q1": 2} if i % 2 else {},
            department=units[i % 8] if i % 3 else None,
            assumed_fields=["baseline", "tolerance"] if i % 2 else [],
        )
        for k, (period, value) in enumerate(values.items()):
            IndicatorValue.objects.create(
                indicator=indicator,
                period=period,
                value=Decimal(value),
                entered_by=supervisor,
                entered_at=at(i + k),
            )
        indicators.append(indicator)
    Indicator.objects.filter(pk=indicators[0].pk).update(growth_of=indicators[1])
    for i in range(0, 12, 2):
        factories.InvestmentReportFactory(
            project=projects[i],
            period=dt.date(projects[i].year, 2 + i % 10, 1),
            amount=[Decimal("0"), Decimal("0.5"), Decimal("98765.43")][i % 3],
            note="含前期费用" if i % 4 else "",
            reported_at=at(i),
        )
    levels = ["warning", "due", "overdue", "escalated", "notice"]
    for i, task in enumerate(tasks[:15]):
        manual = i % 5 == 4
        factories.ReminderFactory(
            task=task,
            kind="manual" if manual else ["deadline", "acceptance", "report"][i % 3],
            level=levels[i % 5],
            department=task.lead_department,
            deadline=task.deadline,
            created_at=at(i),
            deliver_after=at(i + 1),
            recipients=[supervisor.pk, i] if i % 2 else [],
            sent_at=at(i + 2) if i % 2 else None,
            acknowledged_at=at(i + 3) if i % 3 == 0 else None,
            acknowledged_by=supervisor if i % 3 == 0 else None,
            message="请加快进度" if manual else "",
            created_by=supervisor if manual else None,
        )
    for i, project in enumerate(projects[:4]):
        milestone = project.milestones.get()
        factories.ReminderFactory(
            task=None,
            milestone=milestone,
            level=levels[i % 5],
            department=project.lead_department,
            deadline=milestone.due_date,
            created_at=at(20 + i),
            deliver_after=at(21 + i),
        )
    return data


def _resolve(params: dict, data: dict) -> dict:
    """``{project}`` and ``{unit}`` in the parameters: ids from the data."""
    ids = {"project": data["projects"][1].pk, "unit": data["units"][1].pk}
    return {key: value.format(**ids) for key, value in params.items()}


SIMPLE_LISTS = {  # path: (serializer, queryset, caller, queries)
    "departments/": (
        DepartmentSerializer,
        lambda: Department.objects.all(),
        "owner",
        [
            {},
            {"page_size": "3", "page": "2"},
            {"kind": "town"},
            {"is_active": "false"},
            {"assumed": "true"},
            {"search": "单位"},
            {"ordering": "-name"},
        ],
    ),
    "indicators/": (
        IndicatorSerializer,
        lambda: Indicator.objects.prefetch_related("values"),
        "supervisor",
        [
            {},
            {"page_size": "2", "page": "2"},
            {"domain": "economy"},
            {"comparison": "at_least"},
            {"department": "{unit}"},
            {"search": "指标"},
            {"ordering": "-domain"},
        ],
    ),
    "milestones/": (
        MilestoneSerializer,
        lambda: milestone_list(today=TODAY),
        "owner",
        [
            {},
            {"page_size": "5", "page": "2"},
            {"overdue": "true"},
            {"completed": "false"},
            {"due_after": "2024-06-05"},
            {"project": "{project}"},
            {"lead_department": "{unit}"},
            {"search": "P0"},
            {"ordering": "-due_date"},
        ],
    ),
    "investment-reports/": (
        InvestmentReportSerializer,
        lambda: investment_report_list(),
        "owner",
        [
            {},
            {"page_size": "5", "page": "2"},
            {"period_after": "2024-03-01"},
            {"project": "{project}"},
            {"lead_department": "{unit}"},
            {"search": "前期"},
            {"ordering": "-amount"},
        ],
    ),
    "reminders/": (
        ReminderSerializer,
        lambda: Reminder.objects.all(),
        "supervisor",
        [
            {},
            {"page_size": "4", "page": "2"},
            {"level": "overdue"},
            {"kind": "manual"},
            {"sent": "true"},
            {"acknowledged": "false"},
            {"search": "事项"},
            {"ordering": "deadline"},
        ],
    ),
}


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
@pytest.mark.parametrize(
    ("path", "params"),
    [(path, params) for path, (*_, queries) in SIMPLE_LISTS.items() for params in queries],
)
def test_the_simple_lists_are_byte_for_byte_the_serializers(more, request, path, params, zone):
    serializer_class, queryset, caller, _ = SIMPLE_LISTS[path]
    client = bearer_client(request.getfixturevalue(caller), scope="read")
    params = _resolve(params, more)
    _assert_list_is_the_serializers(client, path, params, zone, serializer_class, queryset())


def test_every_simple_list_field_occurs_in_the_compared_data(more, supervisor):
    """What the comparison above covers: lights of every colour with and without
    ``behind``, JSON values, months, decimals, nullable links and datetimes filled."""
    client = bearer_client(supervisor)

    def rows(path):
        return client.get(f"{API}{path}?page_size=100").json()["results"]

    indicators = rows("indicators/")
    assert {row["light"] for row in indicators} == {"red", "yellow", "green", None}
    assert {row["behind"] for row in indicators} >= {"69.2", "15.0", "0.0", None}
    assert any(row["period_values"] for row in indicators)
    assert any(row["growth_of"] for row in indicators)
    assert any(row["assumed_fields"] for row in indicators)
    assert {row["kind"] for row in rows("departments/")} >= {"district", "town", "soe"}
    assert {row["is_overdue"] for row in rows("milestones/")} == {True, False}
    assert any(row["completed_on"] for row in rows("milestones/"))
    reports = rows("investment-reports/")
    assert {row["period"][5:] for row in reports} >= {"01", "02", "10"}
    assert any(row["note"] for row in reports)
    reminders = rows("reminders/")
    assert any(row["recipients"] for row in reminders)
    assert any(row["milestone"] for row in reminders)
    assert any(row["acknowledged_by"] and row["sent_at"] for row in reminders)
    assert any(row["created_by"] and row["message"] for row in reminders)
