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
