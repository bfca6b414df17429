"""The real type comes from the bytes; the name's extension is only a hint."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from dlp.extract import ExtractConfig, extract, sniff_type
from dlp.records import FileOutcome

from .builders import build_docx, build_pdf, build_pptx, build_xlsx, build_zip


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def test_a_pdf_named_txt_is_a_pdf_and_is_read_as_one() -> None:
    data = build_pdf(["SSN 123-45-6789"])
    assert sniff_type(data, "notes.txt") == "pdf"
    result = extract(data, "notes.txt")
    assert result.file_type == "pdf" and result.parts[0].location == "page 1"


def test_an_executable_named_docx_is_not_a_docx() -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200) + b"This program cannot be run in DOS mode"
    result = extract(exe, "invoice.docx")
    assert result.file_type == "executable"
    assert result.outcome is FileOutcome.UNSUPPORTED and result.parts == []


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (build_docx(["x"]), "sheet.xlsx", "docx"),
        (build_xlsx({"S": [["x"]]}), "doc.docx", "xlsx"),
        (build_pptx([{"title": "x"}]), None, "pptx"),
        (build_zip({"a.txt": b"x"}), "a.docx", "zip"),
        (b"{\\rtf1\\ansi hello}", "a.txt", "rtf"),
        (b"a,b\n1,2\n", "a.csv", "csv"),
        (b"a\tb\n", "a.tsv", "csv"),
        (b'{"a": 1}', None, "json"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "page.txt", "html"),
        (b'<?xml version="1.0"?><a>x</a>', None, "xml"),
        (b"#!/bin/sh\necho hi\n", None, "code"),
        (b"print('hi')\n", "x.py", "code"),
        (b"From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody\r\n", None, "eml"),
        (b"just words", None, "txt"),
        (b"\x89PNG\r\n\x1a\n" + bytes(32), "photo.txt", "png"),
        (b"\x1f\x8b\x08\x00" + bytes(32), "a.txt", "gzip"),
        (bytes(range(256)) * 4, "data.txt", "unknown"),
    ],
)
def test_sniffing_trusts_bytes_over_names(data: bytes, name: str | None, expected: str) -> None:
    assert sniff_type(data, name) == expected


def test_a_zip_with_a_broken_directory_named_docx_is_a_corrupt_docx() -> None:
    data = build_docx(["x"])
    broken = data[: data.rfind(b"PK\x05\x06")]  # drop the end-of-central-directory record
    assert sniff_type(broken, "a.docx") == "docx"
    assert extract(broken, "a.docx").outcome is FileOutcome.CORRUPT


def test_images_are_unsupported_when_the_image_type_is_left_out() -> None:
    config = ExtractConfig(include_types=ExtractConfig().include_types - {"image"})
    result = extract(_png(), "scan.png", config)
    assert result.file_type == "png"
    assert result.outcome is FileOutcome.UNSUPPORTED_IMAGE and "OCR" in result.reason


def test_rar_archives_are_unsupported_with_a_reason() -> None:
    result = extract(b"Rar!\x1a\x07\x01\x00" + bytes(64), "backup.zip")
    assert (result.file_type, result.outcome) == ("rar", FileOutcome.UNSUPPORTED)
    assert "RAR" in result.reason


def test_a_zip_member_listing_does_not_need_the_member_bytes() -> None:
    with zipfile.ZipFile(io.BytesIO(build_zip({"word/document.xml": b"<x/>"}))) as archive:
        assert archive.namelist() == ["word/document.xml"]
    # no [Content_Types].xml: an archive that merely has a word/ folder is a ZIP, not a DOCX
    assert sniff_type(build_zip({"word/document.xml": b"<x/>"})) == "zip"


def test_a_password_protected_office_file_is_encrypted_whatever_its_name() -> None:
    import msoffcrypto.format.ooxml

    plain = io.BytesIO(build_docx(["Board minutes: acquisition of ACME"]))
    locked = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("s3cret", locked)
    assert sniff_type(locked.getvalue(), "minutes.docx") == "encrypted_office"
    result = extract(locked.getvalue(), "minutes.docx")
    assert result.outcome is FileOutcome.ENCRYPTED and result.parts == []
