"""Task codes generated per source and year (``PS2024-0007``), gap-free under concurrency.

The counter row for (prefix, year) is locked for the rest of the creating transaction, so
two creates at once draw consecutive numbers, and a create that rolls back gives its number
back. A number someone already typed by hand is skipped (codes stay unique).
"""

from django.db import transaction

from supervision.choices import TaskSource
from supervision.kinds.models import CodeSequence

PREFIXES = {
    TaskSource.WORK_REPORT: "GZ",
    TaskSource.DECISION: "HY",
    TaskSource.INSTRUCTION: "PS",
    TaskSource.NPC: "JY",
    TaskSource.CPPCC: "TA",
    TaskSource.PETITION: "SQ",
    TaskSource.LIVELIHOOD: "MS",
    TaskSource.PROBLEM: "WT",
    TaskSource.OTHER: "QT",
}


def format_code(prefix: str, year: int, number: int) -> str:
    return f"{prefix}{year}-{number:04d}"


def next_code(source: str, year: int) -> str:
    """Draw the next free code for ``source`` in ``year`` (call inside the create's transaction)."""
    from supervision.loop.models import Task

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_code() must run inside the transaction that uses the code")
    prefix = PREFIXES[source]
    # Insert the counter if missing (a concurrent twin's insert is ignored), then lock it.
    CodeSequence.objects.bulk_create(
        [CodeSequence(prefix=prefix, year=year)], ignore_conflicts=True
    )
    sequence = CodeSequence.objects.select_for_update().get(prefix=prefix, year=year)
    number = sequence.last
    while True:
        number += 1
        code = format_code(prefix, year, number)
        if not Task.objects.filter(code=code).exists():
            break
    sequence.last = number
    sequence.save(update_fields=["last"])
    return code
