"""Target directions (``Comparison``), tolerances, baselines and ``assumed_fields``."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.services import project_create
from supervision.loop import targets
from supervision.loop.models import Indicator, Task
from supervision.loop.services import indicator_save, task_create, task_update
from tests.clients import bearer_client
from tests.factories import DepartmentFactory, TaskFactory

D = Decimal


# --- the rule -----------------------------------------------------------------------------

RULE = [
    # comparison, target, value, tolerance, met
    ("at_least", "10", "10", None, True),
    ("at_least", "10", "9.99", None, False),
    ("at_least", "10", "9.6", "0.5", True),
    ("at_most", "3", "3", None, True),  # 居民消费价格涨幅3%以内
    ("at_most", "3", "3.1", None, False),
    ("at_most", "3", "-0.5", None, True),
    ("at_most", "5.5", "5.9", "0.5", True),  # 控制在5.5%左右
    ("at_most", "5.5", "6.1", "0.5", False),
    ("at_most", "2.35", "2.36", None, False),  # 城乡居民收入比缩小到2.35:1
    ("about", "73.3", "73.0", "0.5", True),
    ("about", "73.3", "74", "0.5", False),
    ("about", "73.3", "72.7", "0.5", False),
]


@pytest.mark.parametrize(("comparison", "target", "value", "tolerance", "met"), RULE)
def test_meets_judges_the_direction_with_its_tolerance(comparison, target, value, tolerance, met):
    assert targets.meets(comparison, D(target), D(value), tolerance and D(tolerance)) is met


@pytest.mark.parametrize(
    ("comparison", "target", "value"),
    [("", "10", "10"), ("at_least", None, "10"), ("at_least", "10", None)],
)
def test_meets_cannot_judge_without_a_direction_a_target_or_a_value(comparison, target, value):
    assert targets.meets(comparison, target and D(target), value and D(value)) is None


@pytest.mark.django_db
def test_the_database_expression_agrees_with_the_python_rule():
    for n, (comparison, target, value, tolerance, _) in enumerate(RULE):
        Indicator.objects.create(
            code=f"I-{n:02d}",
            name="指标",
            domain="economy",
            target_value=D(target),
            comparison=comparison,
            tolerance=tolerance and D(tolerance),
            latest_value=D(value),
        )
    Indicator.objects.create(code="I-99", name="定性", domain="ecology", comparison="")
    judged = Indicator.objects.annotate(
        met=targets.meets_expression("latest_value", tolerance="tolerance")
    ).order_by("code")
    expected = [met for *_, met in RULE] + [None]
    assert [row.met for row in judged] == expected


# --- baselines and the growth check --------------------------------------------------------


def test_a_level_target_implies_a_growth_range_from_the_rounded_figures():
    # 9200 is given to the hundred (±50), 8477 to the unit (±0.5).
    assert targets.implied_growth(D("9200"), D("8477")) == (D("7.93"), D("9.13"))
    assert targets.implied_growth(D("22.2"), D("20.2")) == (D("9.38"), D("10.42"))


def _pair(level_target, baseline, growth, comparison="at_least"):
    level = Indicator(
        code="L", name="进出口总额", unit="万元", target_value=D(level_target), baseline=D(baseline)
    )
    rate = Indicator(
        code="G", name="进出口总额增长", unit="%", target_value=D(growth), comparison=comparison
    )
    return level, rate


def test_the_import_export_targets_contradict_each_other():
    """L35: 2023 was 8477万元; L107: 9200万元 is +8.5 %, not "增长10%以上"."""
    message = targets.growth_contradiction(*_pair("9200", "8477", "10"))
    assert message == (
        "进出口总额目标 9200万元 比 2023 年实绩 8477万元 增长 7.93%–9.13%，"
        "与“进出口总额增长不低于 10%”不符"
    )


@pytest.mark.parametrize(
    ("level_target", "baseline", "growth", "comparison"),
    [
        ("22.2", "20.2", "10", "at_least"),  # 工业投资 22.2亿元、增长10%: rounding allows it
        ("9200", "8477", "8", "at_least"),
        ("9200", "8477", "10", "at_most"),
    ],
)
def test_agreeing_targets_are_no_contradiction(level_target, baseline, growth, comparison):
    assert targets.growth_contradiction(*_pair(level_target, baseline, growth, comparison)) is None


@pytest.mark.django_db
def test_an_indicator_pair_that_contradicts_itself_needs_a_note():
    level, _ = indicator_save(
        code="IND-63",
        name="进出口总额",
        domain="economy",
        unit="万元",
        target_value=D("9200"),
        comparison="at_least",
        baseline=D("8477"),
    )
    fields = {
        "name": "进出口总额增长",
        "domain": "economy",
        "unit": "%",
        "target_value": D("10"),
        "comparison": "at_least",
        "growth_of": level,
    }
    with pytest.raises(ValidationError) as exc:
        indicator_save(code="IND-64", **fields)
    assert "8477万元 增长 7.93%–9.13%" in exc.value.message_dict["consistency_note"][0]
    assert not Indicator.objects.filter(code="IND-64").exists()

    growth, _ = indicator_save(code="IND-64", consistency_note="报告自相矛盾，待核定", **fields)
    assert growth.growth_of == level
    # Editing the level indicator is checked against its growth indicator too.
    indicator_save(code="IND-63", target_value=D("9400"))
    growth.consistency_note = ""
    growth.save()
    with pytest.raises(ValidationError):
        indicator_save(code="IND-63", baseline=D("8900"))
    indicator_save(code="IND-63", target_value=D("9400"), baseline=D("8477"))  # +10.9 %: agrees


@pytest.mark.django_db
def test_the_api_refuses_a_contradiction_with_a_field_error(supervisor):
    level = Indicator.objects.create(
        code="L",
        name="进出口总额",
        domain="economy",
        unit="万元",
        target_value=D("9200"),
        baseline=D("8477"),
    )
    growth = Indicator.objects.create(
        code="G", name="进出口总额增长", domain="economy", unit="%", target_value=D("8")
    )
    client = bearer_client(supervisor)
    response = client.patch(
        f"/api/v1/indicators/{growth.pk}/", {"target_value": "10", "growth_of": level.pk}
    )
    assert response.status_code == 400, response.json()
    assert "consistency_note" in str(response.json())
    growth.refresh_from_db()
    assert (growth.target_value, growth.growth_of) == (D("8"), None)

    response = client.patch(
        f"/api/v1/indicators/{growth.pk}/",
        {"target_value": "10", "growth_of": level.pk, "consistency_note": "待核定"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["growth_of"], body["consistency_note"], body["tolerance"]) == (
        level.pk,
        "待核定",
        None,
    )
    assert client.get(f"/api/v1/indicators/{level.pk}/").json()["baseline"] == "8477.0000"


# --- what the database refuses --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"target_value": D("5"), "target_comparison": ""},
        {"target_value": D("5"), "target_comparison": "about"},
        {"target_value": D("5"), "target_comparison": "at_most", "target_tolerance": D("-1")},
        {"target_value": D("5"), "target_comparison": "roughly"},
    ],
    ids=["number-without-direction", "about-without-tolerance", "negative-tolerance", "unknown"],
)
def test_the_database_refuses_a_task_target_it_cannot_judge(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskFactory(**fields)


@pytest.mark.django_db
def test_a_task_without_a_number_needs_no_direction_and_an_api_number_defaults_to_a_floor():
    assert TaskFactory(target_comparison="").target_comparison == ""
    # API clients written before the field existed meant a floor.
    assert TaskFactory(target_value=D("5")).target_comparison == "at_least"


@pytest.mark.django_db
def test_the_indicator_constraints_refuse_a_number_without_a_direction():
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            code="X", name="x", domain="economy", target_value=D(1), comparison=""
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(code="Y", name="y", domain="economy", comparison="about")


@pytest.mark.django_db
def test_services_refuse_unknown_or_repeated_assumed_fields(supervisor, department):
    task = task_create(
        actor=supervisor,
        code="T-1",
        title="事项",
        source="work_report",
        domain="economy",
        lead_department=department,
        deadline=dt.date(2024, 12, 31),
        assumed_fields=["deadline"],
    )
    for bad in (["weather"], ["deadline", "deadline"], "deadline"):
        with pytest.raises(ValidationError) as exc:
            task_update(task=task, actor=supervisor, assumed_fields=bad)
        assert "assumed_fields" in exc.value.message_dict
    task.refresh_from_db()
    assert task.assumed_fields == ["deadline"]
    with pytest.raises(ValidationError) as exc:
        project_create(
            actor=supervisor,
            code="P-1",
            name="项目",
            category="municipal",
            level="district",
            year=2024,
            stage="preliminary",
            lead_department=DepartmentFactory(),
            assumed_fields=["location"],
        )
    assert "层级与类别" in str(exc.value)


@pytest.mark.django_db
def test_the_task_api_reads_and_writes_direction_tolerance_and_assumed_fields(supervisor):
    task = TaskFactory(status="assigned")
    client = bearer_client(supervisor)
    response = client.patch(
        f"/api/v1/tasks/{task.pk}/",
        {
            "target_value": "5.5",
            "target_comparison": "at_most",
            "target_tolerance": "0.5",
            "assumed_fields": ["target_tolerance"],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["target_comparison"], body["target_tolerance"], body["assumed_fields"]) == (
        "at_most",
        "0.5000",
        ["target_tolerance"],
    )
    response = client.patch(f"/api/v1/tasks/{task.pk}/", {"target_comparison": "about"})
    assert response.status_code == 200  # the tolerance is there
    response = client.patch(f"/api/v1/tasks/{task.pk}/", {"target_tolerance": None}, format="json")
    assert response.status_code == 400, response.json()
    assert Task.objects.get(pk=task.pk).target_tolerance == D("0.5")
