"""Reads that can leave the primary: a router for an optional read replica.

Active only when ``DATABASE_REPLICA_URL`` adds the ``replica`` alias (config/settings.py);
without it neither the router nor the middleware is installed. Reads go to the replica
only inside a *replica scope*: the middleware opens one for a GET/HEAD of a list, the
dashboard, an export or the report cards; Celery tasks and management commands have
none (they read the primary) unless they enter ``replica_reads()`` explicitly.

Inside a scope the primary is kept (the "pinning" pattern) for

- every read after the scope's first write to routed data (read-after-write);
- reads inside a transaction of the primary (``atomic``) — they must see its writes —
  and ``select_for_update``, which Django routes as a write;
- identity and housekeeping tables (sessions, tokens, users, login limits, beat): a
  revoked token or a deactivated user must stop working at once, not after the lag;
- the whole request when the replica has not yet replayed the last write a request
  committed (its WAL position, kept in the cache): a user's next page and a summary
  cached under the new data version never come from before that write.

Migrations run on the primary only.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache as memoize
from pathlib import Path

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

REPLICA = "replica"
WRITTEN_LSN_KEY = "db:primary-written-lsn"
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "django_celery_beat", "contenttypes", "auth"})
PRIMARY_ONLY_MODELS = frozenset(
    {"accounts.User", "accounts.ApiToken", "accounts.IdempotencyRecord"}
)
SAFE_METHODS = frozenset({"GET", "HEAD"})
# The table a statement writes to, seen at the cursor (``_note_write``): ORM writes and raw
# ones alike (the deadline scan's ``WITH w AS (INSERT …)`` never reaches ``db_for_write``).
_RAW_WRITE = re.compile(
    r'\s*(?:WITH\b.*?\b)?(?:INSERT\s+INTO|(?<!FOR\s)UPDATE|DELETE\s+FROM)\s+"?(\w+)',
    re.IGNORECASE | re.DOTALL,
)
# Cockpit pages (supervision.web) that are lists, summaries or exports.
WEB_READ_VIEWS = frozenset(
    {
        *("web:dashboard", "web:district", "web:district-charts", "web:rankings"),
        *("web:report-cards", "web:tasks", "web:projects", "web:proposal-ledger"),
    }
)


def databases(env, var_dir: Path, middleware: list) -> tuple[dict, list[str]]:
    """``DATABASES`` and ``DATABASE_ROUTERS`` (config/settings.py): the primary and, with
    ``DATABASE_REPLICA_URL``, the ``replica`` alias (mirrored to the primary in tests) with
    this module's router and middleware; without it one database and nothing installed."""
    var_dir.mkdir(parents=True, exist_ok=True)
    sqlite = f"sqlite:///{var_dir / 'db.sqlite3'}"
    databases = {DEFAULT_DB_ALIAS: env.db("DATABASE_URL", default=sqlite)}
    replica_url = env("DATABASE_REPLICA_URL", default="")
    if not replica_url:
        return databases, []
    databases[REPLICA] = {**env.db_url_config(replica_url), "TEST": {"MIRROR": DEFAULT_DB_ALIAS}}
    middleware.insert(1, "core.db.ReplicaReadsMiddleware")
    return databases, ["core.db.ReplicaRouter"]


class _Scope:
    __slots__ = ("replica", "wrote", "caught_up", "unrecorded")

    def __init__(self, replica: bool):
        self.replica = replica  # reads may go to the replica
        self.wrote = False  # a write to routed data happened: the primary from now on
        self.caught_up = None  # the replica has replayed the last recorded write (lazy)
        self.unrecorded = False  # a write whose WAL position is not recorded yet

    def record(self) -> None:
        self.unrecorded = False
        record_primary_write()


_scope: ContextVar[_Scope | None] = ContextVar("replica_scope", default=None)


@contextmanager
def replica_reads():
    """Let the reads in the block go to the replica (until a write pins the primary)."""
    token = _scope.set(_Scope(replica=True))
    try:
        yield
    finally:
        _scope.reset(token)


def _primary_only(model) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_ONLY_APPS or meta.label in PRIMARY_ONLY_MODELS


@memoize
def _primary_only_tables() -> frozenset[str]:
    return frozenset(m._meta.db_table for m in apps.get_models() if _primary_only(m))


def _note_write(execute, sql, params, many, context):
    """A write to routed data — through the ORM or raw SQL the router never saw — pins the
    scope to the primary, and its WAL position is recorded when it commits: before the
    commit's data-version bump (``supervision.cache``, also an ``on_commit``, registered
    after the statement), so no reader judges the replica caught up against an older
    position while the new version is live. Writes to the identity and housekeeping tables
    count for neither."""
    result = execute(sql, params, many, context)
    scope = _scope.get()
    if scope is not None:
        match = isinstance(sql, str) and _RAW_WRITE.match(sql)
        if match and match[1] not in _primary_only_tables():
            scope.wrote = True
            if not scope.unrecorded:  # once per transaction (now, in autocommit)
                scope.unrecorded = True
                transaction.on_commit(scope.record)
    return result


def _replica_caught_up() -> bool:
    """Has the replica replayed the WAL position of the last write a request committed?"""
    lsn = cache.get(WRITTEN_LSN_KEY)
    replica = connections[REPLICA]
    if lsn is None or replica.vendor != "postgresql":
        return True
    with replica.cursor() as cursor:
        # Not in recovery: the "replica" is the primary itself (a test mirror, a fallback).
        cursor.execute(
            "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
        )
        return bool(cursor.fetchone()[0])


def record_primary_write() -> None:
    """Remember the primary's WAL position after committed writes (see the module doc)."""
    primary = connections[DEFAULT_DB_ALIAS]
    if primary.vendor != "postgresql":
        return
    with primary.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        cache.set(WRITTEN_LSN_KEY, cursor.fetchone()[0], timeout=None)


@contextmanager
def tracking_writes():
    """A scope that reads the primary and records the WAL position of each commit that wrote
    (a write whose transaction was rolled back leaves a record at the scope's end)."""
    scope = _Scope(replica=False)
    token = _scope.set(scope)
    try:
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(_note_write):
            yield scope
    finally:
        _scope.reset(token)
        if scope.unrecorded:
            transaction.on_commit(scope.record)  # now, unless inside a transaction


class ReplicaRouter:
    """``db_for_*`` answer an alias always: ``None`` would follow the instance's own alias."""

    def db_for_read(self, model, **hints):
        scope = _scope.get()
        if (
            scope is None
            or not scope.replica
            or scope.wrote
            or _primary_only(model)
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        if scope.caught_up is None:
            scope.caught_up = _replica_caught_up()
        return REPLICA if scope.caught_up else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None and not _primary_only(model):
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two ways in

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


def _replica_view(request) -> bool:
    match = request.resolver_match
    if request.method not in SAFE_METHODS or match is None:
        return False
    name = match.url_name or ""
    return name.endswith("-list") or name.startswith("export-") or match.view_name in WEB_READ_VIEWS


class ReplicaReadsMiddleware:
    """A replica scope per request; the read-only views in it may read the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with tracking_writes():
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        scope = _scope.get()
        if scope is not None:
            scope.replica = _replica_view(request)
