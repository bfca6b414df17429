"""The isolated extractor: same results as in-process, killed on a hang, survives crashes, memory capped."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from dlp.extract import ExtractConfig, IsolatedExtractor, extract, extract_isolated
from dlp.records import FileOutcome

from . import targets
from .builders import build_docx, build_pdf, build_pptx, build_xlsx, build_zip
from .cfb import build_msg


@pytest.fixture(scope="module")
def isolated() -> Iterator[IsolatedExtractor]:
    with IsolatedExtractor() as extractor:
        yield extractor


def test_results_equal_in_process_extraction_under_the_default_memory_cap(isolated: IsolatedExtractor) -> None:
    files = {
        "r.pdf": build_pdf(["SSN 123-45-6789", "page two"]),
        "d.docx": build_docx(["hello"], tables=[[["a", "b"]]]),
        "x.xlsx": build_xlsx({"S": [["h"], [1]]}),
        "bad.pdf": b"%PDF-1.4 garbage",
        "s.pptx": build_pptx([{"title": "t", "notes": "n"}]),
        "m.msg": build_msg("subject", "body", attachments=[("a.txt", b"attached")]),
        "a.zip": build_zip({"in.docx": build_docx(["zipped"]), "in.rtf": rb"{\rtf1 rtf text}"}),
    }
    for name, data in files.items():
        result = isolated.extract(data, name, ExtractConfig())
        assert result == extract(data, name, ExtractConfig())
        assert result.scanned == (name != "bad.pdf"), (name, result.reason)


def test_the_worker_is_reused_between_files(isolated: IsolatedExtractor) -> None:
    isolated.extract(b"one", "a.txt", ExtractConfig())
    pids = isolated.worker_pids()
    isolated.extract(b"two", "b.txt", ExtractConfig())
    assert isolated.worker_pids() == pids and len(pids) == 1


def test_many_parts_arrive_in_batches_intact(isolated: IsolatedExtractor) -> None:
    data = "\n".join(f"r{n},v{n}" for n in range(3000)).encode()
    result = isolated.extract(data, "rows.csv", ExtractConfig())
    assert len(result.parts) == 6000 and result.parts[-1].location == "B3000"


def test_a_hanging_parser_is_killed_and_the_text_read_before_is_kept() -> None:
    config = ExtractConfig(timeout_seconds=0.2)
    with IsolatedExtractor(target=targets.hang_after_one_part) as extractor:
        result = extractor.extract(b"x", "hang.txt", config)
        assert result.outcome is FileOutcome.TIMEOUT
        assert [p.text for p in result.parts] == ["read before the hang"]
        assert result.truncated and "timeout_seconds" in result.reason
        assert extractor.worker_pids() == []  # the killed worker is gone ...
        again = extractor.extract(b"x", "hang.txt", config)  # ... and replaced on the next file
        assert again.outcome is FileOutcome.TIMEOUT


def test_a_crashing_parser_is_a_corrupt_file_and_the_next_file_is_served() -> None:
    with IsolatedExtractor(target=targets.crash) as extractor:
        result = extractor.extract(b"x", "crash.bin", ExtractConfig())
        assert result.outcome is FileOutcome.CORRUPT
        assert "SIGSEGV" in result.reason
        assert extractor.extract(b"x", "crash.bin", ExtractConfig()).outcome is FileOutcome.CORRUPT


def test_the_child_runs_under_the_memory_cap() -> None:
    config = dataclasses.replace(ExtractConfig(), max_memory_mb=1024)
    with IsolatedExtractor(target=targets.allocate_past_the_cap) as extractor:
        result = extractor.extract(b"x", "big.bin", config)
    assert [p.text for p in result.parts] == ["MemoryError"]


def test_extract_isolated_uses_a_shared_worker_by_default() -> None:
    result = extract_isolated(b"SSN 123-45-6789", "n.txt", ExtractConfig())
    assert result.outcome is FileOutcome.SCANNED and result.parts[0].text == "SSN 123-45-6789"
