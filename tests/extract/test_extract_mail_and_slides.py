"""PPTX slides, RTF, EML and MSG e-mail with attachments, and OCR of images."""

from __future__ import annotations

import io
import stat
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image

from dlp.extract import ExtractConfig, extract
from dlp.records import FileOutcome

from .builders import build_docx, build_pptx, build_xlsx, build_zip
from .cfb import build_msg


def test_slides_tables_and_notes_are_located_by_slide_number() -> None:
    data = build_pptx(
        [
            {"title": "Q3 plan", "body": "Customer SSN 123-45-6789", "notes": "do not share", "table": [["Name", "Card"], ["Ann", "4111 1111 1111 1111"]]},
            {"title": "Second"},
        ]
    )  # fmt: skip
    result = extract(data, "deck.pptx")
    assert result.file_type == "pptx"
    assert [(p.location, p.text) for p in result.parts] == [
        ("slide 1", "Q3 plan\nCustomer SSN 123-45-6789"),
        ("slide 1 table 1 row 1 col 1", "Name"),
        ("slide 1 table 1 row 1 col 2", "Card"),
        ("slide 1 table 1 row 2 col 1", "Ann"),
        ("slide 1 table 1 row 2 col 2", "4111 1111 1111 1111"),
        ("notes 1", "do not share"),
        ("slide 2", "Second"),
    ]


def test_slides_past_max_pages_are_not_read() -> None:
    result = extract(build_pptx([{"title": f"s{n}"} for n in range(4)]), "d.pptx", ExtractConfig(max_pages=2))
    assert [p.text for p in result.parts] == ["s0", "s1"] and result.truncated


def test_rtf_text_is_read_without_control_words() -> None:
    rtf = rb"{\rtf1\ansi{\fonttbl\f0\fswiss Helvetica;}\f0\pard Patient SSN 123-45-6789, caf\'e9\par Next line\par}"
    result = extract(rtf, "letter.doc")  # a lying extension: Word saves RTF as .doc too
    assert result.file_type == "rtf"
    assert result.parts[0].text == "Patient SSN 123-45-6789, café\nNext line\n"


def _email() -> bytes:
    message = EmailMessage()
    message["From"] = "Ann Lee <ann@example.com>"
    message["To"] = "payroll@example.com"
    message["Subject"] = "=?utf-8?q?Salaires_=C3=A9t=C3=A9?="
    message.set_content("Plain body: SSN 123-45-6789\n")
    message.add_alternative("<p>HTML body: SSN 123-45-6789</p>", subtype="html")
    message.add_attachment(
        build_xlsx({"Pay": [["IBAN"], ["DE89370400440532013000"]]}),
        maintype="application", subtype="octet-stream", filename="pay.xlsx",
    )  # fmt: skip
    message.add_attachment(b"attached text 4111111111111111", maintype="text", subtype="plain", filename="card.txt")
    return message.as_bytes()


def test_an_eml_gives_subject_addresses_one_body_and_its_attachments() -> None:
    result = extract(_email(), "mail.eml")
    assert result.file_type == "eml" and result.outcome is FileOutcome.SCANNED
    assert [(p.location, p.text, p.context) for p in result.parts] == [
        ("subject", "Salaires été", ""),
        ("headers", "From: Ann Lee <ann@example.com>\nTo: payroll@example.com", ""),
        ("body", "Plain body: SSN 123-45-6789\n", ""),  # the HTML alternative repeats it: read once
        ("mail.eml/pay.xlsx: Pay!A1", "IBAN", ""),
        ("mail.eml/pay.xlsx: Pay!A2", "DE89370400440532013000", "IBAN"),
        ("mail.eml/card.txt", "attached text 4111111111111111", ""),
    ]


def test_an_eml_inside_a_zip_keeps_the_whole_path() -> None:
    result = extract(build_zip({"inbox/mail.eml": _email()}), "export.zip")
    locations = [p.location for p in result.parts]
    assert "export.zip/inbox/mail.eml: body" in locations
    assert "export.zip/inbox/mail.eml/card.txt" in locations


def test_an_html_only_eml_body_is_read_as_text() -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "html"
    message.set_content("<html><body><p>Card 4111 1111 1111 1111</p></body></html>", subtype="html")
    body = [p for p in extract(message.as_bytes(), "h.eml").parts if p.location == "body"]
    assert body[0].text.strip() == "Card 4111 1111 1111 1111"


def test_an_outlook_msg_gives_subject_body_and_attachments() -> None:
    data = build_msg(
        "Payroll Q3", "Body with SSN 123-45-6789",
        attachments=[("notes.txt", b"attached 4111111111111111"), ("offer.docx", build_docx(["Offer for Jane Roe"]))],
    )  # fmt: skip
    result = extract(data, "mail.msg")
    assert result.file_type == "msg" and result.outcome is FileOutcome.SCANNED
    assert [(p.location, p.text) for p in result.parts] == [
        ("subject", "Payroll Q3"),
        ("headers", "From: Ann Lee <ann@example.com>\nTo: bob@example.com"),
        ("body", "Body with SSN 123-45-6789"),
        ("mail.msg/notes.txt", "attached 4111111111111111"),
        ("mail.msg/offer.docx: paragraph 1", "Offer for Jane Roe"),
    ]


def test_attachments_count_as_a_nesting_level() -> None:
    result = extract(_email(), "mail.eml", ExtractConfig(max_archive_depth=0))
    assert [p.location for p in result.parts] == ["subject", "headers", "body"]
    assert result.truncated and "attachments nested deeper than 0 levels" in result.reason


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def fake_tesseract(tmp_path: Path) -> Path:
    """A stand-in for the Tesseract binary (not installable here): it checks it was handed the image on stdin."""
    script = tmp_path / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        '[ "$1" = stdin ] && [ "$2" = stdout ] || exit 2\n'
        "head -c 8 | od -An -tx1 | grep -q '89 50 4e 47' || exit 3\n"
        "echo 'Scanned ID 123-45-6789'\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_images_are_read_by_ocr_when_enabled(fake_tesseract: Path) -> None:
    config = ExtractConfig(
        include_types=ExtractConfig().include_types | {"image"}, tesseract_command=str(fake_tesseract)
    )
    result = extract(_png(), "scan.png", config)
    assert result.outcome is FileOutcome.SCANNED
    assert [(p.location, p.text) for p in result.parts] == [("image text", "Scanned ID 123-45-6789")]


def test_an_image_without_tesseract_needs_ocr(tmp_path: Path) -> None:
    config = ExtractConfig(
        include_types=ExtractConfig().include_types | {"image"}, tesseract_command=str(tmp_path / "no-such-binary")
    )
    result = extract(_png(), "scan.png", config)
    assert result.outcome is FileOutcome.NEEDS_OCR and "not installed" in result.reason
