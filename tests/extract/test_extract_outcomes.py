"""Outcomes and reasons: one per file, in words of our own, never quoting the file."""

from __future__ import annotations

import pytest

from dlp.extract import ExtractConfig, extract, iter_parts
from dlp.records import FileOutcome

from .builders import FIXTURES, build_docx, build_pdf, build_xlsx, build_zip, rewrite_zip

SECRET = "078-05-1120"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.docx", rewrite_zip(build_docx(["x"]), lambda n, c: f"<w:document>{SECRET}<".encode() if n == "word/document.xml" else c)),
        ("broken.xlsx", rewrite_zip(build_xlsx({"S": [["x"]]}), lambda n, c: f"<workbook {SECRET}".encode() if n == "xl/workbook.xml" else c)),
        ("broken.pdf", f"%PDF-1.7\n1 0 obj << /Secret ({SECRET}) ".encode()),
        ("broken.json", f'{{"ssn": "{SECRET}"'.encode()),
        ("in.zip", build_zip({f"{SECRET}.txt": b"\xff" * 10, "bad.pdf": f"%PDF-1.4 {SECRET}".encode()})),
    ],
)  # fmt: skip
def test_reasons_never_quote_file_content(name: str, data: bytes) -> None:
    result = extract(data, name)
    assert result.reason
    content_in_reason = result.reason.replace(f"{SECRET}.txt", "")  # a member's *name* may be shown
    assert SECRET not in content_in_reason


def test_iter_parts_streams_and_reports_the_outcome_at_the_end() -> None:
    run = iter_parts(build_pdf(["one", "two"]), "r.pdf")
    assert run.outcome is None and run.file_type == "pdf"
    seen = [part.location for part in run]
    assert seen == ["page 1", "page 2"]
    assert run.outcome is FileOutcome.SCANNED and run.chars == 6
    with pytest.raises(RuntimeError):
        list(run)


def test_stopping_a_stream_early_releases_the_file() -> None:
    run = iter_parts(build_xlsx({"S": [[n] for n in range(100)]}), "s.xlsx")
    stream = iter(run)
    assert next(stream).location == "S!A1"
    stream.close()  # the workbook is closed by the extractor's finally
    assert run.outcome is FileOutcome.SCANNED


def test_each_outcome_is_reached_by_a_real_file() -> None:
    small = ExtractConfig(max_file_mb=0.001)
    no_images = ExtractConfig().include_types - {"image"}
    cases = {
        FileOutcome.SCANNED: extract(b"hello", "a.txt"),
        FileOutcome.TOO_LARGE: extract(b"x" * 5000, "a.txt", small),
        FileOutcome.TYPE_EXCLUDED: extract(b"a,b", "a.csv", ExtractConfig(include_types=frozenset({"pdf"}))),
        FileOutcome.CORRUPT: extract(b"%PDF-1.4 nothing else", "a.pdf"),
        FileOutcome.UNSUPPORTED: extract(b"\x7fELF" + bytes(60), "a.bin"),
        FileOutcome.UNSUPPORTED_IMAGE: extract(b"GIF89a" + bytes(30), "a.gif", ExtractConfig(include_types=no_images)),
        FileOutcome.NEEDS_OCR: extract(b"GIF89a" + bytes(30), "a.gif", ExtractConfig(tesseract_command="/no/such/ocr")),
        FileOutcome.ENCRYPTED: extract((FIXTURES / "encrypted.doc").read_bytes(), "a.doc"),
    }
    for outcome, result in cases.items():
        assert result.outcome is outcome, (outcome, result.reason)
