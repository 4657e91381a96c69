"""The cache on Redis, as Django's backend, with one client object kept per connection pool.

Django's client builds a ``redis.Redis`` object for every cache call, about 0.1 ms each,
and every request reads the session and most pages read kept parts from the cache. A
``redis.Redis`` is safe to share between threads (it takes a connection from its pool for
each command), and the pools are made in each process after the fork, so one is kept."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class KeptClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
