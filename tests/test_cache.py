"""The Redis cache shares one client per pool, and ``EscalationPolicy.current`` is kept per
process under the data version, never served after a change or from a rolled-back write."""

import pytest
from django.core.cache import cache
from django.db import transaction

from supervision.loop.models import EscalationPolicy
from tests import factories


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


def _in_a_request(view):
    """``view()``'s result, run between the receivers of ``request_started`` and
    ``request_finished``."""
    from supervision.cache import end_request, start_request

    start_request()
    try:
        return view()
    finally:
        end_request()


def _counting_gets(monkeypatch) -> list:
    from supervision import cache as supervision_cache

    gets = []

    class Counting:
        def __getattr__(self, name):
            return getattr(cache, name)

        def get(self, key, *args, **kwargs):
            gets.append(key)
            return cache.get(key, *args, **kwargs)

    monkeypatch.setattr(supervision_cache, "cache", Counting())
    return gets


def test_a_request_reads_the_data_version_once(monkeypatch):
    from supervision.cache import VERSION_KEY, data_version

    data_version()
    gets = _counting_gets(monkeypatch)
    assert _in_a_request(lambda: [data_version() for _ in range(3)]) == [data_version()] * 3
    assert gets.count(VERSION_KEY) == 2  # once in the request, once after it
    outside = data_version()
    cache.incr(VERSION_KEY)  # another process's write: seen at once outside a request
    assert data_version() == outside + 1


@pytest.mark.django_db(transaction=True)
def test_a_write_in_the_request_is_never_served_the_version_before_it(monkeypatch):
    from supervision.cache import VERSION_KEY, cached, data_version

    EscalationPolicy.objects.all().delete()
    policy = EscalationPolicy.objects.create(name="一", warning_days=3)
    gets = _counting_gets(monkeypatch)

    def view():
        before = data_version()
        assert EscalationPolicy.current().warning_days == 3
        assert cached("fixed-helper-test", compute=lambda: "old") == "old"
        policy.warning_days = 5
        policy.save()  # bumps the data version
        after = data_version()
        with transaction.atomic():
            EscalationPolicy.objects.filter(pk=policy.pk).update(warning_days=7)
            from supervision.cache import bump

            bump()  # a bulk writer's own call; again at commit
        return before, after, data_version(), cached("fixed-helper-test", compute=lambda: "new")

    before, after, committed, value = _in_a_request(view)
    assert before < after < committed
    assert committed == data_version()
    assert value == "new"
    assert EscalationPolicy.current().warning_days == 7
    assert gets.count(VERSION_KEY) >= 4  # read again after each write


@pytest.mark.django_db(transaction=True)
def test_a_local_value_is_kept_in_the_process_until_a_write(monkeypatch):
    """``cached(local=True)`` (a list's count): read again without Redis while the data
    version stands; computed afresh after a write; never kept from inside a transaction."""
    from supervision import cache as supervision_cache
    from supervision.cache import bump, cached

    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert cached("local-test", compute=compute, local=True) == 1
    gets = _counting_gets(monkeypatch)
    assert cached("local-test", compute=compute, local=True) == 1
    assert [key for key in gets if "local-test" in key] == []  # no Redis read
    assert cached("local-test", compute=compute) == 1  # Redis holds the same value

    EscalationPolicy.objects.create(name="一", warning_days=3)  # a write bumps the version
    assert cached("local-test", compute=compute, local=True) == 2

    bump()
    with transaction.atomic():
        assert cached("local-test", compute=compute, local=True) == 3
    keys = [key for key in supervision_cache._LOCAL if "local-test" in key]
    assert all(supervision_cache._LOCAL[key][0] != 3 for key in keys)  # not kept locally


def test_an_api_request_reads_the_data_version_with_its_throttle(db, supervisor, monkeypatch):
    """The throttle's script returns the data version with the budget: the request spends no
    round trip of its own on it, and works with the version Redis holds."""
    from supervision.cache import VERSION_KEY, data_version
    from tests.clients import API, bearer_client

    client = bearer_client(supervisor, scope="read")
    factories.TaskFactory()
    version = data_version()
    gets = _counting_gets(monkeypatch)
    response = client.get(f"{API}tasks/?page_size=5")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert VERSION_KEY not in gets
    assert data_version() == version
