"""OpenDocument (.odt, .ods, .odp, their templates, and the flat XML .fodt/.fods/.fodp): text by structure.

The ODF schema is plain XML with a small text model, so the document is
read with lxml (already python-docx's parser; entities and network off)
rather than odfpy or odfdo, which build a Python object per node and are
several times slower. Text documents give `paragraph N` and `table N row R
col C` parts plus footnotes and comments; spreadsheets give `Sheet!B7`
cells (with the header as context, like XLSX), formula string literals,
comments and validation lists; presentations give `slide N` and `notes N`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt
from dlp.extract.formats.csvfile import column_name
from dlp.extract.formats.sheets import Row, read_sheets, row_parts, sheet_ref, under_headers
from dlp.extract.model import TextPart
from dlp.extract.zipguard import open_zip, read_member

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
P, H, SPACE, TAB, BREAK = TEXT + "p", TEXT + "h", TEXT + "s", TEXT + "tab", TEXT + "line-break"
NOTE, NOTE_CITATION, ANNOTATION = TEXT + "note", TEXT + "note-citation", OFFICE + "annotation"
T_TABLE, ROW, CELL, COVERED = TABLE + "table", TABLE + "table-row", TABLE + "table-cell", TABLE + "covered-table-cell"
ROWS_REPEATED, COLUMNS_REPEATED = TABLE + "number-rows-repeated", TABLE + "number-columns-repeated"
# Parts of a paragraph that are not its running text: read on their own (notes, comments) or not at all.
_ASIDE = frozenset({NOTE, ANNOTATION, OFFICE + "annotation-end", NOTE_CITATION})
MAX_SPACES = 1000
MAX_COLUMNS = 16384  # LibreOffice's and Excel's limit; a cell repeated past it holds nothing we read
_FORMULA_STRING = re.compile(r'"((?:[^"]|"")*)"')
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def iter_odf(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    root = _document(data, ctx)
    body = root.find(OFFICE + "body")
    if body is None or not len(body):
        raise Corrupt("the OpenDocument file has no body")
    kind = body[0]
    if kind.tag == OFFICE + "spreadsheet":
        yield from _spreadsheet(kind, ctx)
    elif kind.tag in (OFFICE + "presentation", OFFICE + "drawing"):
        yield from _presentation(kind, ctx)
    else:
        yield from _text_document(kind, ctx)


def _document(data: bytes, ctx: ExtractContext) -> Any:
    """The root of content.xml in a package, or of the whole flat XML file."""
    if data[:2] == b"PK":
        with open_zip(data, ctx, "OpenDocument") as package:
            try:
                info = package.getinfo("content.xml")
            except KeyError:
                raise Corrupt("the OpenDocument package has no content.xml") from None
            data = read_member(package, info)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise Corrupt(f"the OpenDocument XML is damaged ({type(exc).__name__})") from None


def text_of(element: Any) -> str:
    """A paragraph's running text: spaces, tabs and breaks as written, notes and comments left out."""
    out: list[str] = []
    _collect(element, out)
    return "".join(out)


def _collect(element: Any, out: list[str]) -> None:
    if element.text:
        out.append(element.text)
    for child in element:
        tag = child.tag
        if tag == SPACE:
            out.append(" " * min(_repeat(child, TEXT + "c"), MAX_SPACES))
        elif tag == TAB:
            out.append("\t")
        elif tag == BREAK:
            out.append("\n")
        elif tag in (P, H):
            out.append("\n")
            _collect(child, out)
        elif tag not in _ASIDE and isinstance(tag, str):
            _collect(child, out)
        if child.tail:
            out.append(child.tail)


def _asides(element: Any, ctx: ExtractContext, notes: list[int]) -> Iterator[TextPart]:
    """Footnotes, endnotes and comments anchored in an element, each its own part."""
    for aside in element.iter(NOTE, ANNOTATION):
        if aside.tag == NOTE:
            notes[0] += 1
            kind = "endnote" if aside.get(TEXT + "note-class") == "endnote" else "footnote"
            body = aside.find(TEXT + "note-body")
            text = "\n".join(text_of(p) for p in body.iter(P, H)) if body is not None else ""
            location = f"{kind} {notes[0]}"
        else:
            notes[1] += 1
            text = "\n".join(text_of(p) for p in aside.iter(P))
            location = f"comment {notes[1]}"
        if text.strip():
            yield TextPart(text.strip(), ctx.locate(location))


