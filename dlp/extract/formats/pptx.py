"""PPTX and its variants (PPTM, PPSX, PPSM, POTX, POTM): slide text (groups included), table cells,
and speaker notes, slide by slide.

python-pptx opens only the presentation content type; the show, template
and macro variants differ from it in that one declaration, so it is
rewritten before the package is handed over.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt
from dlp.extract.formats.embedded import iter_embedded
from dlp.extract.model import TextPart
from dlp.extract.zipguard import ZIP_ERRORS, open_zip, read_member

PRESENTATION_TYPE = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
VARIANT_TYPES = (
    b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    b"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    b"application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
    b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    b"application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
)


def iter_pptx(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    container = open_zip(data, ctx, "PPTX")  # judge the expansion before the library reads any part
    try:
        yield from _pptx_parts(as_presentation(container, data), ctx)
        yield from iter_embedded(container, ctx)
    finally:
        container.close()


def as_presentation(container: zipfile.ZipFile, data: bytes) -> bytes:
    """The package with its main part declared as a plain presentation, which python-pptx opens."""
    try:
        types = container.read("[Content_Types].xml")
    except (KeyError, *ZIP_ERRORS):
        return data
    variant = next((v for v in VARIANT_TYPES if v in types), None)
    if variant is None:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as rewritten:
        for info in container.infolist():
            content = types.replace(variant, PRESENTATION_TYPE) if info.filename == "[Content_Types].xml" else None
            rewritten.writestr(info.filename, content if content is not None else read_member(container, info))
    return out.getvalue()


def _pptx_parts(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    try:
        presentation = Presentation(io.BytesIO(data))
        slides = list(presentation.slides)
    except Exception as exc:
        raise Corrupt(f"the presentation is unreadable ({type(exc).__name__})") from None
    limit = ctx.config.max_pages
    if len(slides) > limit:
        ctx.budget.note(f"read the first {limit:,} of {len(slides):,} slides (max_pages)", truncated=True)
    prefix = ctx.prefix
    for number, slide in enumerate(slides[:limit], start=1):
        ctx.budget.check_time()
        texts: list[str] = []
        cells: list[TextPart] = []
        tables = 0
        for shape in _shapes(slide.shapes):
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False):
                tables += 1
                for r, row in enumerate(shape.table.rows, start=1):
                    for c, cell in enumerate(row.cells, start=1):
                        if cell.text and not cell.text.isspace():
                            cells.append(TextPart(cell.text, f"{prefix}slide {number} table {tables} row {r} col {c}"))
        text = "\n".join(t for t in texts if t and not t.isspace())
        if text:
            yield TextPart(text, f"{prefix}slide {number}")
        yield from cells
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            notes = frame.text if frame is not None else ""
            if notes and not notes.isspace():
                yield TextPart(notes, f"{prefix}notes {number}")


def _shapes(shapes: Any) -> Iterator[Any]:
    """Every shape in reading order, looking inside groups."""
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _shapes(shape.shapes)
        else:
            yield shape
