"""7-Zip, tar and compressed streams: members read as what they are, under the same bomb limits as ZIP."""

from __future__ import annotations

import bz2
import gzip
import lzma

import pytest

from dlp.extract import ExtractConfig, extract
from dlp.records import FileOutcome

from .builders import build_7z, build_docx, build_tar, build_zip

ZEROS = 60 * 1024 * 1024  # past the 100:1 ratio once 1 MB is out, and compressing in well under a second
MEMBERS = {"notes/card.txt": b"card 4111 1111 1111 1111", "offer.docx": build_docx(["Offer for 123-45-6789"])}
EXPECTED = [("{0}/notes/card.txt", "card 4111 1111 1111 1111"), ("{0}/offer.docx: paragraph 1", "Offer for 123-45-6789")]


@pytest.mark.parametrize(
    ("name", "file_type", "data"),
    [
        ("backup.7z", "7z", build_7z(MEMBERS)),
        ("backup.tar", "tar", build_tar(MEMBERS)),
        ("backup.tar.gz", "gzip", build_tar(MEMBERS, "w:gz")),
        ("backup.tgz", "gzip", build_tar(MEMBERS, "w:gz")),
        ("backup.tar.bz2", "bzip2", build_tar(MEMBERS, "w:bz2")),
        ("backup.tar.xz", "xz", build_tar(MEMBERS, "w:xz")),
    ],
)
def test_archive_members_are_read_with_their_paths(name: str, file_type: str, data: bytes) -> None:
    result = extract(data, name)
    assert (result.file_type, result.outcome) == (file_type, FileOutcome.SCANNED), result.reason
    assert [(p.location, p.text) for p in result.parts] == [(loc.format(name), text) for loc, text in EXPECTED]


@pytest.mark.parametrize(
    ("name", "compress"), [("people.csv.gz", gzip.compress), ("people.csv.bz2", bz2.compress), ("people.csv.xz", lzma.compress)]
)
def test_a_single_compressed_file_is_read_as_the_file_it_holds(name: str, compress) -> None:  # type: ignore[no-untyped-def]
    result = extract(compress(b"name,email\nAda,ada@example.com\n"), name)
    assert result.outcome is FileOutcome.SCANNED
    cell = next(p for p in result.parts if p.text == "ada@example.com")
    assert (cell.location, cell.context) == (f"{name}/people.csv: B2", "email")


@pytest.mark.parametrize(
    ("name", "bomb"),
    [
        ("zeros.gz", lambda: gzip.compress(bytes(ZEROS))),
        ("zeros.tar.xz", lambda: lzma.compress(build_tar({"zeros.bin": bytes(ZEROS)}))),
        ("zeros.7z", lambda: build_7z({"zeros.bin": bytes(ZEROS)})),
    ],
)
def test_decompression_bombs_are_stopped_by_the_zip_limits(name: str, bomb) -> None:  # type: ignore[no-untyped-def]
    data = bomb()
    assert len(data) < 1024 * 1024
    result = extract(data, name)
    assert result.outcome is FileOutcome.TOO_LARGE and "bomb" in result.reason


def test_the_decompressed_budget_is_shared_with_nested_archives() -> None:
    inner = build_zip({"a.txt": bytes(3 * 1024 * 1024)})
    data = gzip.compress(build_tar({"inner.zip": inner, "b.txt": b"x" * (3 * 1024 * 1024)}))
    result = extract(data, "nested.tar.gz", ExtractConfig(max_decompressed_mb=5, max_compression_ratio=10_000))
    assert result.outcome is FileOutcome.TOO_LARGE and "max_decompressed_mb" in result.reason


def test_archive_depth_and_member_limits_hold_for_tar_and_7z() -> None:
    nested = build_tar({"inner.tar": build_tar({"deep.txt": b"deep secret"})})
    result = extract(nested, "outer.tar", ExtractConfig(max_archive_depth=1))
    assert result.parts == [] and result.truncated and "max_archive_depth" in result.reason
    many = build_7z({f"f{n}.txt": b"x" for n in range(5)})
    result = extract(many, "many.7z", ExtractConfig(max_archive_members=2))
    assert len(result.parts) == 2 and result.truncated and "max_archive_members" in result.reason


def test_a_password_protected_7z_is_encrypted() -> None:
    result = extract(build_7z({"a.txt": b"secret"}, password="pw"), "locked.7z")
    assert result.outcome is FileOutcome.ENCRYPTED and result.parts == []


def test_a_truncated_gzip_keeps_what_was_read_and_says_so() -> None:
    data = gzip.compress(b"first line of the log\n" * 20000)
    result = extract(data[: len(data) // 2], "app.log.gz")
    assert result.outcome is FileOutcome.SCANNED and result.parts
    assert result.truncated and "cut short" in result.reason
    assert not extract(b"\x1f\x8b\x08\x00garbage", "x.gz").scanned
