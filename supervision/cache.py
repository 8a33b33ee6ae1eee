"""Caching of the expensive read-only summaries (dashboard, live rankings) with invalidation.

Every cached value is keyed by a data version; any write to what the summaries read bumps
it (model signals for ORM saves and deletes, explicit calls for the deadline scan's raw
inserts and the delivery's bulk updates), so a cached summary is never served after a
change. A short timeout bounds what a write outside the application (a restore, a manual
SQL fix) could leave stale.
"""

import copy
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "supervision:data-version"
TIMEOUT = 300

# The data version as this request last read it (``start_request``); None outside a request
# (workers, commands), which read Redis every time.
_REQUEST: ContextVar[dict | None] = ContextVar("supervision_data_version", default=None)


def data_version() -> int:
    memo = _REQUEST.get()
    if memo:
        return memo["version"]
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh start (or an evicted key): a value never used before, not "1" again.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    if memo is not None:
        memo["version"] = version
    return version


def start_request(**kwargs) -> None:
    """``request_started`` receiver: the request reads the data version once instead of at
    every use (the escalation policy, the list's cached count, a cached summary: a Redis round
    trip each). A ``bump`` in the request forgets it, so nothing after a write is served under
    the version before it; another process's write during the request is seen by the next
    request, as if it had come a moment later."""
    _REQUEST.set({})


def remember_version(raw: bytes | str | None) -> None:
    """The data version as another command read it for this request (the API throttle's
    script, in its own round trip), as ``data_version`` would read it; ignored outside a
    request, once the request has read it, or when unset or not a number."""
    memo = _REQUEST.get()
    if memo is None or memo or not raw:
        return
    try:
        memo["version"] = int(raw)
    except ValueError:
        return


def end_request(**kwargs) -> None:
    """``request_finished`` receiver: back to reading Redis every time."""
    _REQUEST.set(None)


def bump(*args, **kwargs) -> None:
    """Invalidate every cached summary (signature fits a signal receiver).

    Now, for reads in the writing transaction, and again at commit: a reader that computed
    from the pre-commit data in between must not leave its result under the live version.
    """
    _bump_now()
    transaction.on_commit(_bump_now)


def _bump_now() -> None:
    memo = _REQUEST.get()
    if memo:
        memo.clear()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


# ``cached(…, local=True)``'s values in this process: key → (value, monotonic expiry).
_LOCAL: dict = {}
LOCAL_SIZE = 4096


def cached(name: str, *parts, compute: Callable[[], object], local: bool = False):
    """``compute()``, kept in Redis under the data version for ``TIMEOUT`` seconds.

    ``local``: for a small immutable value read on every request (a list's count), kept in
    this process too, so that a repeated read costs no Redis round trip — never from inside
    a transaction, which may have written what it computed from and still roll back."""
    key = ":".join(["supervision", name, str(data_version()), *map(str, parts)])
    local = local and not transaction.get_connection().in_atomic_block
    if local:
        kept = _LOCAL.get(key)
        if kept is not None and kept[1] > time.monotonic():
            return kept[0]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=TIMEOUT)
    if local:
        if len(_LOCAL) >= LOCAL_SIZE:  # the older versions' keys, which nothing asks for
            _LOCAL.clear()
        _LOCAL[key] = (value, time.monotonic() + TIMEOUT)
    return value


_IN_PROCESS: dict = {}


def in_process(name: str, compute: Callable[[], object]):
    """A copy of ``compute()``'s object, kept in this process under the data version (a
    Redis read instead of the query; ``EscalationPolicy.current``, read by every request
    that shows a light) — except inside a transaction, which may have written what it would
    keep and still roll back."""
    if transaction.get_connection().in_atomic_block:
        return compute()
    version = data_version()
    kept = _IN_PROCESS.get(name)
    if kept is None or kept[0] != version:
        kept = _IN_PROCESS[name] = (version, compute())
    return copy.copy(kept[1])


def versioned_models() -> tuple:
    """The models every write to which bumps the data version (signals below; the bulk
    writers call ``bump`` themselves)."""
    from accounts.models import Department, User
    from projects.models import InvestmentReport, Milestone, Project
    from supervision.kinds.models import ProblemDetail, ProposalDetail
    from supervision.loop.models import EscalationPolicy, Indicator, ProgressReport, Task
    from supervision.phases.models import IndicatorValue, Node
    from supervision.reminders.models import Reminder
    from supervision.scorecards.models import ScoreAdjustment, ScoringRule

    return (
        *(Department, Project, Milestone, InvestmentReport, Task, ProgressReport, Reminder),
        *(Indicator, IndicatorValue, Node, ScoringRule, ScoreAdjustment),  # the report cards
        *(ProblemDetail, ProposalDetail),  # their description and number are searched
        User,
        EscalationPolicy,  # its warning window and gaps decide every light
    )


# Tables the database derives from versioned ones only, in the writing statement (the search
# rows of supervision/0020: tasks with their problem and proposal details, projects; the
# figures of ``supervision.scorecards.summaries``).
DERIVED_TABLES = (
    "supervision_task_search",
    "projects_project_search",
    "supervision_projectfigure",
    "supervision_taskfigure",
)


def versioned_tables() -> frozenset[str]:
    """The tables of ``versioned_models`` and of their many-to-many fields, and the tables
    derived from them."""
    tables = set(DERIVED_TABLES)
    for model in versioned_models():
        tables.add(model._meta.db_table)
        tables.update(f.remote_field.through._meta.db_table for f in model._meta.many_to_many)
    return frozenset(tables)


def connect_signals() -> None:
    from django.core.signals import request_finished, request_started
    from django.db.models.signals import m2m_changed, post_delete, post_save

    request_started.connect(start_request, dispatch_uid="data-version-request-started")
    request_finished.connect(end_request, dispatch_uid="data-version-request-finished")

    from accounts.models import User

    for model in versioned_models():
        if model is not User:
            post_save.connect(bump, sender=model, dispatch_uid=f"cache-bump-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"cache-bump-del-{model.__name__}")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                bump, sender=through, dispatch_uid=f"cache-bump-m2m-{through._meta.label}"
            )
    # Who belongs to the office decides who is ranked; a login's last_login changes nothing.
    post_save.connect(_bump_unless_login, sender=User, dispatch_uid="cache-bump-save-User")


def _bump_unless_login(sender, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    bump()
