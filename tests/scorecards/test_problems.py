"""八张问题清单: figures against a hand count, recurrence, follow-ups, the report cards'
problem component, and constant query counts.

Today is 10 July 2024. Counted problems (drafts and cancelled ones are not):

| # | unit | card       | origin     | status      | deadline | closed |
|---|------|------------|------------|-------------|----------|--------|
| 1 | PA   | safety     | hazard     | closed      | 30 Jun   | 20 Jun |
| 2 | PA   | safety     | hazard     | in_progress | 30 Jun   |        |  overdue
| 3 | PA   | safety     | audit      | assigned    | 30 Sep   |        |
| 4 | PA   | ecology    | public     | closed      | 31 May   | 1 May  |
| 7 | PB   | ecology    | inspection | submitted   | 1 Jul    |        |  overdue
| 8 | PB   | livelihood | petition   | closed      | 1 Aug    | 5 Jul  |

Total 6, rectified 3 (#1, #4, #8), open 3, overdue 2 (#2, #7): 清零率 3 / 6 = 50.00.
"""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import DepartmentKind
from supervision.models import ProblemDetail, Task
from supervision.scorecards.cards import report_cards
from tests import factories
from tests.clients import API, bearer_client
from tests.scorecards.conftest import at

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 7, 10)


def problem(dept, domain, origin, deadline, status="in_progress", closed=None, found=None):
    extra = {"closed_at": closed} if closed else {}
    task = factories.TaskFactory(
        lead_department=dept,
        domain=domain,
        deadline=deadline,
        status="closed" if closed else status,
        source="problem",
        **extra,
    )
    ProblemDetail.objects.create(
        task=task,
        origin=origin,
        found_on=found or dt.date(2024, 4, 1),
        description="问题描述",
        rectification_goal="整改到位",
    )
    return task


@pytest.fixture
def lists(settings, supervisor):
    settings.SUPERVISION_TODAY = TODAY
    pa = factories.DepartmentFactory(code="PA", kind=DepartmentKind.DISTRICT)
    pb = factories.DepartmentFactory(code="PB", kind=DepartmentKind.TOWN)
    p = {
        1: problem(pa, "safety", "hazard", dt.date(2024, 6, 30), closed=at(6, 20)),
        2: problem(pa, "safety", "hazard", dt.date(2024, 6, 30)),
        3: problem(pa, "safety", "audit", dt.date(2024, 9, 30), status="assigned"),
        4: problem(pa, "ecology", "public", dt.date(2024, 5, 31), closed=at(5, 1)),
        5: problem(pa, "safety", "audit", dt.date(2024, 6, 1), status="draft"),
        6: problem(pa, "safety", "hazard", dt.date(2024, 6, 1), status="cancelled"),
        7: problem(pb, "ecology", "inspection", dt.date(2024, 7, 1), status="submitted"),
        8: problem(pb, "livelihood", "petition", dt.date(2024, 8, 1), closed=at(7, 5)),
    }
    factories.TaskFactory(lead_department=pb, domain="ecology", deadline=dt.date(2024, 6, 1))
    return {"PA": pa, "PB": pb, **p}


def figures(row):
    keys = ("total", "rectified", "open", "overdue", "clearance_rate")
    return tuple(row[k] for k in keys)


def test_clearance_matches_the_hand_count(lists, supervisor):
    data = bearer_client(supervisor).get(f"{API}problems/stats/").json()

    assert figures(data) == (6, 3, 3, 2, "50.00")
    cards = {row["domain"]: row for row in data["by_domain"]}
    assert len(cards) == 8
    assert figures(cards["safety"]) == (3, 1, 2, 1, "33.33")
    assert figures(cards["ecology"]) == (2, 1, 1, 1, "50.00")
    assert figures(cards["livelihood"]) == (1, 1, 0, 0, "100.00")
    assert figures(cards["party"]) == (0, 0, 0, 0, None)
    # What stands between 平安 and 清零: #2 (10 days overdue), then #3.
    assert [(b["id"], b["overdue_days"]) for b in cards["safety"]["blockers"]] == [
        (lists[2].pk, 10),
        (lists[3].pk, 0),
    ]
    assert cards["livelihood"]["blockers"] == []
    origins = {row["origin"]: row for row in data["by_origin"]}
    assert figures(origins["hazard"]) == (2, 1, 1, 1, "50.00")
    assert figures(origins["audit"]) == (1, 0, 1, 0, "0.00")
    assert figures(origins["self"]) == (0, 0, 0, 0, None)
    units = {row["department_code"]: row for row in data["by_department"]}
    assert figures(units["PA"]) == (4, 2, 2, 1, "50.00")
    assert figures(units["PB"]) == (2, 1, 1, 1, "50.00")


def test_filters_narrow_the_count_and_bad_ones_are_400(lists, supervisor):
    client = bearer_client(supervisor)
    safety = client.get(f"{API}problems/stats/", {"domain": "safety"}).json()
    assert figures(safety) == (3, 1, 2, 1, "33.33")
    one = client.get(
        f"{API}problems/stats/", {"origin": "hazard", "department": lists["PA"].pk}
    ).json()
    assert figures(one) == (2, 1, 1, 1, "50.00")
    for query in ({"domain": "weather"}, {"origin": "rumour"}, {"department": "x\x00"}):
        response = client.get(f"{API}problems/stats/", query)
        assert response.status_code == 400, query
        assert set(response.json()["errors"]) == set(query)


