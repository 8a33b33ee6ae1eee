"""Page-number pagination; the exact ``count`` is cached under the data version.

Counting every row that matches is the one part of a list that grows with the table. The
count of a list whose statement reads only tables every write to which bumps the data
version (``supervision.cache.versioned_tables``) is kept under that version, keyed by the
statement that selects its rows — filters, the date, the caller's scope and all, so two
lists share a count only when they select the same rows, and each process keeps the counts
it read (``cached(local=True)``: no Redis round trip for a repeated list). Any other list
counts afresh.
The global search keeps its counts per source the same way (``cached_count``).
"""

import hashlib
import re
from collections.abc import Callable

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework import pagination

_TABLES = re.compile(r'(?:FROM|JOIN) "?(\w+)"?', re.IGNORECASE)


def cached_count(rows: QuerySet, compute: Callable):
    """``compute()``, kept under the data version keyed by the statement of ``rows`` when it
    reads only versioned tables (else computed afresh): a count of ``rows``."""
    from supervision import cache

    sql, params = rows.query.sql_with_params()
    if not set(_TABLES.findall(sql)) <= _versioned_tables():
        return compute()
    key = hashlib.sha256(f"{rows.db}\0{sql}\0{params!r}".encode()).hexdigest()
    return cache.cached("count", key, compute=compute, local=True)


class CountCachedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        return cached_count(rows.order_by().values("pk"), rows.count)


_versioned = None


def _versioned_tables() -> frozenset[str]:
    global _versioned
    if _versioned is None:
        from supervision.cache import versioned_tables

        _versioned = versioned_tables()
    return _versioned


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CountCachedPaginator
