"""Django's Redis cache, with one ``redis.Redis`` per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call;
its constructor fills some 170 response callbacks, which cost more CPU than the round trip
(an API request makes four or five calls). A ``redis.Redis`` holds no connection of its own
(its pool does, per process) and is safe to share between threads, so one per pool serves
every call.
"""

from django.core.cache.backends import redis


class _Client(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # by id of the pool (kept in ``_pools`` for good)

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
