"""The 四率 of 建议提案办理 against a hand-worked example (API ``proposals/stats/``).

Unit A (4 人大建议, 1 政协提案) and unit B (1 建议, 1 cancelled), on 2024-06-28:

| task | status      | deadline   | closed (Shanghai) | reply | met | satisfaction |
|------|-------------|------------|-------------------|-------|-----|--------------|
| a1   | closed      | 2024-06-20 | 06-20 23:30       | A     | yes | satisfied    |
| a2   | closed      | 2024-06-20 | 06-21 00:30 (late; still 06-20 in UTC) | B | no | basically |
| a3   | in_progress | 2024-06-14 | —                 | C     | yes | dissatisfied |
| a4   | in_progress | 2024-09-30 | —                 | —     | —   | —            |
| b1   | closed      | 2024-06-28 | 06-28 10:00       | A     | yes | satisfied    |
| b2   | cancelled   | …          | excluded          |       |     |              |
| a5 (政协) | in_progress | 2024-09-30 | —          | A     | no  | —            |

人大建议 only — A: due 3 (a1 a2 a3), on time 1 → 33.3 %; answered 3, met 2 → 66.7 %;
rated 3, satisfied 2 → 66.7 %; class A 1 of 3 → 33.3 %. B: all 100.0 %.
Overall: on time 2/4 = 50.0 %, met 3/4 = 75.0 %, satisfied 3/4 = 75.0 %, A 2/4 = 50.0 %.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from supervision.models import ProposalDetail
from tests import factories
from tests.clients import API

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def proposal(lead, status, deadline, closed=None, source="npc", **detail):
    task = factories.TaskFactory(
        source=source, lead_department=lead, status=status, deadline=deadline, closed_at=closed
    )
    if detail.get("reply_class"):
        detail.setdefault("replied_on", dt.date(2024, 6, 1))
    ProposalDetail.objects.create(task=task, number=f"第{task.pk}号", proposer="代表", **detail)
    return task


@pytest.fixture
def example(db):
    a = factories.DepartmentFactory(name="甲单位")
    b = factories.DepartmentFactory(name="乙单位")
    june = dt.date(2024, 6, 20)
    proposal(
        a,
        "closed",
        june,
        dt.datetime(2024, 6, 20, 23, 30, tzinfo=SH),
        reply_class="A",
        met_on=dt.date(2024, 6, 5),
        satisfaction="satisfied",
    )
    proposal(
        a,
        "closed",
        june,
        dt.datetime(2024, 6, 21, 0, 30, tzinfo=SH),
        reply_class="B",
        satisfaction="basically_satisfied",
    )
    proposal(
        a,
        "in_progress",
        dt.date(2024, 6, 14),
        reply_class="C",
        met_on=dt.date(2024, 6, 5),
        satisfaction="dissatisfied",
    )
    proposal(a, "in_progress", dt.date(2024, 9, 30))
    proposal(
        b,
        "closed",
        dt.date(2024, 6, 28),
        dt.datetime(2024, 6, 28, 10, tzinfo=SH),
        reply_class="A",
        met_on=dt.date(2024, 6, 10),
        satisfaction="satisfied",
    )
    proposal(b, "cancelled", dt.date(2024, 6, 1), reply_class="A", satisfaction="satisfied")
    proposal(a, "in_progress", dt.date(2024, 9, 30), source="cppcc", reply_class="A")
    factories.TaskFactory(source="npc", lead_department=a)  # no details: not counted
    return a, b


def test_the_four_rates_match_the_hand_worked_example(supervisor_api, example):
    a, b = example

    data = supervisor_api.get(API + "proposals/stats/?source=npc").json()

    assert {
        k: data[k]
        for k in ("total", "on_time_rate", "meeting_rate", "satisfaction_rate", "resolution_rate")
    } == {
        "total": 5,
        "on_time_rate": "50.0",
        "meeting_rate": "75.0",
        "satisfaction_rate": "75.0",
        "resolution_rate": "50.0",
    }
    rows = {row["department"]: row for row in data["by_department"]}
    assert {k: rows[a.pk][k] for k in ("total", "due", "on_time", "replied", "met", "rated", "satisfied", "resolved")} == {
        "total": 4, "due": 3, "on_time": 1, "replied": 3, "met": 2, "rated": 3, "satisfied": 2, "resolved": 1,
    }  # fmt: skip
    assert [rows[a.pk][k] for k in ("on_time_rate", "meeting_rate", "satisfaction_rate", "resolution_rate")] == [
        "33.3", "66.7", "66.7", "33.3",
    ]  # fmt: skip
    assert [rows[b.pk][k] for k in ("on_time_rate", "meeting_rate", "satisfaction_rate", "resolution_rate")] == [
        "100.0", "100.0", "100.0", "100.0",
    ]  # fmt: skip


def test_both_sources_together_and_one_unit(supervisor_api, example):
    a, _ = example

    both = supervisor_api.get(API + "proposals/stats/").json()
    unit = supervisor_api.get(f"{API}proposals/stats/?department={a.pk}&source=cppcc").json()

    assert both["total"] == 6
    assert both["resolution_rate"] == "60.0"  # A: a1, b1, a5 of 5 answered
    assert (unit["total"], unit["satisfaction_rate"], unit["on_time_rate"]) == (1, None, None)


def test_a_bad_filter_is_400(supervisor_api, example):
    assert supervisor_api.get(API + "proposals/stats/?year=1900").status_code == 400
    assert supervisor_api.get(API + "proposals/stats/?source=instruction").status_code == 400
    assert supervisor_api.get(API + "proposals/stats/?department=999999").status_code == 400
