"""XLSX/XLSM: every sheet (hidden ones too), streamed row by row with openpyxl's read-only mode.

Each non-empty cell becomes one part located `Sheet!B7` (see `sheets`). Cached values
are read: they are what the user saw. String literals of formulas, comments
and validation lists follow (`dlp.extract.formats.ooxml_sheets`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from openpyxl import load_workbook

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt
from dlp.extract.formats.embedded import iter_embedded
from dlp.extract.formats.ooxml_sheets import iter_sheet_extras
from dlp.extract.formats.sheets import read_sheets, row_parts
from dlp.extract.model import TextPart
from dlp.extract.zipguard import open_zip


def iter_xlsx(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    container = open_zip(data, ctx, "XLSX")  # judge the expansion before the library reads any part
    try:
        yield from _xlsx_parts(data, ctx)
        yield from iter_sheet_extras(container, ctx)
        yield from iter_embedded(container, ctx)
    finally:
        container.close()


def _xlsx_parts(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:
        raise Corrupt(f"the workbook is unreadable ({type(exc).__name__})") from None
    try:
        yield from read_sheets(workbook.worksheets, lambda sheet: sheet.title, lambda sheet: _sheet(sheet, ctx), ctx)
    finally:
        workbook.close()


def _sheet(sheet: Any, ctx: ExtractContext) -> Iterator[TextPart]:
    sheet.reset_dimensions()  # a hostile <dimension> must not decide how wide our rows are
    rows = sheet.iter_rows(values_only=True)
    yield from row_parts(((number, 1, row) for number, row in enumerate(rows, start=1)), sheet.title, ctx)


