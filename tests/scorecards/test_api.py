"""report-cards/, report-cards/publish/, scoring-rules/, score-adjustments/ over HTTP."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import AuditRecord
from supervision.models import Task
from supervision.scorecards.models import RankingSnapshot, ScoreAdjustment, ScoringRule
from tests import factories
from tests.clients import API, bearer_client
from tests.scorecards.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def sup(supervisor):
    return bearer_client(supervisor)


@pytest.fixture
def own(owner):
    return bearer_client(owner)


def adjust(client, department, **changes):
    """POST score-adjustments/ for ``department`` (2024Q2, 党建, +1 unless ``changes``)."""
    body = {
        "department": department.pk,
        "period": "2024Q2",
        "domain": "party",
        "points": "1",
        "reason": "理由",
        **changes,
    }
    return client.post(f"{API}score-adjustments/", body, format="json")


def test_report_cards_answer_per_unit_with_cards_total_and_place(after_q2, quarter, own):
    response = own.get(f"{API}report-cards/", {"period": "2024Q2", "track": "department"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["period"], body["published"], body["as_of"]) == ("2024Q2", False, "2024-06-30")
    rows = {row["department_code"]: row for row in body["rows"]}
    assert list(rows) == ["DC", "DA", "DB", "DD", "DE"]
    da = rows["DA"]
    assert (da["total"], da["place"], da["flag"], da["track"]) == ("67.75", 2, "", "department")
    assert [card["domain"] for card in da["cards"]] == [
        "party",
        "economy",
        "safety",
        "reform",
        "innovation",
        "ecology",
        "culture",
        "livelihood",
    ]
    economy = da["cards"][1]
    assert (economy["base"], economy["rescaled"]) == ("58.11", True)
    assert [c["component"] for c in economy["components"]] == [
        "indicators",
        "nodes",
        "closure",
        "problems",
        "investment",
    ]
    # The ranking agrees: its score is the report-card total, its rank the place.
    ranking = own.get(f"{API}rankings/", {"period": "2024Q2"}).json()
    by_code = {row["department_code"]: row for row in ranking["rows"]}
    assert (by_code["DA"]["score"], by_code["DA"]["rank"]) == ("67.75", 2)
    assert (by_code["TA"]["score"], by_code["TA"]["rank"], by_code["TA"]["track"]) == (
        "50.00",
        1,
        "town",
    )
    assert "DCB" not in by_code  # the office is not ranked


@pytest.mark.parametrize(
    "query", [{}, {"period": "2024Q5"}, {"period": "2024Q2", "track": "county"}]
)
def test_report_cards_refuse_a_bad_query(own, query):
    response = own.get(f"{API}report-cards/", query)
    assert response.status_code == 400
    assert set(response.json()["errors"]) <= {"period", "track"}


def test_published_quarter_never_changes_afterwards(after_q2, quarter, sup, own, supervisor):
    published = sup.post(f"{API}report-cards/publish/", {"period": "2024Q2"}, format="json")
    assert published.status_code == 201, published.content
    frozen = published.json()
    assert frozen["published"] is True
    assert own.get(f"{API}report-cards/", {"period": "2024Q2"}).json() == frozen
    ranking_frozen = own.get(f"{API}rankings/", {"period": "2024Q2"}).json()
    assert ranking_frozen["published"] is True

    # New writes after publication: DA's open party task closes, a rule changes, an
    # adjustment is tried (refused), a new task falls due in the quarter.
    Task.objects.filter(lead_department=quarter["DA"], domain="party", status="in_progress").update(
        status="closed", closed_at=at(6, 1)
    )
    rule = sup.patch(f"{API}scoring-rules/party/", {"closure_weight": 80}, format="json")
    assert rule.status_code == 200, rule.content
    refused = adjust(sup, quarter["DA"], points="5", reason="补记")
    assert refused.status_code == 409
    assert not ScoreAdjustment.objects.filter(reason="补记").exists()
    factories.TaskFactory(
        lead_department=quarter["DD"],
        deadline=dt.date(2024, 6, 3),
        status="closed",
        closed_at=at(6, 2),
    )

    assert own.get(f"{API}report-cards/", {"period": "2024Q2"}).json() == frozen
    assert own.get(f"{API}rankings/", {"period": "2024Q2"}).json() == ranking_frozen
    # …while the quarter computed afresh would now differ.
    from supervision.scorecards.cards import compute_report_cards
    from supervision.scorecards.periods import parse_period

    live = compute_report_cards(
        quarter=parse_period("2024Q2"), evaluation=dt.date(2024, 6, 30), finished=True
    )
    da = next(row for row in live["rows"] if row["department_code"] == "DA")
    assert da["cards"][0]["base"] == Decimal("100.00")
    assert AuditRecord.objects.filter(
        model="supervision.RankingSnapshot", action="publish"
    ).exists()


def test_publish_twice_is_409_and_only_the_office_publishes(
    after_q2, quarter, sup, own, supervisor
):
    assert (
        own.post(f"{API}report-cards/publish/", {"period": "2024Q2"}, format="json").status_code
        == 403
    )
    read = bearer_client(supervisor, scope="read")
    assert (
        read.post(f"{API}report-cards/publish/", {"period": "2024Q2"}, format="json").status_code
        == 403
    )
    assert not RankingSnapshot.objects.exists()
    assert (
        sup.post(f"{API}report-cards/publish/", {"period": "2024Q2"}, format="json").status_code
        == 201
    )
    again = sup.post(f"{API}report-cards/publish/", {"period": "2024Q2"}, format="json")
    assert again.status_code == 409
    # The running quarter cannot be published.
    early = sup.post(f"{API}report-cards/publish/", {"period": "2024Q3"}, format="json")
    assert early.status_code == 400
    assert "尚未结束" in early.json()["errors"]["period"][0]


def test_scoring_rules_list_the_eight_cards_and_the_office_edits_them(sup, own, supervisor):
    rules = own.get(f"{API}scoring-rules/").json()
    assert [rule["domain"] for rule in rules] == [
        "party",
        "economy",
        "safety",
        "reform",
        "innovation",
        "ecology",
        "culture",
        "livelihood",
    ]
    economy = next(rule for rule in rules if rule["domain"] == "economy")
    assert (economy["indicators_weight"], economy["investment_weight"]) == (30, 20)

    assert (
        own.patch(f"{API}scoring-rules/party/", {"nodes_weight": 40}, format="json").status_code
        == 403
    )
    detail = sup.get(f"{API}scoring-rules/party/")
    changed = sup.patch(
        f"{API}scoring-rules/party/",
        {"nodes_weight": 40, "note": "节点权重提高"},
        format="json",
        HTTP_IF_MATCH=detail["ETag"],
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["nodes_weight"] == 40
    assert changed.json()["updated_by"] == supervisor.pk
    audit = AuditRecord.objects.get(model="supervision.ScoringRule", action="update")
    assert (audit.before["nodes_weight"], audit.after["nodes_weight"]) == (25, 40)
    stale = sup.patch(
        f"{API}scoring-rules/party/",
        {"nodes_weight": 10},
        format="json",
        HTTP_IF_MATCH=detail["ETag"],
    )
    assert stale.status_code == 412


@pytest.mark.parametrize(
    "body",
    [
        {"nodes_weight": 101},
        {"nodes_weight": -1},
        {
            "indicators_weight": 0,
            "nodes_weight": 0,
            "closure_weight": 0,
            "problems_weight": 0,
            "investment_weight": 0,
        },
        {"domain": "economy"},
    ],
)
def test_bad_rules_are_refused_and_change_nothing(sup, body):
    before = list(ScoringRule.objects.order_by("pk").values())
    response = sup.patch(f"{API}scoring-rules/party/", body, format="json")
    if "domain" in body:  # read-only: ignored
        assert response.json()["domain"] == "party"
    else:
        assert response.status_code == 400, response.content
        assert list(ScoringRule.objects.order_by("pk").values()) == before


def test_adjustments_are_logged_and_change_the_total(after_q2, quarter, sup, own, supervisor):
    response = adjust(sup, quarter["DD"], points="3.5", reason="  主动整改到位  ")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["points"], body["reason"], body["created_by"]) == (
        "3.50",
        "主动整改到位",
        supervisor.pk,
    )
    audit = AuditRecord.objects.get(model="supervision.ScoreAdjustment", object_id=str(body["id"]))
    assert audit.actor == supervisor
    dd = next(
        row
        for row in own.get(f"{API}report-cards/", {"period": "2024Q2"}).json()["rows"]
        if row["department_code"] == "DD"
    )
    assert (dd["total"], dd["adjustment"]) == ("3.50", "3.50")
    listed = own.get(
        f"{API}score-adjustments/", {"period": "2024Q2", "department": quarter["DD"].pk}
    )
    assert [row["id"] for row in listed.json()["results"]] == [body["id"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"points": "0"}, "points"),
        ({"points": "100.01"}, "points"),
        ({"points": "abc"}, "points"),
        ({"reason": "   "}, "reason"),
        ({"period": "2024Q9"}, "period"),
        ({"period": "2025Q1"}, "period"),  # not begun
        ({"domain": "sports"}, "domain"),
        ({"department": "office"}, "department"),
    ],
)
def test_bad_adjustments_are_400_and_write_nothing(after_q2, quarter, sup, office, change, field):
    change = dict(change)
    unit = office if change.pop("department", None) == "office" else quarter["DA"]
    response = adjust(sup, unit, **change)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert ScoreAdjustment.objects.count() == 3  # the fixture's three


def test_only_the_office_enters_adjustments(after_q2, quarter, own):
    response = adjust(own, quarter["DA"], points="9", reason="自己加分")
    assert response.status_code == 403
    assert not ScoreAdjustment.objects.filter(points=9).exists()


def test_the_fast_answer_equals_the_serializer(after_q2, quarter, supervisor):
    """``report-cards/`` is built without the nested serializers: the same JSON, published
    or live."""
    from supervision.api.scorecards import ReportCardsSerializer, report_cards_json
    from supervision.scorecards.cards import report_cards
    from supervision.scorecards.publish import publish_quarter

    live = report_cards(period="2024Q2", today=after_q2)
    assert report_cards_json(live) == ReportCardsSerializer(live).data
    publish_quarter(period="2024Q2", actor=supervisor)
    frozen = report_cards(period="2024Q2")
    assert report_cards_json(frozen) == ReportCardsSerializer(frozen).data
