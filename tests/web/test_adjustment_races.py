"""Two 冲销 of one entry at once (a double click): one counter entry, never two."""

from decimal import Decimal

import pytest
from django.db import transaction

from core import clock
from supervision.models import ScoreAdjustment, ScoringRule
from supervision.scorecards.rules import ensure_default_rules
from tests.clients import session_client
from tests.races import require_postgres, run_racers


@pytest.mark.django_db(transaction=True)
def test_two_counters_of_one_entry_at_once_write_one(supervisor, department):
    require_postgres()
    ensure_default_rules()
    original = ScoreAdjustment.objects.create(
        department=department,
        period="2024Q2",
        domain="safety",
        points=Decimal("-2.5"),
        reason="隐患未整改",
        created_by=supervisor,
        created_at=clock.now(),
    )
    url = f"/report-cards/adjustments/{original.pk}/counter/"
    clients = [session_client(supervisor), session_client(supervisor)]

    def counter(client):
        return lambda: client.post(url, {"note": "误登"}).status_code

    # Hold what entering an adjustment waits for, so both clicks are in flight at once.
    with transaction.atomic():
        list(ScoringRule.objects.select_for_update().values_list("pk"))
        join = run_racers(counter(clients[0]), counter(clients[1]))
    assert join() == [302, 302]

    assert ScoreAdjustment.objects.exclude(pk=original.pk).count() == 1
    total = sum(ScoreAdjustment.objects.values_list("points", flat=True))
    assert total == 0
