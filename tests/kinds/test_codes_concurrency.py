"""Generated codes under concurrent creates: parallel POSTs through the API, each request on
its own PostgreSQL connection, must draw consecutive, unique numbers with no gap — and a
create that fails gives its number back."""

import os
import threading

import pytest
from django.db import connection

from supervision.models import CodeSequence, Task
from tests.clients import API, bearer_client
from tests.conftest import is_postgres

pytestmark = pytest.mark.django_db(transaction=True)
PARALLEL = 8


@pytest.fixture(autouse=True)
def _require_postgres():
    if is_postgres():
        return
    if os.environ.get("CI"):
        pytest.fail("the concurrency tests must run on PostgreSQL in CI (set DATABASE_URL)")
    pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


def test_parallel_creates_draw_consecutive_unique_codes(supervisor, department):
    clients = [bearer_client(supervisor) for _ in range(PARALLEL + 1)]
    barrier = threading.Barrier(PARALLEL + 1)
    results = [None] * (PARALLEL + 1)

    def create(index):
        try:
            connection.ensure_connection()
            body = {
                "title": f"并发建议{index}",
                "source": "npc",
                "domain": "livelihood",
                "lead_department": department.pk,
                "proposal": {"number": f"第{index}号", "proposer": "代表"},
            }
            if index == PARALLEL:
                # Refused by the service after its code was drawn: the number must come back.
                body["proposal"]["assist_departments"] = [department.pk]
            barrier.wait(timeout=10)
            response = clients[index].post(API + "tasks/", body, format="json")
            results[index] = (response.status_code, response.json().get("code"))
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(PARALLEL + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _ in results) == [201] * PARALLEL + [400]
    codes = sorted(code for status, code in results if status == 201)
    assert codes == [f"JY2024-{n:04d}" for n in range(1, PARALLEL + 1)]
    assert Task.objects.count() == PARALLEL
    assert CodeSequence.objects.get(prefix="JY", year=2024).last == PARALLEL
