"""XLSX/XLSM: every sheet, `Sheet!A1` locations, header context, value formatting, limits."""

from __future__ import annotations

import datetime as dt

from dlp.extract import ExtractConfig, extract
from dlp.records import FileOutcome

from .builders import build_xlsx, rewrite_zip


def test_cells_are_located_by_sheet_and_address_with_their_column_header() -> None:
    data = build_xlsx({"Salaries": [["Name", "SSN", "Salary"], ["Ann Lee", "123-45-6789", 91000]]})
    result = extract(data, "payroll.xlsx")
    assert result.outcome is FileOutcome.SCANNED and result.file_type == "xlsx"
    assert [(p.location, p.text, p.context) for p in result.parts] == [
        ("Salaries!A1", "Name", ""),
        ("Salaries!B1", "SSN", ""),
        ("Salaries!C1", "Salary", ""),
        ("Salaries!A2", "Ann Lee", "Name"),
        ("Salaries!B2", "123-45-6789", "SSN"),
        ("Salaries!C2", "91000", "Salary"),
    ]


def test_every_sheet_is_read_hidden_ones_too_and_odd_names_are_quoted() -> None:
    data = build_xlsx({"Visible": [["a"]], "Q1 2025": [["b"]], "Secret": [["c"]]}, hidden=["Secret"])
    assert [p.location for p in extract(data, "book.xlsx").parts] == ["Visible!A1", "'Q1 2025'!A1", "Secret!A1"]


def test_the_header_is_the_first_non_empty_row_and_gaps_keep_their_addresses() -> None:
    rows = [[], [None, "Card number"], [], [None, 4111111111111111.0]]
    parts = extract(build_xlsx({"Cards": rows}), "cards.xlsx").parts
    assert [(p.location, p.text, p.context) for p in parts] == [
        ("Cards!B2", "Card number", ""),
        ("Cards!B4", "4111111111111111", "Card number"),  # an integral float reads as the number it is
    ]


def test_values_are_rendered_as_the_user_sees_them() -> None:
    rows = [
        ["when", "ok", "ratio"],
        [dt.datetime(1985, 3, 14), True, 0.25],
        [dt.datetime(2024, 1, 2, 9, 30), False, 1e20],
    ]
    texts = [p.text for p in extract(build_xlsx({"S": rows}), "v.xlsx").parts][3:]
    assert texts == ["1985-03-14", "TRUE", "0.25", "2024-01-02 09:30:00", "FALSE", "1e+20"]


def test_sheets_past_max_sheets_are_not_read() -> None:
    data = build_xlsx({f"S{n}": [[f"v{n}"]] for n in range(5)})
    result = extract(data, "many.xlsx", ExtractConfig(max_sheets=2))
    assert [p.text for p in result.parts] == ["v0", "v1"]
    assert result.truncated and "first 2 of 5 sheets (max_sheets)" in result.reason


def test_cells_past_max_cells_are_not_read() -> None:
    data = build_xlsx({"A": [[r * 10 + c for c in range(10)] for r in range(10)], "B": [["never"]]})
    result = extract(data, "big.xlsx", ExtractConfig(max_cells=25))
    assert len(result.parts) == 25
    assert result.outcome is FileOutcome.SCANNED and result.truncated
    assert "max_cells" in result.reason


def test_a_macro_enabled_workbook_is_read_as_xlsm() -> None:
    data = rewrite_zip(build_xlsx({"S": [["x"]]}), extra={"xl/vbaProject.bin": b"\x00" * 64})
    result = extract(data, "macro.xlsm")
    assert result.file_type == "xlsm"
    assert [p.text for p in result.parts] == ["x"]


def test_a_hostile_dimension_does_not_size_the_rows() -> None:
    original = build_xlsx({"S": [["a", "b"]]})

    def lie(name: str, content: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return content
        assert b'<dimension ref="A1:B1"/>' in content
        return content.replace(b'<dimension ref="A1:B1"/>', b'<dimension ref="A1:XFD1048576"/>')

    data = rewrite_zip(original, lie)
    result = extract(data, "dim.xlsx", ExtractConfig(timeout_seconds=5))
    assert [p.location for p in result.parts] == ["S!A1", "S!B1"]


def test_a_damaged_workbook_is_corrupt() -> None:
    data = rewrite_zip(build_xlsx({"S": [["x"]]}), lambda name, c: b"<workbook" if name == "xl/workbook.xml" else c)
    result = extract(data, "bad.xlsx")
    assert result.outcome is FileOutcome.CORRUPT and result.file_type == "xlsx"
