"""CSV and TSV: one part per non-empty cell, located `B7`, with its column header as context."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator

from openpyxl.utils import get_column_letter

from dlp.extract.context import ExtractContext
from dlp.extract.formats.text import decode_within_budget
from dlp.extract.model import TextPart
from dlp.extract.sniff import extension

MAX_CONTEXT_CHARS = 200
TIME_CHECK_ROWS = 256
SNIFF_CHARS = 64 * 1024
SNIFF_LINES = 50
DELIMITERS = (",", ";", "\t", "|")
MAX_LETTERED_COLUMN = 18278  # openpyxl names columns up to ZZZ


class CellLimitReached(Exception):
    pass


def iter_csv(data: bytes, ctx: ExtractContext, filename: str | None = None) -> Iterator[TextPart]:
    text = decode_within_budget(data, ctx)
    dialect = _dialect(text, filename)
    if not _parses(text, dialect, ctx):
        # Not CSV after all (a stray quote, a huge field): still text, so read it as text.
        if text and not text.isspace():
            yield TextPart(text, ctx.locate(""))
        return
    try:
        yield from _cells(text, dialect, ctx)
    except CellLimitReached:
        ctx.budget.note(f"stopped after {ctx.config.max_cells:,} cells (max_cells)", truncated=True)


def _dialect(text: str, filename: str | None) -> type[csv.Dialect] | csv.Dialect:
    if extension(filename) in ("tsv", "tab"):
        return csv.excel_tab
    delimiter = guess_delimiter(text)
    return csv.excel if delimiter == "," else _with_delimiter(delimiter)


def guess_delimiter(text: str) -> str:
    """The candidate found the same number of times on most of the first lines.

    csv.Sniffer is not used: its regular expressions take quadratic time,
    and a crafted 64 kB sample holds it for most of a minute.
    """
    lines = [line for line in text[:SNIFF_CHARS].splitlines()[:SNIFF_LINES] if line.strip()]
    best, best_score = ",", 0.0
    for candidate in DELIMITERS:
        counts = Counter(line.count(candidate) for line in lines)
        count, lines_with_count = max(counts.items(), key=lambda item: (item[1], item[0]), default=(0, 0))
        if count == 0:
            continue
        score = lines_with_count / len(lines) + count / 1000  # consistency first, then more columns
        if score > best_score:
            best, best_score = candidate, score
    return best


def _with_delimiter(delimiter: str) -> type[csv.Dialect]:
    return type("GuessedDialect", (csv.excel,), {"delimiter": delimiter})


def _parses(text: str, dialect: type[csv.Dialect] | csv.Dialect, ctx: ExtractContext) -> bool:
    """A first pass that only counts, so a parse error cannot leave half the cells emitted."""
    try:
        for number, _ in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if number % (TIME_CHECK_ROWS * 16) == 0:
                ctx.budget.check_time()
    except csv.Error:
        return False
    return True


def _cells(text: str, dialect: type[csv.Dialect] | csv.Dialect, ctx: ExtractContext) -> Iterator[TextPart]:
    budget = ctx.budget
    prefix = ctx.prefix
    header: list[str] | None = None
    for row_number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        if row_number % TIME_CHECK_ROWS == 0:
            budget.check_time()
        if header is None:
            if not any(cell.strip() for cell in row):
                continue
            header = [cell.strip()[:MAX_CONTEXT_CHARS] for cell in row]
            contexts: list[str] = [""] * len(row)
        else:
            contexts = header
        for index, cell in enumerate(row):
            if not cell or cell.isspace():
                continue
            if budget.cells_left <= 0:
                raise CellLimitReached
            budget.cells_left -= 1
            context = contexts[index] if index < len(contexts) else ""
            yield TextPart(cell, f"{prefix}{column_name(index + 1)}{row_number}", context)


def column_name(number: int) -> str:
    """Spreadsheet column letters (1 -> A, 28 -> AB), past ZZZ too: a CSV has no column limit."""
    if number <= MAX_LETTERED_COLUMN:
        return get_column_letter(number)  # a cached lookup
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
