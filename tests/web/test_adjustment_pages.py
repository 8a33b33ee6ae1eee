"""The office's 加分扣分 and 评分规则 pages (八张报表): who may open them, what a POST writes
(through the API's services, audited), Chinese errors with nothing written, query counts."""

from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.models import AuditRecord
from supervision.models import RankingSnapshot, ScoreAdjustment, ScoringRule
from supervision.scorecards.rules import EDITABLE
from tests import factories

pytestmark = pytest.mark.django_db

PAGES = ["/report-cards/adjustments/", "/report-cards/rules/", "/report-cards/rules/economy/"]


@pytest.mark.parametrize("url", PAGES)
def test_only_the_office_opens_the_pages(
    url, supervisor_client, owner_client, viewer_client, leader, client
):
    assert supervisor_client.get(url).status_code == 200
    assert owner_client.get(url).status_code == 403
    assert viewer_client.get(url).status_code == 403
    client.force_login(leader)
    assert client.get(url).status_code == 403


def test_the_report_cards_page_links_the_office_pages(supervisor_client, owner_client):
    html = supervisor_client.get("/report-cards/").content.decode()
    assert "/report-cards/adjustments/" in html
    assert "/report-cards/rules/" in html
    assert "/report-cards/adjustments/" not in owner_client.get("/report-cards/").content.decode()


def _entry(department, **overrides):
    return {
        "department": department.pk,
        "period": "2024Q2",
        "domain": "safety",
        "points": "-2.5",
        "reason": "安全生产检查发现隐患未按期整改",
        **overrides,
    }


