"""What an XLSX/XLSM keeps beside its cell values: formula string literals, comments, validation lists.

openpyxl's streaming mode reads cached values only (what the user saw), so
`=IF(A1>0,"SECRET","")` shows one branch and the comments and drop-down
lists are not read at all. These come from the sheet XML directly: one
regular-expression pass over each sheet's bytes for `<f>` and
`<dataValidation>`, and the (small) comments parts, parsed with lxml.
Locations: `Sheet!E2 formula`, `Sheet!A1 comment`, `Sheet!D2:D10 validation`.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Iterator

from lxml import etree

from dlp.extract.context import ExtractContext
from dlp.extract.errors import ExtractionStopped
from dlp.extract.formats.sheets import sheet_ref
from dlp.extract.model import TextPart
from dlp.extract.zipguard import read_member

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_FORMULA = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3}[0-9]{1,7})"[^>]*>\s*<(?:\w+:)?f\b[^>]*>([^<]*)</')
_VALIDATION = re.compile(rb"<(?:\w+:)?dataValidation\b([^>]*)>(.*?)</(?:\w+:)?dataValidation>", re.S)
_ATTRIBUTE = re.compile(rb'\b(sqref|promptTitle|prompt|errorTitle|error)="([^"]*)"')
_FORMULA1 = re.compile(rb"<(?:\w+:)?formula1>([^<]*)</")
_STRING = re.compile(r'"((?:[^"]|"")*)"')


def iter_sheet_extras(container: zipfile.ZipFile, ctx: ExtractContext) -> Iterator[TextPart]:
    for title, path in sheet_paths(container)[: ctx.config.max_sheets]:
        ctx.budget.check_time()
        where = f"{ctx.prefix}{sheet_ref(title)}!"
        try:
            sheet = _read(container, path)
            if sheet is None:
                continue
            yield from _formulas(sheet, where)
            yield from _validations(sheet, where)
            for comments_path in _related(container, path, "/comments"):
                yield from _comments(_read(container, comments_path), where)
        except ExtractionStopped:
            raise
        except Exception as exc:  # damaged extras cost the extras of that sheet, not its values
            ctx.budget.note(f"{where} formulas or comments unreadable ({type(exc).__name__})", truncated=True)


def literals(formula: str) -> list[str]:
    """The string constants of a formula (`"a""b"` is `a"b`), blank ones left out."""
    return [m.replace('""', '"') for m in _STRING.findall(formula) if m.strip()]


def sheet_paths(container: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(title, part path) of each worksheet, in workbook order."""
    workbook = _xml(container, "xl/workbook.xml")
    if workbook is None:
        return []
    targets = {rel_id: path for rel_id, path, _ in _relationships(container, "xl/workbook.xml")}
    found = []
    for sheet in workbook.iter(MAIN + "sheet"):
        target = targets.get(sheet.get(R_ID, ""))
        if target:
            found.append((sheet.get("name", "Sheet"), target))
    return found


def _relationships(container: zipfile.ZipFile, part: str) -> Iterator[tuple[str, str, str]]:
    """(id, target path in the package, type) of a part's internal relationships."""
    folder, name = posixpath.split(part)
    rels = _xml(container, f"{folder}/_rels/{name}.rels")
    if rels is None:
        return
    for rel in rels.iter(REL):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        yield rel.get("Id", ""), path, rel.get("Type", "")


def _related(container: zipfile.ZipFile, part: str, type_suffix: str) -> Iterator[str]:
    for _, path, kind in _relationships(container, part):
        if kind.endswith(type_suffix):
            yield path


def _read(container: zipfile.ZipFile, path: str) -> bytes | None:
    try:
        return read_member(container, container.getinfo(path))
    except KeyError:
        return None


def _xml(container: zipfile.ZipFile, path: str):  # type: ignore[no-untyped-def]
    data = _read(container, path)
    if data is None:
        return None
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return None


def _formulas(sheet: bytes, where: str) -> Iterator[TextPart]:
    if b"<f" not in sheet and b":f" not in sheet:
        return
    for match in _FORMULA.finditer(sheet):
        formula = html.unescape(match.group(2).decode("utf-8", errors="replace"))
        found = literals(formula)
        if found:
            yield TextPart("\n".join(found), f"{where}{match.group(1).decode()} formula")


def _validations(sheet: bytes, where: str) -> Iterator[TextPart]:
    if b"dataValidation" not in sheet:
        return
    for match in _VALIDATION.finditer(sheet):
        attributes = {
            k.decode(): html.unescape(v.decode("utf-8", errors="replace")) for k, v in _ATTRIBUTE.findall(match.group(1))
        }
        texts = [attributes[k] for k in ("promptTitle", "prompt", "errorTitle", "error") if attributes.get(k, "").strip()]
        formula = _FORMULA1.search(match.group(2))
        if formula:
            texts += literals(html.unescape(formula.group(1).decode("utf-8", errors="replace")))
        if texts:
            area = attributes.get("sqref", "").split(" ")[0]
            yield TextPart("\n".join(texts), f"{where}{area} validation")


def _comments(data: bytes | None, where: str) -> Iterator[TextPart]:
    if data is None:
        return
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return
    for comment in root.iter(MAIN + "comment"):
        text = "".join(t.text or "" for t in comment.iter(MAIN + "t"))
        if text.strip():
            yield TextPart(text.strip(), f"{where}{comment.get('ref', '')} comment")

