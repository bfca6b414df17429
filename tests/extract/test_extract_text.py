"""Text formats: encodings, CSV/TSV cells, JSON Lines, HTML, and the per-file filters."""

from __future__ import annotations

import codecs

import pytest

from dlp.extract import ExtractConfig, extract
from dlp.records import FileOutcome


@pytest.mark.parametrize(
    "encoded",
    [
        "Zoë Müller, SSN 123-45-6789, café".encode(),
        codecs.BOM_UTF8 + "Zoë Müller, SSN 123-45-6789, café".encode(),
        "Zoë Müller, SSN 123-45-6789, café".encode("utf-16"),  # with a BOM
        "Zoë Müller, SSN 123-45-6789, café".encode("utf-16-le"),  # without one, as Windows tools write it
        "Zoë Müller, SSN 123-45-6789, café".encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le-nobom", "cp1252"],
)
def test_text_in_any_common_encoding_is_decoded(encoded: bytes) -> None:
    result = extract(encoded, "notes.txt")
    assert result.outcome is FileOutcome.SCANNED
    assert [(p.location, p.text) for p in result.parts] == [("", "Zoë Müller, SSN 123-45-6789, café")]


def test_cyrillic_in_a_legacy_code_page_is_detected() -> None:
    text = "Паспорт гражданина: серия 4509 номер 123456, выдан отделом полиции города Москвы. " * 3
    result = extract(text.encode("cp1251"), "passport.txt")
    assert result.parts[0].text == text


def test_source_code_and_markdown_are_typed_and_read_whole() -> None:
    code = b'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'
    assert extract(code, "settings.py").file_type == "code"
    assert extract(code, ".env").file_type == "code"
    assert extract(b"# Title\n\ntext", "README.md").file_type == "md"
    assert extract(code, "settings.py").parts[0].text == code.decode()


def test_csv_cells_have_addresses_and_header_context() -> None:
    data = b"name,ssn\r\nAnn,123-45-6789\r\nBob,\r\n"
    result = extract(data, "people.csv")
    assert result.file_type == "csv"
    assert [(p.location, p.text, p.context) for p in result.parts] == [
        ("A1", "name", ""),
        ("B1", "ssn", ""),
        ("A2", "Ann", "name"),
        ("B2", "123-45-6789", "ssn"),
        ("A3", "Bob", "name"),
    ]


def test_tsv_and_semicolon_csv_are_split_on_their_delimiter() -> None:
    tsv = extract(b"a\tb\n1,5\t2\n", "t.tsv").parts
    assert [(p.location, p.text) for p in tsv] == [("A1", "a"), ("B1", "b"), ("A2", "1,5"), ("B2", "2")]
    semi = extract(b"name;iban\nAnn;DE89370400440532013000\nBob;GB82WEST12345698765432\n", "s.csv").parts
    assert [(p.location, p.context) for p in semi][2:4] == [("A2", "name"), ("B2", "iban")]


def test_a_file_that_is_not_valid_csv_is_read_as_text() -> None:
    data = b'"unterminated quote, 123-45-6789\n' + b"x" * 200_000
    result = extract(data, "broken.csv")
    assert result.outcome is FileOutcome.SCANNED
    assert result.parts[0].location == "" and result.parts[0].text.startswith('"unterminated')


def test_json_lines_get_line_locations_and_json_stays_whole() -> None:
    lines = b'{"user": "a", "ssn": "123-45-6789"}\n\n{"user": "b"}\n'
    assert [p.location for p in extract(lines, "events.jsonl").parts] == ["line 1", "line 3"]
    document = b'{\n  "user": "a",\n  "ssn": "123-45-6789"\n}\n'
    result = extract(document, "record.json")
    assert result.file_type == "json" and [p.text for p in result.parts] == [document.decode()]


def test_html_gives_the_visible_text_and_what_hides_in_markup() -> None:
    page = (
        b"<!DOCTYPE html><html><head><style>.x{color:red}</style><title>Report</title></head><body>"
        b"<p>Patient&nbsp;SSN 123-45-6789</p><!-- api key sk-test-123 -->"
        b'<a href="https://example.com/?token=abc123">link</a><script>const key = "AKIAEXAMPLE";</script>'
        b"</body></html>"
    )
    text = extract(page, "page.html").parts[0].text
    assert "Patient\xa0SSN 123-45-6789" in text
    assert "sk-test-123" in text and "token=abc123" in text and "AKIAEXAMPLE" in text
    assert "color:red" not in text and "<p>" not in text


def test_a_file_over_max_file_mb_is_too_large_and_not_read() -> None:
    result = extract(b"x" * (2 * 1024 * 1024), "big.txt", ExtractConfig(max_file_mb=1))
    assert result.outcome is FileOutcome.TOO_LARGE
    assert result.parts == [] and "max_file_mb" in result.reason


def test_a_type_outside_include_types_is_excluded_and_not_read() -> None:
    config = ExtractConfig(include_types=frozenset({"pdf", "docx"}))
    result = extract(b"name,ssn\nAnn,123-45-6789\n", "people.csv", config)
    assert result.outcome is FileOutcome.TYPE_EXCLUDED
    assert result.file_type == "csv" and result.parts == []


def test_text_past_max_chars_is_cut_and_the_reason_says_so() -> None:
    result = extract(b"a" * 5000, "long.txt", ExtractConfig(max_chars=1000))
    assert result.outcome is FileOutcome.SCANNED
    assert result.chars == 1000 and len(result.parts[0].text) == 1000
    assert result.truncated and "max_chars" in result.reason


def test_max_chars_spans_many_parts() -> None:
    data = "\n".join(f"row{n},value{n}" for n in range(100)).encode()
    result = extract(data, "rows.csv", ExtractConfig(max_chars=50))
    assert result.chars == 50 and sum(len(p.text) for p in result.parts) == 50


def test_an_empty_file_is_scanned_with_no_text() -> None:
    result = extract(b"", "empty.txt")
    assert result.outcome is FileOutcome.SCANNED and result.parts == [] and result.reason == "no text found"


def test_config_rejects_unknown_types_and_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="unknown file type"):
        ExtractConfig(include_types=frozenset({"pdf", "docs"}))
    with pytest.raises(ValueError, match="max_file_mb"):
        ExtractConfig(max_file_mb=0)
    assert ExtractConfig(include_types=["pdf"]).include_types == frozenset({"pdf"})  # type: ignore[arg-type]


def test_a_crafted_csv_cannot_stall_delimiter_detection() -> None:
    """csv.Sniffer needs most of a minute on this 64 kB sample; detection here is linear."""
    hostile = (', "x' * 16384).encode()
    result = extract(hostile, "q.csv")
    assert result.outcome is FileOutcome.SCANNED
    assert (result.parts[0].location, result.parts[0].text) == ("B1", ' "x')
    assert len(result.parts) == 16384


def test_the_delimiter_is_the_one_consistent_across_lines() -> None:
    data = b"name|note\nAnn|likes a, b; c\nBob|x\n"
    assert [p.text for p in extract(data, "pipes.csv").parts] == ["name", "note", "Ann", "likes a, b; c", "Bob", "x"]
