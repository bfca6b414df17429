"""Property tests: no input makes the extractor raise, and every result is self-consistent."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlp.extract import ExtractConfig, ExtractResult, extract, sniff_type
from dlp.records import FileOutcome

from .builders import FIXTURES, build_7z, build_docx, build_odf, build_pdf, build_pptx, build_tar, build_xls, build_xlsx, build_zip
from .cfb import build_msg

CONFIG = ExtractConfig(timeout_seconds=10, max_file_mb=5)
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
MAGICS = [
    b"%PDF-1.7\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf1 ", b"\xef\xbb\xbf", b"\xff\xfe",
    b"From: a@b.c\nTo: d@e.f\nSubject: x\n\n", b"<html>", b"<?xml version='1.0'?>", b"{", b"\x89PNG\r\n\x1a\n",
    b"\x1f\x8b\x08\x00", b"BZh9", b"\xfd7zXZ\x00", b"7z\xbc\xaf\x27\x1c",
]  # fmt: skip


@lru_cache(maxsize=1)
def real_files() -> dict[str, bytes]:
    return {
        "a.pdf": build_pdf(["SSN 123-45-6789", "second page"]),
        "a.docx": build_docx(["para"], tables=[[["a", "b"]]], header="h", comment="c"),
        "a.xlsx": build_xlsx({"S": [["h", "v"], [1, "x"]]}),
        "a.pptx": build_pptx([{"title": "t", "notes": "n", "table": [["a"]]}]),
        "a.zip": build_zip({"in.txt": b"hello", "in.docx": build_docx(["x"])}),
        "a.msg": build_msg("s", "b", attachments=[("t.txt", b"x")]),
        "a.doc": (FIXTURES / "memo.doc").read_bytes(),
        "b.doc": (FIXTURES / "word97-8bit.doc").read_bytes(),
        "a.ppt": (FIXTURES / "deck.ppt").read_bytes(),
        "a.xls": (FIXTURES / "payroll.xls").read_bytes(),
        "b.xls": build_xls({"S": [["h", 1]]}, formulas={"B2": 'IF(A1="h";"x";"y")'}),
        "a.xlsb": (FIXTURES / "embedded-simple-2007.xlsb").read_bytes(),
        "a.odt": build_odf("text"),
        "a.fods": build_odf("spreadsheet", flat=True),
        "a.7z": build_7z({"in.txt": b"hello"}),
        "a.tar.gz": build_tar({"in.txt": b"hello"}, "w:gz"),
        "a.rtf": rb"{\rtf1\ansi{\fonttbl{\f0 A;}}{\header h}\u-10179?\u-8704? x{\*\annotation c}{\pict\bin3 {}}\par}",
    }


def assert_consistent(result: ExtractResult) -> None:
    assert isinstance(result.outcome, FileOutcome)
    assert isinstance(result.reason, str) and result.reason
    assert result.chars == sum(len(p.text) for p in result.parts) <= CONFIG.max_chars
    assert all(p.text for p in result.parts)
    if result.outcome is not FileOutcome.SCANNED and result.parts:
        assert result.truncated


@FUZZ
@given(data=st.binary(max_size=4096), name=st.sampled_from([None, "a.pdf", "a.docx", "a.xlsx", "a.csv", "a.txt"]))
def test_random_bytes_never_raise(data: bytes, name: str | None) -> None:
    assert_consistent(extract(data, name, CONFIG))


@FUZZ
@given(magic=st.sampled_from(MAGICS), tail=st.binary(max_size=2048))
def test_bytes_behind_a_format_signature_never_raise(magic: bytes, tail: bytes) -> None:
    data = magic + tail
    assert isinstance(sniff_type(data), str)
    assert_consistent(extract(data, None, CONFIG))


@FUZZ
@given(name=st.sampled_from(sorted(real_files())), data=st.data())
def test_damaged_real_files_never_raise(name: str, data: st.DataObject) -> None:
    original = bytearray(real_files()[name])
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(1, 255)), max_size=8))
    for position, mask in flips:
        original[position] ^= mask
    cut = data.draw(st.integers(0, len(original)))
    assert_consistent(extract(bytes(original[: cut or len(original)]), name, CONFIG))


@FUZZ
@given(text=st.text(max_size=2000), encoding=st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32"]))
def test_any_text_reads_back(text: str, encoding: str) -> None:
    result = extract(text.encode(encoding), "notes.txt", CONFIG)
    assert_consistent(result)
    if result.file_type == "txt" and encoding != "utf-16-le" and text.strip():
        assert "".join(p.text for p in result.parts) == text