def test_the_office_enters_a_deduction(supervisor_client, department, supervisor):
    response = supervisor_client.post("/report-cards/adjustments/", _entry(department), follow=True)
    assert response.status_code == 200
    adjustment = ScoreAdjustment.objects.get()
    assert (adjustment.department, adjustment.period, adjustment.domain) == (
        department,
        "2024Q2",
        "safety",
    )
    assert adjustment.points == Decimal("-2.5")
    assert adjustment.created_by == supervisor
    assert "已登记扣分" in response.content.decode()
    assert AuditRecord.objects.filter(action="create", object_id=str(adjustment.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"points": "0"}, "非零"),
        ({"points": "abc"}, "数字"),
        ({"reason": "  "}, "理由"),
        ({"period": "2024Q9"}, "季度"),
        ({"period": "2025Q1"}, "尚未开始"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(
    supervisor_client, department, overrides, message
):
    response = supervisor_client.post("/report-cards/adjustments/", _entry(department, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ScoreAdjustment.objects.exists()


def test_a_published_quarter_takes_no_entry(supervisor_client, department, settings):
    import datetime as dt

    from supervision.scorecards.publish import publish_quarter

    settings.SUPERVISION_TODAY = dt.date(2024, 7, 10)
    publish_quarter(period="2024Q2", actor=factories.UserFactory(role=Role.SUPERVISOR))
    assert RankingSnapshot.objects.filter(period="2024Q2").exists()
    response = supervisor_client.post("/report-cards/adjustments/", _entry(department))
    assert response.status_code == 409
    assert "已发布" in response.content.decode()
    assert not ScoreAdjustment.objects.exists()


def test_a_unit_cannot_enter_nor_counter(owner_client, supervisor_client, department):
    assert owner_client.post("/report-cards/adjustments/", _entry(department)).status_code == 403
    assert not ScoreAdjustment.objects.exists()
    supervisor_client.post("/report-cards/adjustments/", _entry(department))
    pk = ScoreAdjustment.objects.get().pk
    assert owner_client.post(f"/report-cards/adjustments/{pk}/counter/").status_code == 403
    assert ScoreAdjustment.objects.count() == 1


def test_the_office_counters_an_entry_once(supervisor_client, department):
    supervisor_client.post("/report-cards/adjustments/", _entry(department))
    original = ScoreAdjustment.objects.get()
    response = supervisor_client.post(
        f"/report-cards/adjustments/{original.pk}/counter/", {"note": "误登"}, follow=True
    )
    html = response.content.decode()
    assert f"已冲销第 {original.pk} 号登记" in html
    counter = ScoreAdjustment.objects.exclude(pk=original.pk).get()
    assert counter.points == Decimal("2.5")
    assert (counter.department, counter.period, counter.domain) == (department, "2024Q2", "safety")
    assert counter.reason.startswith(f"冲销第 {original.pk} 号登记")
    assert "误登" in counter.reason
    assert 'data-testid="countered"' in html
    again = supervisor_client.post(f"/report-cards/adjustments/{original.pk}/counter/", follow=True)
    assert "不能重复冲销" in again.content.decode()
    assert ScoreAdjustment.objects.count() == 2
    assert supervisor_client.post("/report-cards/adjustments/999999/counter/").status_code == 404


def test_the_list_filters_and_its_query_count(
    supervisor_client, department, other_department, supervisor, django_assert_num_queries
):
    from supervision.scorecards.adjustments import score_adjustment_create

    for n in range(25):
        score_adjustment_create(
            actor=supervisor,
            department=department if n % 2 else other_department,
            period="2024Q1" if n % 3 else "2024Q2",
            domain="economy",
            points=n + 1,
            reason=f"理由{n}",
        )
    with django_assert_num_queries(12) as captured:
        page = supervisor_client.get("/report-cards/adjustments/")
    assert page.status_code == 200
    assert len(captured) < 30
    filtered = supervisor_client.get(
        "/report-cards/adjustments/", {"period": "2024Q2", "department": department.pk}
    ).content.decode()
    assert (
        filtered.count('<tr data-testid="adjustment-')
        == ScoreAdjustment.objects.filter(period="2024Q2", department=department).count()
    )
    assert supervisor_client.get("/report-cards/adjustments/", {"domain": "x"}).status_code == 400


def _rule_post(**overrides):
    rule = ScoringRule.objects.get(domain="economy")
    data = {name: getattr(rule, name) for name in EDITABLE}
    return {**data, **overrides}


def test_the_office_edits_a_rule(supervisor_client, supervisor, django_assert_num_queries):
    supervisor_client.get("/report-cards/rules/")  # the defaults are there
    response = supervisor_client.post(
        "/report-cards/rules/economy/",
        _rule_post(investment_weight=40, note="加大投资权重"),
        follow=True,
    )
    rule = ScoringRule.objects.get(domain="economy")
    assert (rule.investment_weight, rule.note, rule.updated_by) == (40, "加大投资权重", supervisor)
    assert "已修改经济" in response.content.decode() or "已修改" in response.content.decode()
    assert AuditRecord.objects.filter(action="update", object_id=str(rule.pk)).exists()
    with django_assert_num_queries(5) as captured:
        assert supervisor_client.get("/report-cards/rules/").status_code == 200
    assert len(captured) < 30


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {
                "indicators_weight": 0,
                "nodes_weight": 0,
                "closure_weight": 0,
                "problems_weight": 0,
                "investment_weight": 0,
            },
            "至少一项",
        ),
        ({"card_weight": 101}, "100"),
        ({"nodes_weight": "x"}, "整数"),
    ],
)
def test_a_bad_rule_is_refused_and_nothing_changes(supervisor_client, overrides, message):
    supervisor_client.get("/report-cards/rules/")
    before = ScoringRule.objects.values().get(domain="economy")
    response = supervisor_client.post("/report-cards/rules/economy/", _rule_post(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ScoringRule.objects.values().get(domain="economy") == before


def test_a_unit_cannot_edit_a_rule(owner_client, supervisor_client):
    supervisor_client.get("/report-cards/rules/")
    before = ScoringRule.objects.values().get(domain="economy")
    assert (
        owner_client.post("/report-cards/rules/economy/", _rule_post(card_weight=5)).status_code
        == 403
    )
    assert ScoringRule.objects.values().get(domain="economy") == before
    assert supervisor_client.get("/report-cards/rules/nope/").status_code == 404
