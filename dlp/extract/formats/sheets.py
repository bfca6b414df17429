"""Spreadsheet cells to located parts, shared by every spreadsheet reader (XLSX, XLS, XLSB, ODS).

Each non-empty cell becomes one part located `Sheet!B7`, with the header
(the sheet's first non-empty row) of its column as context; `under_headers`
gives a Word or OpenDocument table's cells their headers the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from dlp.extract.context import ExtractContext
from dlp.extract.errors import ExtractionStopped
from dlp.extract.formats.csvfile import column_name
from dlp.extract.model import TextPart

MAX_CONTEXT_CHARS = 200
TIME_CHECK_ROWS = 256
_PLAIN_SHEET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
Sheet = TypeVar("Sheet")


class CellLimitReached(Exception):
    pass


def read_sheets(
    sheets: Sequence[Sheet], title: Callable[[Sheet], str], read: Callable[[Sheet], Iterable[TextPart]], ctx: ExtractContext
) -> Iterator[TextPart]:
    """Each sheet's parts in turn, within max_sheets and max_cells; a damaged sheet costs that sheet only."""
    limit = ctx.config.max_sheets
    if len(sheets) > limit:
        ctx.budget.note(f"read the first {limit:,} of {len(sheets):,} sheets (max_sheets)", truncated=True)
    for sheet in sheets[:limit]:
        ctx.budget.check_time()
        try:
            yield from read(sheet)
        except CellLimitReached:
            ctx.budget.note(f"stopped after {ctx.config.max_cells:,} cells (max_cells)", truncated=True)
            return
        except (ExtractionStopped, MemoryError):
            raise
        except Exception as exc:  # a damaged sheet (or a chart sheet) costs that sheet only
            ctx.budget.note(f"{ctx.prefix}sheet {title(sheet)} is unreadable ({type(exc).__name__})", truncated=True)


Row = tuple[int, int, Sequence[Any]]  # (row number, column number of the first value, values), both from 1


def under_headers(cells: Iterable[tuple[int, int, str]]) -> Iterator[tuple[int, int, str, str]]:
    """(row, column, text, header) of a document table's cells (Word, OpenDocument text): the header is the
    text of the table's first row in the same column ("" in that row), as a sheet's cells carry theirs."""
    headers: dict[int, str] = {}
    first_row: int | None = None
    for row, column, text in cells:
        if first_row is None:
            first_row = row
        if row == first_row:
            headers[column] = text.strip()[:MAX_CONTEXT_CHARS]
            yield row, column, text, ""
        else:
            yield row, column, text, headers.get(column, "")


def row_parts(rows: Iterable[Row], title: str, ctx: ExtractContext) -> Iterator[TextPart]:
    """One part per non-empty cell, located `Sheet!B7`, with its column's header (the sheet's first
    non-empty row) as context. Shared by every spreadsheet reader; raises CellLimitReached past max_cells."""
    budget = ctx.budget
    where = f"{ctx.prefix}{sheet_ref(title)}!"
    header: dict[int, str] | None = None
    for count, (row_number, first_column, row) in enumerate(rows, start=1):
        if count % TIME_CHECK_ROWS == 0:
            budget.check_time()
        if not row:
            continue
        texts = [None if value is None or value == "" else cell_text(value) for value in row]
        contexts = header or {}
        if header is None:
            if not any(t and not t.isspace() for t in texts):
                continue
            header = {first_column + i: t.strip()[:MAX_CONTEXT_CHARS] for i, t in enumerate(texts) if t}
        for index, text in enumerate(texts):
            if not text or text.isspace():
                continue
            if budget.cells_left <= 0:
                raise CellLimitReached
            budget.cells_left -= 1
            column = first_column + index
            yield TextPart(text, f"{where}{column_name(column)}{row_number}", contexts.get(column, ""))


def sheet_ref(title: str) -> str:
    """The sheet name as Excel writes it in a reference: quoted when it has spaces or punctuation."""
    if _PLAIN_SHEET_NAME.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def cell_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # 4111111111111111.0 must read as the card number it is
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
