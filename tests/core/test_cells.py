"""A spreadsheet or CSV cell is read under its column header: the header names the scheme of its numbers."""

import dataclasses
import io

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from detectors.engine import EngineSpec
from dlp.cells import from_header, under_header
from dlp.extract import ExtractConfig
from dlp.inspect import FileJob, Inspector, InspectorSpec
from dlp.records import Match, ScanContext

SPEC = InspectorSpec(EngineSpec(), ExtractConfig(), b"k" * 32, isolate_files=False)
SIN = "130 692 544"  # Luhn passes, as for one random nine-digit number in ten: only a word makes it a SIN
BSN = "111222333"


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Staff"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _found(data: bytes, name: str) -> dict[str, set[str]]:
    result = Inspector(SPEC).inspect_file(FileJob("file:1", data, name, ScanContext(kind="attachment")))
    out: dict[str, set[str]] = {}
    for d in result.detections:
        out.setdefault(d.location, set()).add(d.entity)
    return out


def test_a_column_headed_with_the_schemes_name_reports_every_cell_far_below_it():
    rows: list[list[object]] = [["Employee", "Social insurance number", "BSN"]]
    rows += [[f"row {i}", "", ""] for i in range(40)]
    rows.append(["last", SIN, BSN])
    found = _found(_xlsx(rows), "staff.xlsx")
    assert found["Staff!B42"] == {"CA_SIN"} and found["Staff!C42"] == {"NL_BSN"}


def test_the_same_numbers_without_such_a_header_are_not_identity_numbers():
    found = _found(_xlsx([["Employee", "Amount", "Ref"], ["x", SIN, BSN]]), "staff.xlsx")
    assert "CA_SIN" not in found.get("Staff!B2", set()) and "NL_BSN" not in found.get("Staff!C2", set())


def test_a_header_that_names_another_kind_of_number_keeps_it_from_reading_as_an_identifier():
    csv = "Order ID,ID\n27170753645,27170753645\n".encode()
    found = _found(csv, "orders.csv")
    assert "AR_CUIT" not in found.get("A2", set())  # 'Order ID' names an order number
    assert "AR_CUIT" in found["B2"]  # a bare 'ID' label is the grade of eleven digits with a 1-in-157 check


def test_findings_keep_the_cells_own_offsets_and_the_header_row_is_read_as_itself():
    csv = "name,SIN\nA. Person,x 130692544\n".encode()
    result = Inspector(SPEC).inspect_file(FileJob("file:2", csv, "p.csv", ScanContext(kind="attachment")))
    (sin,) = [d for d in result.detections if d.entity == "CA_SIN"]
    assert (sin.location, sin.start, sin.end) == ("B2", 2, 11)
    assert all(d.start >= 0 for d in result.detections)


def test_a_cell_of_words_is_read_alone():
    assert under_header("K. Brandt", "Name") == ("K. Brandt", 0)
    assert under_header("12345", "  Customer\nSIN: ") == ("Customer SIN: 12345", len("Customer SIN: "))
    assert under_header("12345", "") == ("12345", 0)


def _match(start: int, end: int) -> Match:
    return Match("R", "E", start, end, 0.9, "LIKELY", "high", "regex", "v")


@given(st.text(min_size=1), st.text(), st.integers(0, 60), st.integers(0, 60))
def test_a_match_in_the_cell_maps_back_to_the_same_characters(cell, header, a, b):
    read, shift = under_header(cell, header)
    start, end = sorted((a % (len(read) + 1), b % (len(read) + 1)))
    moved = from_header([_match(start, end)], shift)
    if start < shift:
        assert moved == []  # a match that starts in the header is the header's, not the cell's
    else:
        (m,) = moved
        assert cell[m.start : m.end] == read[start:end]
        assert dataclasses.replace(m, start=start, end=end) == _match(start, end)


def test_a_word_processor_tables_first_row_names_its_columns():
    from tests.extract.builders import build_docx

    rows = [["Employee", "SIN", "Amount"]] + [[f"E{i}", "", ""] for i in range(5)] + [["Last", SIN, BSN]]
    data = build_docx(["Payroll export"], tables=[rows])
    result = Inspector(SPEC).inspect_file(FileJob("file:3", data, "pay.docx", ScanContext(kind="attachment")))
    found = {(d.location, d.entity) for d in result.detections}
    assert ("table 1 row 7 col 2", "CA_SIN") in found
    assert not any(entity == "NL_BSN" for _, entity in found)  # the BSN sits in the Amount column


def test_under_headers_gives_each_cell_its_first_rows_text():
    from dlp.extract.formats.sheets import under_headers

    cells = [(2, 1, "Name"), (2, 3, "SIN"), (3, 1, "Ann"), (3, 2, "x"), (3, 3, SIN)]
    assert list(under_headers(cells)) == [
        (2, 1, "Name", ""), (2, 3, "SIN", ""), (3, 1, "Ann", "Name"), (3, 2, "x", ""), (3, 3, SIN, "SIN")]
