"""DOCX: body paragraphs and tables in reading order, headers, footers, comments, footnotes, hidden text."""

from __future__ import annotations

import zipfile

from dlp.extract import ExtractConfig, extract
from dlp.records import FileOutcome

from .builders import add_footnotes, build_docx, build_xlsx, rewrite_zip


def test_paragraphs_and_tables_are_located_like_the_analyst_sees_them() -> None:
    data = build_docx(
        ["Offer letter", "", "Salary review for Jane"],
        tables=[[["Name", "SSN"], ["Jane Roe", "123-45-6789"]]],
    )
    result = extract(data, "offer.docx")
    assert result.outcome is FileOutcome.SCANNED and result.file_type == "docx"
    assert [(p.location, p.text) for p in result.parts] == [
        ("paragraph 1", "Offer letter"),
        ("paragraph 3", "Salary review for Jane"),  # the empty paragraph 2 still counts
        ("table 1 row 1 col 1", "Name"),
        ("table 1 row 1 col 2", "SSN"),
        ("table 1 row 2 col 1", "Jane Roe"),
        ("table 1 row 2 col 2", "123-45-6789"),
    ]


def test_headers_footers_comments_and_footnotes_are_read() -> None:
    data = build_docx(
        ["Body"],
        header="CONFIDENTIAL - ACME",
        footer="Page footer",
        comment="send to 555-0100",
        footnotes=["Source: HR file 77"],
    )
    located = {p.location: p.text for p in extract(data, "memo.docx").parts}
    assert located["header (section 1)"] == "CONFIDENTIAL - ACME"
    assert located["footer (section 1)"] == "Page footer"
    assert located["comment 1"] == "send to 555-0100"
    assert located["footnote 1"] == "Source: HR file 77"  # the two separators are not numbered


def test_text_the_document_api_hides_is_read_too() -> None:
    content_control = (
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>in a content control</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    tracked_deletion = (
        '<w:p><w:del w:id="1" w:author="a"><w:r><w:delText>deleted 987-65-4321</w:delText></w:r></w:del></w:p>'
    )
    split_runs = "<w:p><w:r><w:t>123-</w:t></w:r><w:r><w:t>45-</w:t></w:r><w:r><w:tab/><w:t>6789</w:t></w:r></w:p>"
    data = build_docx(["intro"], body_xml=[content_control, tracked_deletion, split_runs])
    texts = [p.text for p in extract(data, "hidden.docx").parts]
    assert texts == ["intro", "in a content control", "deleted 987-65-4321", "123-45-\t6789"]


def test_merged_cells_keep_grid_columns() -> None:
    row = (
        '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>wide</w:t></w:r></w:p></w:tc>'
        "<w:tc><w:p><w:r><w:t>third</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    parts = extract(build_docx([], body_xml=[row]), "merged.docx").parts
    assert [(p.location, p.text) for p in parts] == [("table 1 row 1 col 1", "wide"), ("table 1 row 1 col 3", "third")]


def test_a_damaged_footnotes_part_costs_the_footnotes_only() -> None:
    data = add_footnotes(build_docx(["Body text 123-45-6789"]), [], raw_part=b"<w:footnotes><w:footnote")
    result = extract(data, "damaged.docx")
    assert result.outcome is FileOutcome.SCANNED
    assert [p.text for p in result.parts] == ["Body text 123-45-6789"]
    assert result.truncated
    assert "footnotes part is damaged" in result.reason


def test_a_damaged_main_document_is_corrupt() -> None:
    data = rewrite_zip(build_docx(["x"]), lambda name, c: b"<w:document><w:body>" if name == "word/document.xml" else c)
    result = extract(data, "broken.docx")
    assert result.outcome is FileOutcome.CORRUPT
    assert "main document" in result.reason


def test_a_docx_whose_entry_fails_its_checksum_is_corrupt() -> None:
    data = bytearray(build_docx(["Some text that will be damaged"], tables=[[["a", "b"]]]))
    with zipfile.ZipFile(__import__("io").BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10] ^= 0xFF  # flip a byte inside the compressed document part
    result = extract(bytes(data), "crc.docx")
    assert result.outcome is FileOutcome.CORRUPT


def test_a_docx_zip_bomb_is_refused_before_it_is_read() -> None:
    bomb = rewrite_zip(build_docx(["hi"]), extra={"word/media/padding.bin": bytes(50 * 1024 * 1024)})
    result = extract(bomb, "bomb.docx", ExtractConfig(max_decompressed_mb=20, max_compression_ratio=10_000))
    assert result.outcome is FileOutcome.TOO_LARGE
    assert "max_decompressed_mb" in result.reason
    ratio = extract(bomb, "bomb.docx")
    assert ratio.outcome is FileOutcome.TOO_LARGE
    assert "max_compression_ratio" in ratio.reason


def test_an_embedded_spreadsheet_is_read_as_a_member_of_the_document() -> None:
    sheet = build_xlsx({"Pay": [["SSN"], ["078-05-1120"]]})
    data = rewrite_zip(build_docx(["See the table"]), extra={"word/embeddings/Microsoft_Excel_Worksheet.xlsx": sheet})
    result = extract(data, "memo.docx")
    assert [(p.location, p.text, p.context) for p in result.parts][1:] == [
        ("memo.docx/word/embeddings/Microsoft_Excel_Worksheet.xlsx: Pay!A1", "SSN", ""),
        ("memo.docx/word/embeddings/Microsoft_Excel_Worksheet.xlsx: Pay!A2", "078-05-1120", "SSN"),
    ]
