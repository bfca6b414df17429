"""XLSX/XLSM: every sheet (hidden ones too), streamed row by row with openpyxl's read-only mode.

Each non-empty cell becomes one part located `Sheet!B7`, with the header
(the sheet's first non-empty row) of its column as context. Cached values
are read: they are what the user saw. String literals of formulas, comments
and validation lists follow (`dlp.extract.formats.ooxml_sheets`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from openpyxl import load_workbook

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt, ExtractionStopped
from dlp.extract.formats.csvfile import column_name
from dlp.extract.formats.embedded import iter_embedded
from dlp.extract.model import TextPart
from dlp.extract.zipguard import open_zip

MAX_CONTEXT_CHARS = 200
TIME_CHECK_ROWS = 256
_PLAIN_SHEET_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def iter_xlsx(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    container = open_zip(data, ctx, "XLSX")  # judge the expansion before the library reads any part
    try:
        yield from _xlsx_parts(data, ctx)
        yield from iter_sheet_extras(container, ctx)
        yield from iter_embedded(container, ctx)
    finally:
        container.close()


def iter_sheet_extras(container: Any, ctx: ExtractContext) -> Iterator[TextPart]:
    from dlp.extract.formats.ooxml_sheets import iter_sheet_extras as extras  # it imports this module

    yield from extras(container, ctx)


def _xlsx_parts(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:
        raise Corrupt(f"the workbook is unreadable ({type(exc).__name__})") from None
    try:
        sheets = workbook.worksheets
        limit = ctx.config.max_sheets
        if len(sheets) > limit:
            ctx.budget.note(f"read the first {limit:,} of {len(sheets):,} sheets (max_sheets)", truncated=True)
        for sheet in sheets[:limit]:
            try:
                yield from _sheet(sheet, ctx)
            except CellLimitReached:
                ctx.budget.note(f"stopped after {ctx.config.max_cells:,} cells (max_cells)", truncated=True)
                return
            except (ExtractionStopped, MemoryError):
                raise
            except Exception as exc:  # a damaged sheet costs that sheet only
                ctx.budget.note(f"{ctx.prefix}sheet {sheet.title} is damaged ({type(exc).__name__})", truncated=True)
    finally:
        workbook.close()


class CellLimitReached(Exception):
    pass


def _sheet(sheet: Any, ctx: ExtractContext) -> Iterator[TextPart]:
    sheet.reset_dimensions()  # a hostile <dimension> must not decide how wide our rows are
    rows = sheet.iter_rows(values_only=True)
    yield from row_parts(((number, 1, row) for number, row in enumerate(rows, start=1)), sheet.title, ctx)


Row = tuple[int, int, Sequence[Any]]  # (row number, column number of the first value, values), both from 1


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