def _text_document(body: Any, ctx: ExtractContext) -> Iterator[TextPart]:
    paragraphs = tables = 0
    notes = [0, 0]
    for element in body.iter(P, H, T_TABLE):
        if _inside(element, (P, H, T_TABLE)):
            continue  # read with the paragraph or table that holds it
        ctx.budget.check_time()
        if element.tag == T_TABLE:
            tables += 1
            for row, col, text, header in under_headers(_table_cells(element)):
                yield TextPart(text, ctx.locate(f"table {tables} row {row} col {col}"), header)
        else:
            paragraphs += 1
            text = text_of(element)
            if text.strip():
                yield TextPart(text, ctx.locate(f"paragraph {paragraphs}"))
        yield from _asides(element, ctx, notes)


def _inside(element: Any, tags: tuple[str, ...]) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def _cell_text(cell: Any) -> str:
    return "\n".join(text_of(p) for p in cell if p.tag in (P, H)).strip()


def _table_cells(table: Any) -> Iterator[tuple[int, int, str]]:
    for row_number, row in enumerate(table.iter(ROW), start=1):
        column = 1
        for cell in row:
            if cell.tag not in (CELL, COVERED):
                continue
            text = _cell_text(cell)
            if text:
                yield row_number, column, text
            column += _repeat(cell, COLUMNS_REPEATED)


def _repeat(element: Any, attribute: str) -> int:
    value = element.get(attribute, "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _spreadsheet(body: Any, ctx: ExtractContext) -> Iterator[TextPart]:
    extras: list[TextPart] = []

    def read(sheet: Any) -> Iterator[TextPart]:
        name = sheet.get(TABLE + "name", "Sheet")
        yield from row_parts(_sheet_rows(sheet, name, ctx, extras), name, ctx)

    yield from read_sheets(body.findall(T_TABLE), lambda sheet: sheet.get(TABLE + "name", "Sheet"), read, ctx)
    yield from extras
    yield from _validations(body, ctx)


def _sheet_rows(sheet: Any, name: str, ctx: ExtractContext, extras: list[TextPart]) -> Iterator[Row]:
    """Rows as (number, first column, values). A repeated row or cell with content is read once, where
    it first appears: repeats are how ODF writes a sheet's empty remainder."""
    where = f"{ctx.prefix}{sheet_ref(name)}!"
    row_number = 1
    for row in sheet.iter(ROW):
        values: list[str | None] = []
        for cell in row:
            if cell.tag not in (CELL, COVERED) or len(values) >= MAX_COLUMNS:
                continue
            text = _cell_text(cell)
            values.append(text or None)
            column = len(values)
            formula = cell.get(TABLE + "formula")
            if formula and '"' in formula:
                literals = [m.replace('""', '"') for m in _FORMULA_STRING.findall(formula) if m.strip()]
                if literals:
                    extras.append(TextPart("\n".join(literals), f"{where}{column_name(column)}{row_number} formula"))
            for annotation in cell.iter(ANNOTATION):
                comment = "\n".join(text_of(p) for p in annotation.iter(P)).strip()
                if comment:
                    extras.append(TextPart(comment, f"{where}{column_name(column)}{row_number} comment"))
            repeat = _repeat(cell, COLUMNS_REPEATED)
            if repeat > 1:
                values.extend([None] * min(repeat - 1, MAX_COLUMNS - len(values)))
        while values and values[-1] is None:
            values.pop()
        if values:
            yield row_number, 1, values
        row_number += _repeat(row, ROWS_REPEATED)


def _validations(body: Any, ctx: ExtractContext) -> Iterator[TextPart]:
    for validation in body.iter(TABLE + "content-validation"):
        condition = validation.get(TABLE + "condition", "")
        texts = [m.replace('""', '"') for m in _FORMULA_STRING.findall(condition) if m.strip()]
        texts += [text_of(p) for p in validation.iter(P) if text_of(p).strip()]  # help and error messages
        if texts:
            name = validation.get(TABLE + "name", "")
            yield TextPart("\n".join(texts), ctx.locate(f"validation {name}".strip()))


def _presentation(body: Any, ctx: ExtractContext) -> Iterator[TextPart]:
    pages = body.findall(DRAW + "page")
    limit = ctx.config.max_pages
    if len(pages) > limit:
        ctx.budget.note(f"read the first {limit:,} of {len(pages):,} slides (max_pages)", truncated=True)
    notes_count = [0, 0]
    for number, page in enumerate(pages[:limit], start=1):
        ctx.budget.check_time()
        notes = page.find(PRESENTATION + "notes")
        slide_texts = [
            text_of(p) for p in page.iter(P, H) if notes is None or not _is_under(p, notes)
        ]
        text = "\n".join(t for t in slide_texts if t.strip())
        if text:
            yield TextPart(text, ctx.locate(f"slide {number}"))
        if notes is not None:
            note_text = "\n".join(t for t in (text_of(p) for p in notes.iter(P, H)) if t.strip())
            if note_text:
                yield TextPart(note_text, ctx.locate(f"notes {number}"))
        yield from _asides(page, ctx, notes_count)


def _is_under(element: Any, ancestor: Any) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False
