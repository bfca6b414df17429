"""`extract:` in the YAML configuration sets every ExtractConfig field, checked where it is built."""

from __future__ import annotations

import dataclasses

import pytest

from dlp.config import ConfigError, load_config
from dlp.extract import ExtractConfig
from dlp.pipeline import extract_config


def test_every_extract_setting_can_be_written_in_yaml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "dlp.yaml"
    path.write_text(
        "extract:\n"
        "  max_file_mb: 10\n  include_types: [pdf, doc, image]\n  max_decompressed_mb: 50\n"
        "  max_compression_ratio: 20\n  max_pages: 30\n  max_sheets: 4\n  max_cells: 500\n"
        "  max_archive_depth: 1\n  max_archive_members: 9\n  timeout_seconds: 12\n  max_chars: 1000\n"
        "  max_memory_mb: 512\n  tesseract_command: /opt/ocr/tesseract\n  ocr_max_pages: 3\n"
        "  ocr_timeout_seconds: 7\n"
    )
    config = extract_config(load_config(path))
    assert config == ExtractConfig(
        max_file_mb=10, include_types=frozenset({"pdf", "doc", "image"}), max_decompressed_mb=50,
        max_compression_ratio=20, max_pages=30, max_sheets=4, max_cells=500, max_archive_depth=1,
        max_archive_members=9, timeout_seconds=12, max_chars=1000, max_memory_mb=512,
        tesseract_command="/opt/ocr/tesseract", ocr_max_pages=3, ocr_timeout_seconds=7,
    )  # fmt: skip
    written = {line.split(":")[0].strip() for line in path.read_text().splitlines()[1:]}
    assert written == {f.name for f in dataclasses.fields(ExtractConfig)}


def test_null_include_types_means_the_defaults(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "dlp.yaml"
    path.write_text("extract:\n  include_types: null\n")
    assert load_config(path).extract.include_types == ExtractConfig().include_types


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("extract:\n  include_types: [pdf, docz]\n", "extract: unknown file type(s) in include_types: docz"),
        ("extract:\n  max_pages: 0\n", "extract: max_pages must be at least 1"),
        ("extract:\n  max_chars: many\n", "'extract.max_chars' must be a number"),
        ("extract:\n  ocr_pages: 3\n", "unknown key 'extract.ocr_pages'"),
    ],
)
def test_bad_extract_settings_name_the_key(tmp_path, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "dlp.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    assert expected in str(excinfo.value) and "dlp.yaml" in str(excinfo.value)
