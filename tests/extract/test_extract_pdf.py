"""PDF: text per page, form fields, encryption, truncation, page and time limits."""

from __future__ import annotations

import dataclasses

from dlp.extract import ExtractConfig, extract
from dlp.records import FileOutcome

from .builders import FakeClock, add_pdf_extras, build_docx, build_pdf, encrypt_pdf

PAGES = ["Quarterly report, draft", "Employee SSN 123-45-6789 on file", "Card 4111 1111 1111 1111 charged"]


def test_text_is_read_per_page_with_page_locations() -> None:
    result = extract(build_pdf(PAGES), "report.pdf")
    assert result.outcome is FileOutcome.SCANNED
    assert result.file_type == "pdf"
    assert [(p.location, p.text) for p in result.parts] == [(f"page {n}", text) for n, text in enumerate(PAGES, 1)]
    assert result.chars == sum(len(t) for t in PAGES)
    assert not result.truncated


def test_blank_pages_keep_the_numbering_of_the_others() -> None:
    result = extract(build_pdf(["first", "", "third"]), "gaps.pdf")
    assert [p.location for p in result.parts] == ["page 1", "page 3"]


def test_filled_form_fields_are_read_with_the_field_name_as_context() -> None:
    result = extract(build_pdf(["Application form"], form_fields={"applicant_ssn": "078-05-1120"}), "form.pdf")
    field = [p for p in result.parts if p.location.startswith("form field")]
    assert [(p.location, p.text, p.context) for p in field] == [
        ("form field applicant_ssn", "078-05-1120", "applicant_ssn")
    ]


def test_a_password_protected_pdf_is_recorded_as_encrypted_without_content() -> None:
    result = extract(encrypt_pdf(build_pdf(PAGES), "s3cret"), "locked.pdf")
    assert result.outcome is FileOutcome.ENCRYPTED
    assert result.parts == [] and result.chars == 0
    assert "password" in result.reason


def test_a_pdf_with_only_an_owner_password_is_read() -> None:
    result = extract(encrypt_pdf(build_pdf(PAGES), ""), "restricted.pdf")
    assert result.outcome is FileOutcome.SCANNED
    assert result.parts[1].text == PAGES[1]


def test_a_truncated_pdf_is_corrupt_and_says_so() -> None:
    data = build_pdf(PAGES)
    result = extract(data[: len(data) // 2], "cut.pdf")
    assert result.outcome is FileOutcome.CORRUPT
    assert "PDF" in result.reason
    assert "123-45-6789" not in result.reason


def test_pages_past_max_pages_are_not_read_and_the_reason_says_so() -> None:
    config = ExtractConfig(max_pages=2)
    result = extract(build_pdf(PAGES), "long.pdf", config)
    assert result.outcome is FileOutcome.SCANNED
    assert [p.location for p in result.parts] == ["page 1", "page 2"]
    assert result.truncated
    assert "first 2 of 3 pages (max_pages)" in result.reason


def test_a_slow_pdf_stops_at_the_time_limit_keeping_the_pages_read() -> None:
    clock = FakeClock(step=1.0)  # every reading of the clock is one second later
    config = dataclasses.replace(ExtractConfig(), timeout_seconds=2.5)
    result = extract(build_pdf(PAGES * 3), "slow.pdf", config, clock=clock)
    assert result.outcome is FileOutcome.TIMEOUT
    assert 0 < len(result.parts) < 9
    assert result.parts[0].location == "page 1"
    assert result.truncated
    assert "timeout_seconds" in result.reason


def test_comments_and_attached_files_are_read_beside_the_pages() -> None:
    data = add_pdf_extras(
        build_pdf(["Contract"]),
        comment="Reviewer: card 4111 1111 1111 1111",
        attachments={"terms.docx": build_docx(["Annex with 078-05-1120"]), "tool.exe": b"MZ" + bytes(64)},
    )
    result = extract(data, "contract.pdf")
    assert [(p.location, p.text) for p in result.parts] == [
        ("page 1", "Contract"),
        ("page 1 comment 1", "Reviewer: card 4111 1111 1111 1111"),
        ("contract.pdf/terms.docx: paragraph 1", "Annex with 078-05-1120"),
    ]
    assert "contract.pdf/tool.exe: unsupported" in result.reason
