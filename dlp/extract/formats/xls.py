"""Excel 97-2003 (.xls, .xlt): every sheet's cell values with python-calamine, plus what BIFF keeps beside them.

calamine (Rust) reads BIFF8 cached values twenty times faster than the
pure-Python readers; an .xls grid is at most 65,536 x 256 cells, so its
dense sheet ranges stay within the extractor's memory cap. Formulas' string
literals, cell comments and data-validation lists, which calamine does not
expose, come from `dlp.extract.formats.biff`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt, Encrypted
from dlp.extract.formats.biff import iter_biff_extras
from dlp.extract.formats.eml import attachment_parts
from dlp.extract.formats.ole import check_not_encrypted, open_ole
from dlp.extract.formats.oleobject import pool_files
from dlp.extract.formats.sheets import read_sheets, row_parts
from dlp.extract.model import TextPart


def iter_xls(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    check_not_encrypted(data, "Excel workbook")
    yield from calamine_parts(data, ctx, "xls")
    yield from iter_biff_extras(data, ctx)
    with open_ole(data, "Excel") as ole:
        embedded = pool_files(ole, ("mbd",))  # each embedded object in an MBD######## storage
    yield from attachment_parts(embedded, ctx, "embedded files")


def calamine_parts(data: bytes, ctx: ExtractContext, kind: str) -> Iterator[TextPart]:
    import python_calamine  # imported here: only legacy workbooks need it

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise Encrypted(f"the {kind} workbook is password-protected") from None
    except Exception as exc:
        raise Corrupt(f"the workbook is unreadable ({type(exc).__name__})") from None
    try:
        yield from read_sheets(workbook.sheet_names, str, lambda name: _sheet(workbook, name, ctx), ctx)
    finally:
        workbook.close()


def _sheet(workbook: Any, name: str, ctx: ExtractContext) -> Iterator[TextPart]:
    sheet = workbook.get_sheet_by_name(name)
    top, left = sheet.start or (0, 0)
    yield from row_parts(((top + n, left + 1, row) for n, row in enumerate(sheet.iter_rows(), start=1)), name, ctx)
