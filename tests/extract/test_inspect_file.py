"""`dlp inspect FILE`: extracted in the scan's killable child process, and never cut short in silence."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dlp.cli import app
from dlp.extract import ExtractConfig
from dlp.inspect import extract_untrusted_file, file_summary

from .builders import FIXTURES

runner = CliRunner()
CARD = "4111 1111 1111 1111"


def test_a_file_read_whole_prints_findings_only_and_exits_0(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "memo.doc"
    path.write_bytes((FIXTURES / "memo.doc").read_bytes())
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert all("summary" not in line for line in lines)
    card = next(line for line in lines if line["entity"] == "CREDIT_CARD")
    assert card["location"] == "paragraph 2"


def test_a_file_that_cannot_be_read_ends_with_a_summary_line_and_exit_3(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "locked.xls"
    path.write_bytes((FIXTURES / "encrypted.xls").read_bytes())
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 3
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["summary"] is True and summary["truncated"] is True and summary["outcome"] == "encrypted"
    assert "not read whole" in result.stderr


def test_a_truncated_extraction_is_summarised_with_what_was_read() -> None:
    text = f"card {CARD}\n" * 50
    result = extract_untrusted_file(text.encode(), "notes.txt", ExtractConfig(max_chars=100))
    assert result.chars == 100 and result.truncated
    summary = file_summary("notes.txt", result)
    assert summary is not None and summary["truncated"] is True and summary["chars_read"] == 100
    assert "max_chars" in str(summary["reason"])


def test_untrusted_files_are_extracted_in_a_child_process() -> None:
    from dlp.extract.isolate import default_extractor

    extract_untrusted_file(b"hello", "a.txt")
    assert default_extractor().worker_pids(), "the extraction ran in this process"


@pytest.mark.slow
def test_a_text_file_past_the_character_limit_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.txt"
    line = f"ticket payroll record card {CARD}\n"
    path.write_text(line * (21_000_000 // len(line)))
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 3
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["truncated"] is True and summary["chars_read"] == 20_000_000
    assert "max_chars" in result.stderr


def no_extraction_workers() -> None:
    """Stop the process-wide extractor's workers; the next extraction starts a new extractor."""
    from dlp.extract.isolate import default_extractor

    default_extractor().close()
    default_extractor.cache_clear()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "latin-1"])
def test_a_small_text_file_is_read_in_process_with_the_findings_the_child_gives(tmp_path, encoding) -> None:  # type: ignore[no-untyped-def]
    from dlp.extract.isolate import default_extractor

    text = f"Café order for Zoë: card {CARD}, call +44 20 7946 0958.\nSSN 123-45-6789 on file\n"
    path = tmp_path / "note.txt"
    path.write_bytes(text.encode(encoding))
    child = runner.invoke(app, ["inspect", "-"], input=extract_untrusted_file(path.read_bytes(), "note.txt").parts[0].text)
    no_extraction_workers()  # the next call must not start one
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == child.stdout and "CREDIT_CARD" in result.stdout
    assert default_extractor().worker_pids() == []


def test_a_text_file_past_the_in_process_size_goes_to_the_child(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dlp.cli import INLINE_TEXT_FILE_BYTES
    from dlp.extract.isolate import default_extractor

    path = tmp_path / "long.txt"
    line = f"card {CARD}\n"
    path.write_text(line * (INLINE_TEXT_FILE_BYTES // len(line) + 1))
    no_extraction_workers()
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count('"entity": "CREDIT_CARD"') == INLINE_TEXT_FILE_BYTES // len(line) + 1
    assert default_extractor().worker_pids(), "a large file was read in this process"
