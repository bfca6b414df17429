"""PDF: text per page with pypdf, page by page, plus what sits beside the page text:
comments (annotations), filled-in form fields and attached files.

A page with no text but with images (a scan) is read by OCR: each image
pypdf extracts goes to Tesseract, within the file's OCR budget. Without an
OCR engine such pages make the file `needs_ocr`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from pypdf import PasswordType, PdfReader

from dlp.extract.config import IMAGE_GROUP
from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt, Encrypted
from dlp.extract.formats.eml import attachment_parts
from dlp.extract.model import TextPart
from dlp.extract.ocr import ocr_text, tesseract_path


def iter_pdf(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    reader = _open(data)
    try:
        page_count = len(reader.pages)
    except Exception as exc:
        raise Corrupt(f"the PDF page tree is unreadable ({type(exc).__name__})") from None
    limit = ctx.config.max_pages
    if page_count > limit:
        ctx.budget.note(f"read the first {limit:,} of {page_count:,} pages (max_pages)", truncated=True)
    failed: list[int] = []
    for index in range(min(page_count, limit)):
        ctx.budget.check_time()
        try:
            page = reader.pages[index]
            text = page.extract_text()
        except Exception:  # one damaged page must not cost the others
            failed.append(index + 1)
            continue
        if text and not text.isspace():
            yield TextPart(text, ctx.locate(f"page {index + 1}"))
        else:
            yield from _page_images(page, index + 1, ctx)
        yield from _comments(page, index + 1, ctx)
    if failed and len(failed) == min(page_count, limit):
        raise Corrupt(f"no page of the PDF could be read ({page_count:,} pages)")
    if failed:
        shown = ", ".join(str(n) for n in failed[:10]) + (" ..." if len(failed) > 10 else "")
        ctx.budget.note(f"{len(failed)} unreadable page(s): {shown}", truncated=True)
    yield from _form_fields(reader, ctx)
    yield from _attachments(reader, ctx)


def _page_images(page: Any, number: int, ctx: ExtractContext) -> Iterator[TextPart]:
    """OCR of the images of a page that has no text layer."""
    try:
        count = len(page.images)  # walks the resources; images are decoded only when read
    except Exception:
        return
    if not count:
        return
    what = ctx.locate(f"page {number}")
    if IMAGE_GROUP not in ctx.config.include_types:
        ctx.budget.note(f"{what}: image-only, not read (OCR is off: 'image' is not in include_types)", truncated=True)
        return
    if tesseract_path(ctx.config.tesseract_command) is None:
        ctx.budget.needs_ocr.append(what)
        return
    texts = []
    for position in range(count):
        try:
            image = page.images[position]
            data = image.data
        except Exception:  # an image pypdf cannot decode (JBIG2, a damaged stream): the others still count
            ctx.budget.note(f"{what}: an image could not be decoded for OCR", truncated=True)
            continue
        try:
            text = ocr_text(data, ctx, what if count == 1 else f"{what} image {position + 1}")
        except Corrupt:
            ctx.budget.note(f"{what}: an image could not be read by OCR", truncated=True)
            continue
        if text:
            texts.append(text)
    if texts:
        yield TextPart("\n".join(texts), ctx.locate(f"page {number} image text"))


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except Exception as exc:
        raise Corrupt(f"truncated or damaged PDF ({type(exc).__name__})") from None
    if reader.is_encrypted:
        # Many PDFs carry only an owner password (printing/copy restrictions) and open with an empty one.
        try:
            opened = reader.decrypt("")
        except Exception as exc:
            raise Encrypted(f"the PDF is encrypted with a method we cannot open ({type(exc).__name__})") from None
        if opened == PasswordType.NOT_DECRYPTED:
            raise Encrypted("the PDF is password-protected")
    return reader


def _form_fields(reader: PdfReader, ctx: ExtractContext) -> Iterator[TextPart]:
    """Values typed into an AcroForm live outside the page text; the field name is their context."""
    try:
        fields = reader.get_form_text_fields() or {}
    except Exception:
        ctx.budget.note("the PDF form fields are unreadable")
        return
    for name, value in fields.items():
        if isinstance(value, str) and value.strip():
            yield TextPart(value, ctx.locate(f"form field {name}"), context=str(name))


def _comments(page: Any, number: int, ctx: ExtractContext) -> Iterator[TextPart]:
    """Sticky notes and other annotations carry their own text (/Contents), outside the page's."""
    try:
        annotations = page.get("/Annots") or []
        texts = []
        for reference in annotations:
            contents = reference.get_object().get("/Contents")
            if isinstance(contents, str) and contents.strip():
                texts.append(str(contents))
    except Exception:
        ctx.budget.note(f"{ctx.prefix}the comments of page {number} are unreadable", truncated=True)
        return
    for position, text in enumerate(texts, start=1):
        yield TextPart(text, ctx.locate(f"page {number} comment {position}"))


def _attachments(reader: PdfReader, ctx: ExtractContext) -> Iterator[TextPart]:
    """Files attached to the PDF are members of it, read like the entries of an archive."""
    try:
        attached = [(name, content) for name, contents in reader.attachments.items() for content in contents]
    except Exception:
        ctx.budget.note(f"{ctx.prefix}the attached files are unreadable", truncated=True)
        return
    yield from attachment_parts([(str(name), bytes(content)) for name, content in attached], ctx, "attached files")
