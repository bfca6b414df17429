"""ZIP archives: members read as what they are, nesting, and the hostile cases within their limits."""

from __future__ import annotations

import io
import struct
import time
import zipfile

from dlp.extract import ExtractConfig, extract
from dlp.records import FileOutcome

from .builders import build_docx, build_pdf, build_xlsx, build_zip


def test_members_are_read_as_the_files_they_are_with_archive_paths() -> None:
    data = build_zip(
        {
            "inner.docx": build_docx(["Offer for 123-45-6789"]),
            "reports/q3.pdf": build_pdf(["Q3 revenue"]),
            "pay.xlsx": build_xlsx({"S": [["SSN"], ["078-05-1120"]]}),
            "notes.txt": b"plain note",
        }
    )
    result = extract(data, "archive.zip")
    assert result.outcome is FileOutcome.SCANNED and result.file_type == "zip"
    assert [(p.location, p.text, p.context) for p in result.parts] == [
        ("archive.zip/inner.docx: paragraph 1", "Offer for 123-45-6789", ""),
        ("archive.zip/reports/q3.pdf: page 1", "Q3 revenue", ""),
        ("archive.zip/pay.xlsx: S!A1", "SSN", ""),
        ("archive.zip/pay.xlsx: S!A2", "078-05-1120", "SSN"),
        ("archive.zip/notes.txt", "plain note", ""),
    ]


def test_without_a_file_name_member_paths_start_at_the_member() -> None:
    parts = extract(build_zip({"a.txt": b"alpha"})).parts
    assert [p.location for p in parts] == ["a.txt"]


def test_members_that_cannot_be_read_are_named_and_the_rest_is_read() -> None:
    data = build_zip(
        {
            "tool.exe": b"MZ" + bytes(300),
            "broken.pdf": b"%PDF-1.7\n1 0 obj garbage",
            "fine.txt": b"still read",
        }
    )
    result = extract(data, "mixed.zip")
    assert result.outcome is FileOutcome.SCANNED
    assert [p.text for p in result.parts] == ["still read"]
    assert "mixed.zip/tool.exe: unsupported" in result.reason
    assert "mixed.zip/broken.pdf: corrupt" in result.reason
    assert result.truncated  # the corrupt member was not read


def test_a_zip_bomb_is_refused_before_anything_is_inflated() -> None:
    bomb = build_zip({"zeros.bin": bytes(300 * 1024 * 1024)})  # 300 MB of zeros in about 300 kB
    assert len(bomb) < 1024 * 1024
    started = time.monotonic()
    result = extract(bomb, "bomb.zip")
    assert time.monotonic() - started < 1.0  # nothing was inflated
    assert result.outcome is FileOutcome.TOO_LARGE
    assert "zip bomb" in result.reason


def test_a_nested_zip_bomb_stops_at_the_shared_decompression_budget() -> None:
    level = build_zip({"data.txt": b"SSN 123-45-6789 " + b"a" * (3 * 1024 * 1024)})
    for _ in range(2):
        level = build_zip({f"copy{n}.zip": level for n in range(8)})
    config = ExtractConfig(max_decompressed_mb=20, max_compression_ratio=1e9)
    result = extract(level, "nested-bomb.zip", config)
    assert result.outcome is FileOutcome.TOO_LARGE
    assert "max_decompressed_mb" in result.reason
    assert result.truncated and len(result.parts) < 64  # what was read before the budget ran out is kept


def test_overlapping_entries_cannot_multiply_the_budget() -> None:
    """The densest zip bombs point many directory entries at one compressed kernel."""
    kernel = build_zip({"k": bytes(4 * 1024 * 1024)})
    with zipfile.ZipFile(io.BytesIO(kernel)) as archive:
        info = archive.infolist()[0]
    central = kernel[kernel.index(b"PK\x01\x02") : kernel.index(b"PK\x05\x06")]
    end = bytearray(kernel[kernel.index(b"PK\x05\x06") :])
    copies = 100
    struct.pack_into("<HHII", end, 8, copies, copies, len(central) * copies, kernel.index(b"PK\x01\x02"))
    bomb = kernel[: kernel.index(b"PK\x01\x02")] + central * copies + bytes(end)
    assert info.file_size * copies > 200 * 1024 * 1024
    result = extract(bomb, "overlap.zip")
    assert result.outcome is FileOutcome.TOO_LARGE


def test_a_deeply_nested_archive_is_read_to_the_depth_limit_only() -> None:
    level = build_zip({"secret.txt": b"level 5 secret"})
    for depth in range(4, 0, -1):
        level = build_zip({f"level{depth + 1}.zip": level, f"note{depth}.txt": f"level {depth} note".encode()})
    result = extract(level, "deep.zip", ExtractConfig(max_archive_depth=3))
    located = {p.text: p.location for p in result.parts}
    assert sorted(located) == ["level 1 note", "level 2 note", "level 3 note"]
    assert located["level 3 note"] == "deep.zip/level2.zip/level3.zip/note3.txt"
    assert result.outcome is FileOutcome.SCANNED and result.truncated
    assert "deep.zip/level2.zip/level3.zip/level4.zip: archive nested deeper than 3 levels" in result.reason


def test_members_past_max_archive_members_are_not_opened() -> None:
    data = build_zip({f"f{n}.txt": f"file {n}".encode() for n in range(30)})
    result = extract(data, "many.zip", ExtractConfig(max_archive_members=10))
    assert len(result.parts) == 10
    assert result.truncated and "20 archive members not opened" in result.reason


def test_password_protected_members_are_reported() -> None:
    data = bytearray(build_zip({"a.txt": b"secret a", "b.txt": b"secret b"}, compression=zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in every local and central header, as a password-protecting zipper does.
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature)
        while position != -1:
            data[position + flag_offset] |= 0x1
            position = data.find(signature, position + 4)
    result = extract(bytes(data), "locked.zip")
    assert result.outcome is FileOutcome.ENCRYPTED
    assert result.parts == [] and "password-protected" in result.reason


def test_excluded_member_types_are_skipped_by_policy_not_as_a_gap() -> None:
    data = build_zip({"a.csv": b"x,y\n1,2\n", "b.txt": b"text"})
    config = ExtractConfig(include_types=frozenset({"zip", "txt"}))
    result = extract(data, "policy.zip", config)
    assert [p.text for p in result.parts] == ["text"]
    assert "policy.zip/a.csv: type_excluded" in result.reason
    assert not result.truncated
