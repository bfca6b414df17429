"""Builders of real files, made with the real libraries (no hand-written bytes), for the extraction tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pptx
from docx.oxml.parser import parse_xml
from fpdf import FPDF
from pptx.util import Inches
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "documents"  # committed samples, see its README


@dataclass
class FakeClock:
    """A monotonic clock that moves only when told to, or by `step` on every reading."""

    now: float = 0.0
    step: float = 0.0

    def __call__(self) -> float:
        value = self.now
        self.now += self.step
        return value


def build_pdf(pages: Sequence[str], *, form_fields: dict[str, str] | None = None) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    data = bytes(pdf.output())
    if not form_fields:
        return data
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    fields = ArrayObject()
    for name, value in form_fields.items():
        field = DictionaryObject(
            {
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject(name),
                NameObject("/V"): TextStringObject(value),
                NameObject("/Ff"): NumberObject(0),
            }
        )
        fields.append(writer._add_object(field))
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): fields})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypt_pdf(data: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_docx(
    paragraphs: Sequence[str] = (),
    *,
    tables: Sequence[Sequence[Sequence[str]]] = (),
    header: str | None = None,
    footer: str | None = None,
    comment: str | None = None,
    body_xml: Sequence[str] = (),
    footnotes: Sequence[str] = (),
) -> bytes:
    """A DOCX by python-docx; `body_xml` appends raw WordprocessingML blocks, `footnotes` adds a footnotes part."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    if footer is not None:
        document.sections[0].footer.paragraphs[0].text = footer
    if comment is not None:
        paragraph = document.add_paragraph("Commented text")
        document.add_comment(paragraph.runs, text=comment, author="Reviewer", initials="R")
    body = document.element.body
    for xml in body_xml:
        body.insert(len(body) - 1, parse_xml(f'<w:wrap xmlns:w="{W_NS}">{xml}</w:wrap>')[0])
    out = io.BytesIO()
    document.save(out)
    data = out.getvalue()
    return add_footnotes(data, footnotes) if footnotes else data


FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def add_footnotes(data: bytes, notes: Sequence[str], *, raw_part: bytes | None = None) -> bytes:
    """Add a footnotes part as Word writes it (separators first), or `raw_part` bytes in its place."""
    items = [
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
    ]
    for number, text in enumerate(notes, start=1):
        items.append(f'<w:footnote w:id="{number}"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote>')
    part = (
        raw_part if raw_part is not None else f'<w:footnotes xmlns:w="{W_NS}">{"".join(items)}</w:footnotes>'.encode()
    )

    def edit(name: str, content: bytes) -> bytes:
        if name == "[Content_Types].xml":
            override = f'<Override PartName="/word/footnotes.xml" ContentType="{FOOTNOTES_TYPE}"/>'
            return content.replace(b"</Types>", override.encode() + b"</Types>")
        if name == "word/_rels/document.xml.rels":
            rel = f'<Relationship Id="rIdFootnotes" Type="{FOOTNOTES_REL}" Target="footnotes.xml"/>'
            return content.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        return content

    return rewrite_zip(data, edit, extra={"word/footnotes.xml": part})


def rewrite_zip(
    data: bytes,
    edit: Callable[[str, bytes], bytes] = lambda name, content: content,
    *,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, edit(info.filename, source.read(info)))
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def build_xlsx(sheets: dict[str, Sequence[Sequence[object]]], *, hidden: Sequence[str] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        if title in hidden:
            sheet.sheet_state = "hidden"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def build_pptx(slides: Sequence[dict[str, object]]) -> bytes:
    """Each slide: {"title": str, "body": str, "notes": str, "table": [[str]]} (all optional)."""
    presentation = pptx.Presentation()
    layout = presentation.slide_layouts[5]  # title only
    for spec in slides:
        slide = presentation.slides.add_slide(layout)
        if "title" in spec:
            slide.shapes.title.text = str(spec["title"])
        if "body" in spec:
            box = slide.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
            box.text_frame.text = str(spec["body"])
        if "table" in spec:
            rows = spec["table"]
            assert isinstance(rows, list)
            shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(1), Inches(3), Inches(6), Inches(2))
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    shape.table.cell(r, c).text = text
        if "notes" in spec:
            slide.notes_slide.notes_text_frame.text = str(spec["notes"])
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def build_zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def add_pdf_extras(data: bytes, *, comment: str | None = None, attachments: dict[str, bytes] | None = None) -> bytes:
    """Add a sticky-note comment on page 1 and attached files, as a PDF editor does."""
    from pypdf.annotations import Text

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    if comment is not None:
        writer.add_annotation(page_number=0, annotation=Text(text=comment, rect=(50, 550, 200, 650)))
    for name, content in (attachments or {}).items():
        writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_xls(sheets: dict[str, Sequence[Sequence[object]]], *, formulas: dict[str, str] | None = None) -> bytes:
    """An Excel 97 workbook written by xlwt; `formulas` maps "A1" of the first sheet to a formula."""
    import xlwt

    workbook = xlwt.Workbook()
    for number, (name, rows) in enumerate(sheets.items()):
        sheet = workbook.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        if number == 0:
            for ref, formula in (formulas or {}).items():
                column, row_number = ord(ref[0]) - 65, int(ref[1:]) - 1
                sheet.write(row_number, column, xlwt.Formula(formula))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def build_odf(kind: str, *, flat: bool = False) -> bytes:
    """An OpenDocument file written by odfdo: "text", "spreadsheet" or "presentation", with known content."""
    from odfdo import Cell, Document, DrawPage, Frame, Paragraph, Row, Table

    document = Document(kind)
    body = document.body
    if kind == "text":
        body.clear()
        body.append(Paragraph("Quarterly memo"))
        body.append(Paragraph("Contact jane.doe@example.com"))
        table = Table("Accounts", width=2, height=2)
        table.set_value("A1", "IBAN")
        table.set_value("B2", "GB82 WEST 1234 5698 7654 32")
        body.append(table)
    elif kind == "spreadsheet":
        body.clear()
        table = Table("Pay roll")
        table.set_value("A1", "name")
        table.set_value("B1", "card")
        table.set_value("A2", "Ada")
        table.set_value("B2", "4111 1111 1111 1111")
        formula = Cell(value="band B")
        formula.set_attribute("table:formula", 'of:=IF([.B2]<>"";"band SECRET-ALPHA";"band B")')
        table.set_cell("C2", formula)
        body.append(table)
    else:
        body.clear()
        for number, text in enumerate(("Merger with Contoso", "Routing 021000021"), start=1):
            page = DrawPage(f"page{number}", name=f"Slide {number}")
            page.append(Frame.text_frame(text, size=("10cm", "2cm"), position=("1cm", "1cm")))
            body.append(page)
    out = io.BytesIO()
    if flat:
        document.save(out, packaging="xml")
    else:
        document.save(out)
    return out.getvalue()


def build_7z(members: dict[str, bytes], *, password: str | None = None) -> bytes:
    import py7zr

    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w", password=password, header_encryption=bool(password)) as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return out.getvalue()


def build_tar(members: dict[str, bytes], mode: str = "w") -> bytes:
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()
