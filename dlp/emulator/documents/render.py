"""Turn a `FileContent` into the bytes of a real file, with the real libraries."""

from __future__ import annotations

import io
import random
from datetime import datetime, timezone

import docx
import openpyxl
import pptx
from fpdf import FPDF
from PIL import Image, ImageDraw

from dlp.emulator.documents.content import FileContent
from dlp.emulator.documents.zipnorm import normalize_zip

MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "csv": "text/csv",
    "txt": "text/plain",
    "json": "application/json",
    "png": "image/png",
}

# Fixed document dates: file bytes depend on the seed only, never on the wall clock.
_DOC_DATE = datetime(2024, 1, 1, tzinfo=timezone.utc)


def render(content: FileContent, seed: str) -> bytes:
    renderer = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "pptx": _pptx, "png": _png}.get(content.format)
    if renderer is not None:
        return renderer(content, seed)
    return content.text_snippet().text.encode("utf-8")


def _pdf(content: FileContent, seed: str) -> bytes:
    pdf = FPDF()
    pdf.set_creation_date(_DOC_DATE)
    pdf.set_title(content.title)
    pdf.set_auto_page_break(False)
    for number, paragraphs in enumerate(content.sections):
        pdf.add_page()
        for index, paragraph in enumerate(paragraphs):
            heading = number == 0 and index == 0
            size = 15 if heading else 11
            pdf.set_font("Helvetica", style="B" if heading else "", size=size)
            # A key is one unbreakable word: shrink the font so it stays on one line (fpdf2 would split it).
            longest = max((pdf.get_string_width(word) for word in paragraph.text.split()), default=0)
            if longest > pdf.epw:
                pdf.set_font_size(size * pdf.epw / longest * 0.95)
            # multi_cell keeps each paragraph together; the pages were sized so nothing overflows
            pdf.multi_cell(0, 6, paragraph.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def _docx(content: FileContent, seed: str) -> bytes:
    document = docx.Document()
    document.core_properties.created = _DOC_DATE.replace(tzinfo=None)
    document.core_properties.modified = _DOC_DATE.replace(tzinfo=None)
    for index, paragraph in enumerate(content.sections[0]):
        if index == 0:
            document.add_heading(paragraph.text, level=1)
        else:
            document.add_paragraph(paragraph.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


def _xlsx(content: FileContent, seed: str) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.properties.created = _DOC_DATE.replace(tzinfo=None)
    sheet = workbook.active
    sheet.title = content.sheet
    for row in content.rows:
        sheet.append([cell.text for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fix_xlsx_modified(normalize_zip(buffer.getvalue()))


def _fix_xlsx_modified(data: bytes) -> bytes:
    # openpyxl writes the save time into docProps/core.xml; pin it so bytes are reproducible.
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>",
                                 rb"<dcterms:modified\1>2024-01-01T00:00:00Z</dcterms:modified>", payload)
            target.writestr(info, payload)
    return out.getvalue()


def _pptx(content: FileContent, seed: str) -> bytes:
    presentation = pptx.Presentation()
    presentation.core_properties.created = _DOC_DATE.replace(tzinfo=None)
    presentation.core_properties.modified = _DOC_DATE.replace(tzinfo=None)
    layout = presentation.slide_layouts[1]  # title and content
    for shapes in content.sections:
        slide = presentation.slides.add_slide(layout)
        slide.shapes.title.text = shapes[0].text
        body = slide.placeholders[1].text_frame
        body.text = shapes[1].text if len(shapes) > 1 else ""
        for bullet in shapes[2:]:
            body.add_paragraph().text = bullet.text
    buffer = io.BytesIO()
    presentation.save(buffer)
    return normalize_zip(buffer.getvalue())


def _png(content: FileContent, seed: str) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (480, 320), "white")
    draw = ImageDraw.Draw(image)
    bars = [rng.randint(30, 260) for _ in range(rng.randint(4, 9))]
    width = 400 // len(bars)
    for index, height in enumerate(bars):
        x = 40 + index * width
        colour = (rng.randint(30, 200), rng.randint(60, 200), rng.randint(120, 230))
        draw.rectangle([x, 290 - height, x + width - 8, 290], fill=colour)
    draw.line([36, 290, 450, 290], fill="black", width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
