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
  trigram): ``grams @> search_term_grams(word)``, all of its character pairs, then ``LIKE``
  — except for a word of one or two characters, which is one gram: the index is exact.

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


def exact_by_grams(term: str) -> bool:
    """Whether ``grams @> search_term_grams(term)`` alone says exactly whether ``term`` is
    in ``doc``: a word of one or two characters is a single gram (upper-cased one character
    for one, as ``doc`` is), and ``grams`` holds every character and pair of ``doc``."""
    return len(term) <= 2 and all(len(char.upper()) == 1 for char in term)


def indexed(relation: str, term: str) -> Q:
    """``term`` in the search row reached through ``relation`` (PostgreSQL; ``relation``
    empty: in the search row itself)."""
    prefix = f"{relation}__" if relation else ""
    pattern = Upper(Value(term))
    if _TRIGRAM_RUN.search(term):
        return Q(**{f"{prefix}doc__contains": pattern})
    pairs = Func(Value(term), function="search_term_grams", output_field=ArrayField(TextField()))
    grams = Q(**{f"{prefix}grams__contains": pairs})
    if exact_by_grams(term):
        # No recheck: the planner then estimates the matches from the grams' statistics (a
        # recheck's LIKE divided that estimate by ~3,000, so a word in 14 % of the tasks got
        # a plan for five rows: sorting all of them instead of walking the list's order).
        return grams
    # The recheck reads ``doc || ''``, which the trigram index cannot serve: a word without a
    # trigram would make that index scan every row, and the planner sometimes picks it.
    doc = Concat(F(f"{prefix}doc"), Value(""), output_field=TextField())
    return grams & Q(Contains(doc, pattern))


def search_rows(model, value: str | None):
    """The rows of the search table ``model`` holding every word of ``value`` (PostgreSQL):
    the same words and conditions as a FilterSet's search through it."""
    rows = model.objects.all()
    for term in terms(value):
        rows = rows.filter(indexed("", term))
    return rows


def uses_index(index: str | None) -> bool:
    """Whether a search goes through the search row ``index`` names (PostgreSQL only)."""
    return bool(index) and connection.vendor == "postgresql"


def word_filter(fields, term: str, *, index: str | None) -> Q:
    """The rows with ``term`` in at least one of ``fields`` (``icontains``), through the
    search row ``index`` names when there is one and the database is PostgreSQL."""
    if uses_index(index):
        return indexed(index, term)
    return icontains(fields, term)
