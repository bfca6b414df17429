"""Word 97, Excel 97 and PowerPoint 97 files: text with locations, side texts, encryption, OLE quirks.

The .doc, .ppt and LibreOffice .xls samples are committed under fixtures/documents/ (no Python writer
exists for them; fixtures/README.md says how each was made); .xls files are also written by xlwt here.
"""

from __future__ import annotations

import olefile
import pytest

from dlp.extract import extract, sniff_type
from dlp.records import FileOutcome

from .builders import FIXTURES, build_xls
from .cfb import Node, write_cfb


def parts(name: str, data: bytes | None = None) -> list[tuple[str, str]]:
    result = extract(data if data is not None else (FIXTURES / name).read_bytes(), name)
    assert result.outcome is FileOutcome.SCANNED, result.reason
    return [(p.location, p.text) for p in result.parts]


def test_a_word_97_document_gives_its_paragraphs_table_rows_and_header() -> None:
    assert parts("memo.doc") == [
        ("paragraph 1", "Quarterly payroll memo"),
        ("paragraph 2", "Contact jane.doe@example.com about card 4111 1111 1111 1111."),
        ("paragraph 3", "Zoë Ångström paid €1,250 to the Lisbon office."),
        ("paragraph 4", "Employee\tIBAN\nAda Lovelace\tGB82 WEST 1234 5698 7654 32"),
        ("headers", "CONFIDENTIAL HEADER"),
    ]


def test_word_8_bit_pieces_are_read_as_windows_1252() -> None:
    # Word itself stores plain-Latin text in 8-bit pieces; LibreOffice (memo.doc) writes UTF-16 ones.
    assert parts("word97-8bit.doc") == [("paragraph 1", "Test OLE file, saved as Word 97-2003 Document.")]


def test_templates_and_shows_are_read_by_their_bytes_whatever_their_extension() -> None:
    data = (FIXTURES / "memo.doc").read_bytes()
    assert sniff_type(data, "memo.dot") == "doc" and parts("memo.dot", data)[0] == ("paragraph 1", "Quarterly payroll memo")
    deck = (FIXTURES / "deck.ppt").read_bytes()
    assert sniff_type(deck, "deck.pps") == "ppt"
    workbook = (FIXTURES / "payroll.xls").read_bytes()
    assert sniff_type(workbook, "payroll.xlt") == "xls"


def test_an_excel_97_workbook_gives_cells_hidden_sheets_formula_literals_comments_and_lists() -> None:
    found = dict(parts("payroll.xls"))
    assert found["Payroll!B2"] == "ada@example.com"
    assert found["'Hidden keys'!B1"] == "ghp_0123456789abcdefghijABCDEFGHIJ012345"
    assert found["Payroll!E2 formula"] == "band SECRET-ALPHA\nband B"  # the branch the cached value hides
    assert found["Payroll!A1 comment"] == "Reviewer note: card 5555 5555 5555 4444"
    assert found["Payroll!D2:D10 validation"] == "active, leave, terminated"


def test_excel_cells_carry_their_column_header_as_context() -> None:
    result = extract(build_xls({"Staff": [["name", "ssn"], ["Ada", "123-45-6789"]]}), "staff.xls")
    cell = next(p for p in result.parts if p.location == "Staff!B2")
    assert (cell.text, cell.context) == ("123-45-6789", "ssn")


def test_string_literals_of_xls_formulas_are_read_without_a_cached_value() -> None:
    data = build_xls({"S": [["x"]]}, formulas={"B1": 'IF(A1="x";"token sk-live-XYZ";"none")'})
    assert ("S!B1 formula", "x\ntoken sk-live-XYZ\nnone") in parts("f.xls", data)


def test_a_powerpoint_97_deck_gives_slides_in_order_and_notes_on_their_slide() -> None:
    assert parts("deck.ppt") == [
        ("slide 1", "Merger plan\nTarget: Contoso Ltd, price 12 USD per share"),
        ("slide 2", "Accounts\nRouting 021000021 account 123456789"),
        ("notes 1", "Speaker notes: call bob@example.com"),
    ]


@pytest.mark.parametrize("name", ["encrypted.doc", "encrypted.xls", "encrypted.ppt"])
def test_password_protected_legacy_files_are_encrypted_not_unsupported(name: str) -> None:
    result = extract((FIXTURES / name).read_bytes(), name)
    assert result.outcome is FileOutcome.ENCRYPTED and "password" in result.reason
    assert result.parts == []


def _renamed_streams(data: bytes, rename) -> bytes:  # type: ignore[no-untyped-def]
    with olefile.OleFileIO(data) as ole:
        streams = [path for path in ole.listdir() if len(path) == 1]
        return write_cfb([Node(rename(path[0]), ole.openstream(path).read()) for path in streams])


def test_ole_stream_names_are_matched_without_regard_to_case() -> None:
    shouting = _renamed_streams((FIXTURES / "memo.doc").read_bytes(), str.upper)
    assert sniff_type(shouting, "memo.doc") == "doc"
    assert parts("memo.doc", shouting)[0] == ("paragraph 1", "Quarterly payroll memo")


def test_an_encrypted_ooxml_package_with_upper_case_stream_names_is_encrypted() -> None:
    import io

    import msoffcrypto.format.ooxml

    from .builders import build_docx

    locked = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(build_docx(["minutes"]))).encrypt("pw", locked)
    shouting = _renamed_streams(locked.getvalue(), str.upper)
    assert sniff_type(shouting, "minutes.docx") == "encrypted_office"
    assert extract(shouting, "minutes.docx").outcome is FileOutcome.ENCRYPTED


def test_a_file_embedded_in_a_word_97_document_is_read_as_its_member() -> None:
    native = _ole10_native("card.txt", b"embedded card 4111 1111 1111 1111")
    with olefile.OleFileIO((FIXTURES / "memo.doc").read_bytes()) as ole:
        streams = [Node(p[0], ole.openstream(p).read()) for p in ole.listdir() if len(p) == 1]
    pool = Node("ObjectPool", None, [Node("_1234", None, [Node("\x01Ole10Native", native)])])
    found = parts("memo.doc", write_cfb([*streams, pool]))
    assert ("memo.doc/card.txt", "embedded card 4111 1111 1111 1111") in found


def _ole10_native(label: str, content: bytes) -> bytes:
    """[MS-OLEDS] 2.3.6 as Office writes it for a file dragged into a document."""
    import struct

    name = label.encode() + b"\x00"
    body = b"\x02\x00" + name + name + b"\x00\x00\x03\x00" + struct.pack("<I", len(name)) + name
    body += struct.pack("<I", len(content)) + content + b"\x00\x00"
    return struct.pack("<I", len(body)) + body


def test_a_damaged_word_document_is_corrupt_with_a_reason() -> None:
    data = bytearray((FIXTURES / "memo.doc").read_bytes())
    with olefile.OleFileIO(bytes(data)) as ole:
        streams = [Node(p[0], ole.openstream(p).read()) for p in ole.listdir() if len(p) == 1 and p[0] != "1Table"]
    result = extract(write_cfb(streams), "memo.doc")
    assert result.outcome is FileOutcome.CORRUPT and "table stream" in result.reason
