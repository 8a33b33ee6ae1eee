"""The text search of a FilterSet (``q``/``search``): every word must occur, case-insensitively,
in at least one of the search fields — ``UPPER(field) LIKE UPPER('%word%')``, Django's
``icontains``. This module only makes that fast on PostgreSQL, never different.

On PostgreSQL a FilterSet with ``search_index = "search_doc"`` joins its model's search row
(``supervision.search_index``, kept by the triggers of supervision/0020: ``doc``, the search
fields upper-cased and joined by newlines, and ``grams``, its characters and character
pairs). A word is in one of the fields exactly when ``doc LIKE '%WORD%'`` (a word holds no
whitespace, so it never spans two fields); a GIN index finds the candidates:

- a word with three letters or digits in a row: pg_trgm on ``doc``;
- any other word (most searches: two Chinese characters such as 招商, which have no
  trigram): ``grams @> search_term_grams(word)``, all of its character pairs, then ``LIKE``.

The join is an ordinary inner join on the primary key, so the planner may start from the
index (a rare word) or from the list's own order, probing the search row (a common word).
The search fields of such a FilterSet are those the migration joins into ``doc``
(``tests/api/test_textsearch.py`` checks that both searches agree). Elsewhere (SQLite for
``make run``), the plain ``icontains`` filter scans.
"""

import operator
import re
from functools import reduce

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Concat, Upper
from django.db.models.lookups import Contains

MAX_LENGTH = 100
TERMS = re.compile(r"[\s,，]+")
_TRIGRAM_RUN = re.compile(r"[0-9A-Za-z]{3}")


def terms(value: str | None) -> list[str]:
    """The words of a search (split at spaces and commas)."""
    return [term for term in TERMS.split(value or "") if term]


def icontains(fields, term: str) -> Q:
    """The plain filter: ``term`` in at least one of ``fields``, case-insensitively."""
    return reduce(operator.or_, (Q(**{f"{field}__icontains": term}) for field in fields))


def indexed(relation: str, term: str) -> Q:
    """``term`` in the search row reached through ``relation`` (PostgreSQL)."""
    pattern = Upper(Value(term))
    if _TRIGRAM_RUN.search(term):
        return Q(**{f"{relation}__doc__contains": pattern})
    pairs = Func(Value(term), function="search_term_grams", output_field=ArrayField(TextField()))
    # The recheck reads ``doc || ''``, which the trigram index cannot serve: a word without a
    # trigram would make that index scan every row, and the planner sometimes picks it.
    doc = Concat(F(f"{relation}__doc"), Value(""), output_field=TextField())
    return Q(**{f"{relation}__grams__contains": pairs}) & Q(Contains(doc, pattern))


def word_filter(fields, term: str, *, index: str | None) -> Q:
    """The rows with ``term`` in at least one of ``fields`` (``icontains``), through the
    search row ``index`` names when there is one and the database is PostgreSQL."""
    if index and connection.vendor == "postgresql":
        return indexed(index, term)
    return icontains(fields, term)
