"""Large files read within their limits (slow: run with `pytest -m slow`). Their speed is in bench/."""

from __future__ import annotations

import io

import openpyxl
import pytest
from fpdf import FPDF

from dlp.extract import ExtractConfig, extract, iter_parts
from dlp.records import FileOutcome

pytestmark = pytest.mark.slow


def _pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(0, 10, f"Page {n} holds SSN 123-45-{n:04d}")
    return bytes(pdf.output())


def test_a_2000_page_pdf_is_read_page_by_page_to_the_page_limit() -> None:
    data = _pdf(2001)
    result = extract(data, "big.pdf", ExtractConfig(timeout_seconds=600))
    assert result.outcome is FileOutcome.SCANNED
    assert len(result.parts) == 2000
    assert result.parts[-1] == type(result.parts[-1])("Page 2000 holds SSN 123-45-2000", "page 2000")
    assert result.truncated and "first 2,000 of 2,001 pages" in result.reason


def test_a_large_workbook_streams_without_holding_its_cells() -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(["id", "ssn"])
    for n in range(100_000):
        sheet.append([n, f"123-45-{n % 10000:04d}"])
    out = io.BytesIO()
    workbook.save(out)
    run = iter_parts(out.getvalue(), "big.xlsx", ExtractConfig(timeout_seconds=600))
    count = 0
    last = None
    for part in run:  # parts are consumed one by one: nothing keeps 200,000 of them
        count += 1
        last = part
    assert run.outcome is FileOutcome.SCANNED and count == 200_002
    assert last is not None and (last.location, last.context) == ("Data!B100001", "ssn")