def test_problems_count_on_their_card(lists):
    """2024Q2 (E = 30 June). PA 平安: listed #1, #2, #3; rectified by E #1 → 33.33. Closure:
    #1 on time, #2 late (#3 due in Q3) → 50.00. (25 × 50.00 + 20 × 33.33) / 45 = 42.59.
    A problem closed in 2023 is not on the 2024 list; one found after E is not yet."""
    pa = lists["PA"]
    problem(pa, "safety", "self", dt.date(2023, 12, 31), closed=at(12, 20, year=2023))
    problem(pa, "safety", "self", dt.date(2024, 12, 31), found=dt.date(2024, 7, 2))
    rows = {r["department_code"]: r for r in report_cards(period="2024Q2", today=TODAY)["rows"]}
    safety = next(c for c in rows["PA"]["cards"] if c["domain"] == "safety")
    parts = {c["component"]: c for c in safety["components"]}
    assert (parts["problems"]["judged"], parts["problems"]["met"]) == (3, 1)
    assert parts["problems"]["value"] == D("33.33")
    assert parts["closure"]["value"] == D("50.00")
    assert (safety["base"], safety["rescaled"]) == (D("42.59"), True)
    # PB: #8 was closed on 5 July, after E: 生活 0 of 1 at the end of Q2.
    livelihood = next(c for c in rows["PB"]["cards"] if c["domain"] == "livelihood")
    assert livelihood["base"] == D("0.00")


def test_a_problem_that_comes_back_is_flagged_recurring(lists, supervisor, department):
    client = bearer_client(supervisor)

    def file(recurs_of):
        return client.post(
            f"{API}tasks/",
            {
                "title": "隐患反弹",
                "source": "problem",
                "domain": "safety",
                "lead_department": department.pk,
                "deadline": "2024-09-30",
                "problem": {
                    "origin": "hazard",
                    "found_on": "2024-07-08",
                    "description": "整改后再次发现",
                    "rectification_goal": "彻底整改",
                    "recurs_of": recurs_of,
                },
            },
            format="json",
        )

    before = Task.objects.count()
    for not_closed in (lists[2].pk, lists[5].pk):
        refused = file(not_closed)
        assert refused.status_code == 400, refused.content
        assert "problem.recurs_of" in refused.json()["errors"], refused.json()
    assert Task.objects.count() == before

    created = file(lists[1].pk)
    assert created.status_code == 201, created.content
    assert created.json()["problem"]["recurring"] is True
    assert created.json()["problem"]["recurs_of"] == lists[1].pk
    stats = client.get(f"{API}problems/stats/", {"department": department.pk}).json()
    safety = next(row for row in stats["by_domain"] if row["domain"] == "safety")
    # Still a draft: not yet on the list.
    assert safety["total"] == 0


def test_a_problem_spawns_follow_up_tasks(lists, supervisor, owner, department):
    body = {"title": "建立长效机制", "lead_department": department.pk, "deadline": "2024-10-31"}
    refused = bearer_client(owner).post(
        f"{API}tasks/{lists[2].pk}/follow-ups/", body, format="json"
    )
    assert refused.status_code in (403, 404)
    client = bearer_client(supervisor)
    draft = client.post(f"{API}tasks/{lists[5].pk}/follow-ups/", body, format="json")
    assert draft.status_code == 409, draft.content
    plain = Task.objects.exclude(source="problem").first()
    not_problem = client.post(f"{API}tasks/{plain.pk}/follow-ups/", body, format="json")
    assert not_problem.status_code == 400, not_problem.content
    again = client.post(
        f"{API}tasks/{lists[2].pk}/follow-ups/", {**body, "source": "problem"}, format="json"
    )
    assert again.status_code == 400, again.content
    assert not Task.objects.filter(parent__isnull=False).exists()

    created = client.post(f"{API}tasks/{lists[2].pk}/follow-ups/", body, format="json")
    assert created.status_code == 201, created.content
    child = Task.objects.get(pk=created.json()["id"])
    assert (child.parent_id, child.domain, child.status) == (lists[2].pk, "safety", "draft")
    listed = client.get(f"{API}tasks/{lists[2].pk}/follow-ups/").json()
    assert [row["id"] for row in listed] == [child.pk]


def test_a_problem_cannot_be_submitted_without_evidence(lists, department):
    task = problem(department, "safety", "hazard", dt.date(2024, 9, 30))
    owner = factories.UserFactory(role="owner", department=department)
    response = bearer_client(owner).post(
        f"{API}tasks/{task.pk}/submit/", {"summary": "已整改"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "attachments" in response.json()["errors"]
    task.refresh_from_db()
    assert task.status == "in_progress"


def build(n: int, prefix: str) -> None:
    origins = ["hazard", "audit", "public", "inspection", "petition", "self"]
    domains = ["party", "economy", "safety", "ecology", "livelihood"]
    units = [
        factories.DepartmentFactory(code=f"{prefix}{i}", kind=DepartmentKind.TOWN)
        for i in range(n // 3 + 1)
    ]
    for i in range(n):
        problem(
            units[i % len(units)],
            domains[i % len(domains)],
            origins[i % len(origins)],
            dt.date(2024, 5 + i % 4, 1 + i % 27),
            status=["in_progress", "submitted", "assigned"][i % 3],
            closed=at(6, 1 + i % 27) if i % 4 == 0 else None,
        )


def test_stats_cost_the_same_queries_at_two_sizes(settings, supervisor, django_assert_num_queries):
    settings.SUPERVISION_TODAY = TODAY
    client = bearer_client(supervisor)
    client.get(f"{API}problems/stats/")  # warm-up: the token's stamp

    build(6, "S")
    with CaptureQueriesContext(connection) as ctx:
        small_total = client.get(f"{API}problems/stats/").json()["total"]
    small = len(ctx)
    build(60, "L")
    with django_assert_num_queries(small):
        large = client.get(f"{API}problems/stats/").json()
    assert (small_total, large["total"]) == (6, 66)
