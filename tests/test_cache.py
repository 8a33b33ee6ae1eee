"""The Redis cache shares one client per pool, and ``EscalationPolicy.current`` is kept per
process under the data version, never served after a change or from a rolled-back write."""

import pytest
from django.core.cache import cache
from django.db import transaction

from supervision.loop.models import EscalationPolicy


def test_one_redis_client_serves_every_call(settings):
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.fail("the tests run against the real Redis (REDIS_URL)")
    backend = cache._cache
    assert backend.get_client("a") is backend.get_client("b", write=True)
    cache.set("reused-client", {"值": 1})
    assert cache.get("reused-client") == {"值": 1}
    cache.set("counter", 1)
    assert cache.incr("counter") == 2


@pytest.mark.django_db(transaction=True)
def test_the_current_policy_is_kept_until_a_write(django_assert_num_queries):
    EscalationPolicy.objects.all().delete()
    first = EscalationPolicy.objects.create(name="一", warning_days=3)
    assert EscalationPolicy.current().pk == first.pk  # read and kept
    with django_assert_num_queries(0):
        kept = EscalationPolicy.current()
    assert (kept.pk, kept.warning_days) == (first.pk, 3)
    kept.warning_days = 99  # a caller's change stays with the caller
    assert EscalationPolicy.current().warning_days == 3

    first.warning_days = 5
    first.save()  # bumps the data version
    assert EscalationPolicy.current().warning_days == 5


@pytest.mark.django_db(transaction=True)
def test_a_policy_written_in_a_rolled_back_transaction_is_never_kept():
    EscalationPolicy.objects.all().delete()
    EscalationPolicy.objects.create(name="一", warning_days=3)
    seen = []

    def write_then_fail():
        with transaction.atomic():
            EscalationPolicy.objects.filter(is_active=True).update(is_active=False)
            EscalationPolicy.objects.create(name="二", warning_days=9)
            seen.append(EscalationPolicy.current().warning_days)  # seen inside, not kept
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert seen == [9]
    assert EscalationPolicy.current().warning_days == 3
