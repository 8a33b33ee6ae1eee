"""Every cell our workbooks write goes through here (exports, template).

Text from the database is the users' text: it may hold characters XML cannot carry (they
would make openpyxl fail) and may start like a formula (``=HYPERLINK(…)``, ``+``, ``-``,
``@``, tab, CR: OWASP's CSV-injection list). Such characters are dropped and every text is
written as a text cell, never a formula; one that starts like a formula also carries Excel's
quote prefix, so editing the cell keeps it text.
"""

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def as_text(cell: Cell) -> Cell:
    """Make a cell holding a string a text cell (never a formula or an error value)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def cell(ws, value) -> Cell:
    """A cell for ``ws`` (write-only or not) holding ``value`` safely."""
    if isinstance(value, str):
        value = clean_text(value)
    return as_text(WriteOnlyCell(ws, value))


def row(ws, values) -> list:
    """``values`` for ``ws.append``: text as safe cells, other values as they are."""
    return [
        cell(ws, value)
        if isinstance(value, str)
        else as_text(value)
        if isinstance(value, Cell)
        else value
        for value in values
    ]
