"""OCR: images and image-only PDF pages are read by Tesseract when it is installed, within a per-file budget,
and are their own outcome, `needs_ocr`, when it is not: never a silent "scanned, no text"."""

from __future__ import annotations

import io
import shutil

import pytest
from PIL import Image, ImageDraw, ImageFont

from dlp.extract import ExtractConfig, extract
from dlp.records import FileOutcome

from .builders import build_pdf, build_zip

NO_OCR = ExtractConfig(tesseract_command="/nonexistent/tesseract")  # as on a machine without the package
needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="the tesseract binary is not installed (Debian: apt-get install tesseract-ocr; .ci/run installs it)",
)
LINE = "INVOICE 4111 1111 1111 1111"


def text_image(text: str, image_format: str = "PNG") -> bytes:
    image = Image.new("L", (1400, 160), 255)
    ImageDraw.Draw(image).text((40, 40), text, fill=0, font=ImageFont.load_default(size=56))
    out = io.BytesIO()
    image.save(out, image_format)
    return out.getvalue()


def image_pdf(*texts: str) -> bytes:
    """A scanned document: pages that are pictures, with no text layer (Pillow writes one image per page)."""
    pages = [Image.open(io.BytesIO(text_image(text))).convert("RGB") for text in texts]
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    return out.getvalue()


def test_an_image_without_an_ocr_engine_needs_ocr() -> None:
    result = extract(text_image(LINE), "scan.png", NO_OCR)
    assert result.outcome is FileOutcome.NEEDS_OCR and result.parts == []
    assert "apt-get install tesseract-ocr" in result.reason


def test_image_only_pdf_pages_without_an_ocr_engine_make_the_file_need_ocr() -> None:
    result = extract(image_pdf("page one", "page two"), "scan.pdf", NO_OCR)
    assert result.outcome is FileOutcome.NEEDS_OCR
    assert "2 image(s) or image-only page(s) not read: page 1, page 2" in result.reason


def test_text_pages_are_still_read_when_other_pages_need_ocr() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for source in (build_pdf(["typed page SSN 123-45-6789"]), image_pdf("scanned page")):
        for page in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    result = extract(out.getvalue(), "mixed.pdf", NO_OCR)
    assert result.outcome is FileOutcome.NEEDS_OCR and "page 2" in result.reason
    assert [(p.location, p.text) for p in result.parts] == [("page 1", "typed page SSN 123-45-6789")]


def test_an_image_inside_an_archive_makes_the_archive_need_ocr() -> None:
    result = extract(build_zip({"scan.png": text_image(LINE), "note.txt": b"typed"}), "box.zip", NO_OCR)
    assert result.outcome is FileOutcome.NEEDS_OCR and "box.zip/scan.png" in result.reason
    assert [p.text for p in result.parts] == ["typed"]


def test_with_ocr_turned_off_images_are_unsupported_and_scanned_pages_are_noted() -> None:
    config = ExtractConfig(include_types=ExtractConfig().include_types - {"image"})
    assert extract(text_image(LINE), "scan.png", config).outcome is FileOutcome.UNSUPPORTED_IMAGE
    result = extract(image_pdf("scanned"), "scan.pdf", config)
    assert result.outcome is FileOutcome.SCANNED and result.truncated and "OCR is off" in result.reason


@needs_tesseract
@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "TIFF"])
def test_tesseract_reads_the_text_of_an_image(image_format: str) -> None:
    result = extract(text_image(LINE, image_format), f"scan.{image_format.lower()}")
    assert result.outcome is FileOutcome.SCANNED, result.reason
    [(location, text)] = [(p.location, p.text) for p in result.parts]
    assert location == "image text" and "4111 1111 1111 1111" in text


@needs_tesseract
def test_tesseract_reads_image_only_pdf_pages() -> None:
    result = extract(image_pdf("INVOICE 4111 1111 1111 1111", "IBAN GB82 WEST 1234"), "scan.pdf")
    assert result.outcome is FileOutcome.SCANNED, result.reason
    pages = {p.location: p.text for p in result.parts}
    assert set(pages) == {"page 1 image text", "page 2 image text"}
    assert "4111 1111 1111 1111" in pages["page 1 image text"] and "GB82" in pages["page 2 image text"]


@needs_tesseract
def test_the_ocr_page_budget_is_kept_and_the_rest_is_noted() -> None:
    result = extract(image_pdf("first page", "second page", "third page"), "scan.pdf", ExtractConfig(ocr_max_pages=1))
    assert [p.location for p in result.parts] == ["page 1 image text"]
    assert result.truncated and "page 2: not OCR'd" in result.reason and "ocr_max_pages" in result.reason


def test_a_file_that_needs_ocr_is_counted_in_the_scan_summary(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from detectors.engine import EngineSpec
    from dlp.inspect import FileJob, Inspector, InspectorSpec
    from dlp.records import ScanContext
    from dlp.store.db import Batch, FileRecord, Store
    from dlp.summary import summarize

    spec = InspectorSpec(EngineSpec(), NO_OCR, b"k" * 32, isolate_files=False)
    result = Inspector(spec).inspect_file(FileJob("file:1", text_image(LINE), "scan.png", ScanContext(kind="attachment")))
    assert result.outcome is FileOutcome.NEEDS_OCR
    db = tmp_path / "f.duckdb"
    with Store(db) as store:
        store.start_scan("s1", api_url="u", workspace_id="ws", mode="forward")
        record = FileRecord("file-1", result.outcome.value, result.reason, file_type=result.file_type)
        store.commit("s1", Batch(files=[record, FileRecord("file-2", "scanned")]))
    files = next(table for table in summarize(db) if table.title == "files")
    assert ("needs_ocr", 1) in files.rows
