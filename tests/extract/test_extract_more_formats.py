"""XLSB, OpenDocument, the PPTX variants, XLSX side texts (formulas, comments, lists) and RTF side texts."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from dlp.extract import extract, sniff_type
from dlp.records import FileOutcome

from .builders import FIXTURES, build_odf, build_pptx, rewrite_zip


def located(data: bytes, name: str) -> list[tuple[str, str]]:
    result = extract(data, name)
    assert result.outcome is FileOutcome.SCANNED, result.reason
    return [(p.location, p.text) for p in result.parts]


def test_an_xlsb_workbook_gives_its_cells_and_its_embedded_file() -> None:
    found = located((FIXTURES / "embedded-simple-2007.xlsb").read_bytes(), "book.xlsb")
    assert ("Tabelle1!A1", "This spreadsheet contains an embedded object") in found
    embedded = [text for location, text in found if location.endswith("oleObject1.bin/simple-text-file.txt")]
    assert embedded and embedded[0].startswith("This is a simple ascii contents")


@pytest.mark.parametrize("flat", [False, True], ids=["package", "flat-xml"])
def test_opendocument_text_gives_paragraphs_and_table_cells(flat: bool) -> None:
    data = build_odf("text", flat=flat)
    assert sniff_type(data, "memo.odt") == "odt"
    assert located(data, "memo.odt") == [
        ("paragraph 1", "Quarterly memo"),
        ("paragraph 2", "Contact jane.doe@example.com"),
        ("table 1 row 1 col 1", "IBAN"),
        ("table 1 row 2 col 2", "GB82 WEST 1234 5698 7654 32"),
    ]


@pytest.mark.parametrize("flat", [False, True], ids=["package", "flat-xml"])
def test_opendocument_spreadsheets_give_cells_with_headers_and_formula_literals(flat: bool) -> None:
    result = extract(build_odf("spreadsheet", flat=flat), "pay.ods")
    assert result.file_type == "ods"
    cells = {p.location: (p.text, p.context) for p in result.parts}
    assert cells["'Pay roll'!B2"] == ("4111 1111 1111 1111", "card")
    assert cells["'Pay roll'!C2 formula"] == ("band SECRET-ALPHA\nband B", "")


def test_opendocument_presentations_give_one_part_per_slide() -> None:
    data = build_odf("presentation")
    assert located(data, "deck.odp") == [("slide 1", "Merger with Contoso"), ("slide 2", "Routing 021000021")]


def test_opendocument_repeated_empty_rows_do_not_cost_time() -> None:
    content = (
        '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet>'
        '<table:table table:name="S"><table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        '<table:table-row><table:table-cell><text:p>last</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document>"
    )
    assert located(content.encode(), "big.fods") == [("S!A1048001", "last")]


PPTX_VARIANTS = {
    "pptm": b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
    "ppsx": b"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    "ppsm": b"application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml",
    "potx": b"application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
    "potm": b"application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
}


@pytest.mark.parametrize("extension", sorted(PPTX_VARIANTS))
def test_powerpoint_show_template_and_macro_variants_are_read_like_pptx(extension: str) -> None:
    plain = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    data = rewrite_zip(
        build_pptx([{"title": "Board deck", "notes": "call bob@example.com"}]),
        lambda name, content: content.replace(plain, PPTX_VARIANTS[extension]) if name == "[Content_Types].xml" else content,
    )
    assert located(data, f"deck.{extension}") == [("slide 1", "Board deck"), ("notes 1", "call bob@example.com")]


def test_xlsx_formula_literals_comments_and_validation_lists_are_read() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Pay"
    sheet.append(["name", "status"])
    sheet["C2"] = '=IF(A2="Ada","key AKIA0123456789ABCDEF","""quoted""")'
    sheet["A1"].comment = Comment("note: 5555 5555 5555 4444", "auditor")
    validation = DataValidation(type="list", formula1='"active,leave"', prompt="Pick a status", promptTitle="Status")
    sheet.add_data_validation(validation)
    validation.add("B2:B9")
    out = io.BytesIO()
    workbook.save(out)
    found = dict(located(out.getvalue(), "pay.xlsx"))
    assert found["Pay!C2 formula"] == 'Ada\nkey AKIA0123456789ABCDEF\n"quoted"'
    assert found["Pay!A1 comment"] == "note: 5555 5555 5555 4444"
    assert found["Pay!B2:B9 validation"] == "Status\nPick a status\nactive,leave"


def test_a_zip_holding_an_xlsb_directory_is_an_xlsb() -> None:
    data = (FIXTURES / "embedded-simple-2007.xlsb").read_bytes()
    assert sniff_type(data, "renamed.zip") == "xlsb"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "xl/workbook.bin" in archive.namelist()


RTF = (
    rb"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}{\colortbl;\red0\green0\blue0;}"
    rb"{\info{\title Board minutes}{\author Jane Roe}}"
    rb"{\header Header: project FALCON}{\footer Footer: internal}"
    rb"\f0 Caf\'e9 card 4111 1111 1111 1111 \u-10179?\u-8704? smile\par "
    rb"{\*\annotation reviewer: SSN 123-45-6789}"
    rb"{\pict\pngblip\bin6 {}\}{x}after picture\par "
    rb"{\*\unknowndestination hidden layout data}"
    rb"body{\footnote footnote: acct 12345678}\par}"
)


def test_rtf_keeps_headers_footers_notes_comments_and_properties() -> None:
    (text,) = [t for _, t in located(RTF, "minutes.rtf")]
    for expected in ("Board minutes", "Jane Roe", "Header: project FALCON", "Footer: internal",
                     "reviewer: SSN 123-45-6789", "footnote: acct 12345678", "Café card 4111 1111 1111 1111"):  # fmt: skip
        assert expected in text
    assert "hidden layout data" not in text and "Arial" not in text


def test_rtf_binary_data_is_skipped_and_surrogate_pairs_are_joined() -> None:
    (text,) = [t for _, t in located(RTF, "minutes.rtf")]
    assert "\U0001f600 smile" in text  # one character, not two lone surrogates
    # The 6 bytes after \bin6 hold braces: read as RTF they would leave the picture group open and hide the rest.
    assert "after picture" in text and "{x" not in text
    assert not any("\ud800" <= ch <= "\udfff" for ch in text)
