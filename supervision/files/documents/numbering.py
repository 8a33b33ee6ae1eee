"""发文字号: 武隆督〔2024〕12号 — per type and year, 1, 2, 3 … with no gap and no repeat.

The counter row of (type, year) is locked for the rest of the generating transaction: a
second generator waits, and a generation that fails rolls its number back with it, so the
numbers that exist are exactly 1…N. The row is created once per type and year with
``ON CONFLICT DO NOTHING`` semantics (``get_or_create`` retried on a concurrent insert).
"""

from django.conf import settings
from django.db import IntegrityError, transaction

from supervision.files.choices import NUMBER_SERIES
from supervision.files.models import DocumentCounter


def format_code(doc_type: str, year: int, number: int) -> str:
    return f"{settings.DOCUMENTS_PREFIX}{NUMBER_SERIES[doc_type]}〔{year}〕{number}号"


def next_number(doc_type: str, year: int) -> int:
    """The next number of the series; call inside the transaction that stores the document."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the generating transaction")
    counter = DocumentCounter.objects.select_for_update().filter(type=doc_type, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(type=doc_type, year=year, last=0)
        except IntegrityError:
            pass  # a concurrent generator created it first
        counter = DocumentCounter.objects.select_for_update().get(type=doc_type, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last
