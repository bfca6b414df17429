"""Excel binary workbooks (.xlsb): every sheet's cell values, streamed row by row with pyxlsb.

python-calamine reads XLSB faster, but it builds each sheet as a dense
grid: one far cell (XFD1048576) asks for half a terabyte and aborts the
process. pyxlsb streams records and keeps one row at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt
from dlp.extract.formats.embedded import iter_embedded
from dlp.extract.formats.sheets import Row, read_sheets, row_parts
from dlp.extract.model import TextPart
from dlp.extract.zipguard import open_zip


def iter_xlsb(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    container = open_zip(data, ctx, "XLSB")  # judge the expansion before the library reads any part
    try:
        yield from _xlsb_parts(container, ctx)
        yield from iter_embedded(container, ctx)
    finally:
        container.close()


def _xlsb_parts(container: Any, ctx: ExtractContext) -> Iterator[TextPart]:
    from pyxlsb import Workbook  # imported here: only XLSB files need it

    try:
        workbook = Workbook(container)
        names = list(workbook.sheets)
    except Exception as exc:
        raise Corrupt(f"the workbook is unreadable ({type(exc).__name__})") from None
    sheets = list(enumerate(names, start=1))
    yield from read_sheets(sheets, lambda sheet: sheet[1], lambda sheet: _sheet(workbook, *sheet, ctx), ctx)


def _sheet(workbook: Any, index: int, name: str, ctx: ExtractContext) -> Iterator[TextPart]:
    with workbook.get_sheet(index) as sheet:
        yield from row_parts(_rows(sheet), name, ctx)


def _rows(sheet: Any) -> Iterator[Row]:
    """Each non-empty row where it sits: pyxlsb pads rows to the declared width, which may be wrong."""
    for row in sheet.rows(sparse=True):
        cells = [cell for cell in row if cell is not None and cell.v is not None]
        if not cells:
            continue
        first = cells[0].c
        values: list[Any] = [None] * (cells[-1].c - first + 1)
        for cell in cells:
            values[cell.c - first] = cell.v
        yield cells[0].r + 1, first + 1, values
