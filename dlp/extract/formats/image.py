"""Images (PNG, JPEG, GIF, TIFF, BMP, WebP): their text by OCR, or the outcome `needs_ocr` without an OCR engine."""

from __future__ import annotations

from collections.abc import Iterator

from dlp.extract.context import ExtractContext
from dlp.extract.errors import NeedsOcr
from dlp.extract.model import TextPart
from dlp.extract.ocr import NO_ENGINE, ocr_text, tesseract_path


def iter_image(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    if tesseract_path(ctx.config.tesseract_command) is None:
        raise NeedsOcr(f"an image, and {NO_ENGINE.format(command=ctx.config.tesseract_command)}")
    text = ocr_text(data, ctx, ctx.path or "the image")
    if text:
        yield TextPart(text, ctx.locate("image text"))
