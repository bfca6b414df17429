"""DOCX (and DOCM/DOTX): body paragraphs and tables, headers, footers, footnotes, endnotes, comments.

python-docx's package reader loads the parts; the XML is walked here rather
than through `docx.Document`, because the Document API skips text a DLP
engine must see: content controls, text boxes, tracked deletions. Each part
is parsed on its own, so a damaged footnotes part costs the footnotes only.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PACKAGE_URI
from docx.opc.pkgreader import PackageReader
from docx.oxml.parser import parse_xml

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt
from dlp.extract.formats.embedded import iter_embedded
from dlp.extract.formats.sheets import under_headers
from dlp.extract.model import TextPart
from dlp.extract.zipguard import open_zip

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
P, TBL, TR, TC = W + "p", W + "tbl", W + "tr", W + "tc"
T, DEL_TEXT, TAB, BR, CR = W + "t", W + "delText", W + "tab", W + "br", W + "cr"
NO_BREAK_HYPHEN = W + "noBreakHyphen"
SDT, SDT_CONTENT, CUSTOM_XML = W + "sdt", W + "sdtContent", W + "customXml"
TYPE, VAL = W + "type", W + "val"
# Elements that only wrap blocks, rows or cells (content controls, custom XML).
WRAPPERS = frozenset({SDT_CONTENT, CUSTOM_XML})

HEADER_KINDS = {"default": "", "first": "first-page ", "even": "even-page "}


def iter_docx(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    container = open_zip(data, ctx, "DOCX")  # judge the expansion before the library reads any part
    try:
        yield from _docx_parts(data, ctx)
        yield from iter_embedded(container, ctx)
    finally:
        container.close()


def _docx_parts(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    try:
        package = PackageReader.from_file(io.BytesIO(data))
    except Exception as exc:
        raise Corrupt(f"the DOCX package structure is damaged ({type(exc).__name__})") from None
    blobs = {partname: blob for partname, _, _, blob in package.iter_sparts()}
    rels: dict[str, list[Any]] = defaultdict(list)
    for source, srel in package.iter_srels():
        if not srel.is_external:
            rels[source].append(srel)
    main_name = next((srel.target_partname for srel in rels[PACKAGE_URI] if srel.reltype == RT.OFFICE_DOCUMENT), None)
    if main_name is None or main_name not in blobs:
        raise Corrupt("the DOCX has no main document part")
    try:
        document = parse_xml(blobs[main_name])
    except Exception as exc:
        raise Corrupt(f"the DOCX main document part is damaged ({type(exc).__name__})") from None
    related = {srel.rId: srel for srel in rels[main_name]}
    body = document.find(W + "body")
    if body is not None:
        yield from _body(body, ctx)
        yield from _headers_and_footers(body, related, blobs, ctx)
    for srel in related.values():
        if srel.reltype in (RT.FOOTNOTES, RT.ENDNOTES, RT.COMMENTS):
            yield from _notes(srel.reltype, blobs.get(srel.target_partname), ctx)


def _body(body: Any, ctx: ExtractContext) -> Iterator[TextPart]:
    prefix = ctx.prefix
    paragraphs = tables = 0
    for block in _blocks(body):
        ctx.budget.check_time()
        if block.tag == P:
            paragraphs += 1
            text = element_text(block)
            if text and not text.isspace():
                yield TextPart(text, f"{prefix}paragraph {paragraphs}")
        else:
            tables += 1
            for row, col, text, header in under_headers(_cells(block)):
                yield TextPart(text, f"{prefix}table {tables} row {row} col {col}", header)


def _headers_and_footers(
    body: Any, related: dict[str, Any], blobs: dict[str, bytes], ctx: ExtractContext
) -> Iterator[TextPart]:
    seen: set[str] = set()
    for section, sect_pr in enumerate(body.iter(W + "sectPr"), start=1):
        for reference in sect_pr:
            if reference.tag not in (W + "headerReference", W + "footerReference"):
                continue
            srel = related.get(reference.get(R_ID))
            if srel is None or srel.target_partname in seen:
                continue
            seen.add(srel.target_partname)
            kind = "header" if reference.tag == W + "headerReference" else "footer"
            label = f"{HEADER_KINDS.get(reference.get(TYPE, 'default'), '')}{kind} (section {section})"
            root = _parse_part(blobs.get(srel.target_partname), label, ctx)
            if root is None:
                continue
            text = "\n".join(_block_texts(root)).strip("\n")
            if text and not text.isspace():
                yield TextPart(text, ctx.locate(label))


def _notes(reltype: str, blob: bytes | None, ctx: ExtractContext) -> Iterator[TextPart]:
    name = {RT.FOOTNOTES: "footnote", RT.ENDNOTES: "endnote", RT.COMMENTS: "comment"}[reltype]
    root = _parse_part(blob, f"{name}s", ctx)
    if root is None:
        return
    number = 0
    for note in root:
        if note.tag != W + name or note.get(TYPE, "normal") != "normal":
            continue  # separators between body and footnotes are not notes
        number += 1
        text = "\n".join(_block_texts(note)).strip("\n")
        if text and not text.isspace():
            yield TextPart(text, ctx.locate(f"{name} {number}"))


def _parse_part(blob: bytes | None, label: str, ctx: ExtractContext) -> Any:
    if blob is None:
        return None
    try:
        return parse_xml(blob)
    except Exception as exc:
        ctx.budget.note(
            f"{ctx.prefix}the {label} part is damaged and was skipped ({type(exc).__name__})", truncated=True
        )
        return None


def _blocks(container: Any) -> Iterator[Any]:
    """Paragraphs and tables in reading order, looking inside content controls."""
    for child in container:
        tag = child.tag
        if tag == P or tag == TBL:
            yield child
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)
        elif tag in WRAPPERS:
            yield from _blocks(child)


def _block_texts(container: Any) -> Iterator[str]:
    for block in _blocks(container):
        if block.tag == P:
            yield element_text(block)
        else:
            yield from (text for _, _, text in _cells(block))


def _children(container: Any, tag: str) -> Iterator[Any]:
    for child in container:
        if child.tag == tag:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag in WRAPPERS:
            yield from _children(child, tag)


def _cells(table: Any) -> Iterator[tuple[int, int, str]]:
    """(row, grid column, text) of each non-empty cell; merged cells count their grid span."""
    for row_number, row in enumerate(_children(table, TR), start=1):
        column = 1 + _int_attr(row.find(f"{W}trPr/{W}gridBefore"))
        for cell in _children(row, TC):
            text = element_text(cell).strip("\n")
            if text and not text.isspace():
                yield row_number, column, text
            column += max(1, _int_attr(cell.find(f"{W}tcPr/{W}gridSpan")))


def _int_attr(element: Any) -> int:
    if element is None:
        return 0
    try:
        return int(element.get(VAL, "0"))
    except ValueError:
        return 0


def element_text(element: Any) -> str:
    """All text under `element`: runs, hyperlinks, text boxes, tracked insertions and deletions."""
    out: list[str] = []
    _collect(element, out)
    return "".join(out)


def _collect(element: Any, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == T or tag == DEL_TEXT:
            if child.text:
                out.append(child.text)
        elif tag == TAB:
            out.append("\t")
        elif tag == BR or tag == CR:
            out.append("\n")
        elif tag == NO_BREAK_HYPHEN:
            out.append("-")
        elif tag == MC_FALLBACK or not isinstance(tag, str):
            continue  # the fallback repeats the text box it stands in for; comments and PIs are not text
        elif tag == P:
            _collect(child, out)
            out.append("\n")
        else:
            _collect(child, out)
