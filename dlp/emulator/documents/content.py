"""What a synthetic file says, independent of its format, and where each planted value sits.

A `FileContent` is built from a seeded stream; the renderers turn it into
bytes with the real libraries, and `plants()` reports each planted value's
location in the terms the extractor uses: "page 2" (PDF), "paragraph 3"
(DOCX), "Sheet1!C4" (XLSX), "slide 2" (PPTX), and "" with character offsets
into the whole decoded text for TXT, CSV and JSON.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from dlp.emulator import prose
from dlp.emulator.snippets import Snippet, fill, join, plain
from dlp.emulator.synth import credentials, financial, identity, markers, people
from dlp.emulator.synth.value import SynthValue

FORMATS = ("pdf", "docx", "xlsx", "pptx", "csv", "txt", "json", "png")


@dataclass(frozen=True, slots=True)
class PlantLocation:
    location: str
    start: int | None
    end: int | None
    value: SynthValue


@dataclass(frozen=True)
class FileContent:
    format: str
    title: str
    # pdf: paragraphs per page; pptx: per slide (first snippet is the slide title);
    # docx and txt: a single section of paragraphs (the title comes first)
    sections: tuple[tuple[Snippet, ...], ...] = ()
    rows: tuple[tuple[Snippet, ...], ...] = ()  # xlsx, csv, json: the first row is the header
    sheet: str = "Sheet1"

    def plants(self) -> list[PlantLocation]:
        found: list[PlantLocation] = []
        if self.format == "pdf":
            for page, paragraphs in enumerate(self.sections, 1):
                # pypdf re-flows lines, so offsets inside a page are not reliable: location only
                found += [PlantLocation(f"page {page}", None, None, s.value) for p in paragraphs for s in p.spans]
        elif self.format == "pptx":
            for slide, shapes in enumerate(self.sections, 1):
                found += [PlantLocation(f"slide {slide}", None, None, s.value) for p in shapes for s in p.spans]
        elif self.format == "docx":
            for number, paragraph in enumerate(self.sections[0], 1):
                found += [PlantLocation(f"paragraph {number}", s.start, s.end, s.value) for s in paragraph.spans]
        elif self.format == "xlsx":
            for r, row in enumerate(self.rows, 1):
                for c, cell in enumerate(row, 1):
                    where = f"{self.sheet}!{get_column_letter(c)}{r}"
                    found += [PlantLocation(where, s.start, s.end, s.value) for s in cell.spans]
        elif self.format in ("txt", "csv", "json"):
            found += [PlantLocation("", s.start, s.end, s.value) for s in self.text_snippet().spans]
        return found

    def text_snippet(self) -> Snippet:
        """The whole text of a text-like file with its spans (what the TXT/CSV/JSON bytes decode to)."""
        if self.format == "txt":
            return join([*self.sections[0], plain("")], sep="\n\n")
        if self.format == "csv":
            lines = [join([_csv_cell(cell) for cell in row], sep=",") for row in self.rows]
            return join([*lines, plain("")], sep="\n")
        if self.format == "json":
            return _json_records(self.rows)
        raise ValueError(f"{self.format} is not a text format")


def _csv_cell(cell: Snippet) -> Snippet:
    if any(ch in cell.text for ch in ',"\n'):
        escaped = cell.text.replace('"', '""')
        # values never contain quotes, so spans shift by the one opening quote
        return Snippet(f'"{escaped}"', cell.shifted(1))
    return cell


def _json_records(rows: tuple[tuple[Snippet, ...], ...]) -> Snippet:
    header = [cell.text for cell in rows[0]]
    parts: list[Snippet] = [plain("[")]
    records = []
    for row in rows[1:]:
        fields = []
        for key, cell in zip(header, row):
            encoded = json.dumps(cell.text, ensure_ascii=False)
            # planted values hold no quotes, backslashes or control characters: offsets shift by the opening quote
            fields.append(join([plain(f"    {json.dumps(key)}: "), Snippet(encoded, cell.shifted(1))], sep=""))
        records.append(join([plain("  {"), join(fields, sep=",\n"), plain("  }")], sep="\n"))
    parts.append(join(records, sep=",\n"))
    parts.append(plain("]\n"))
    return join(parts, sep="\n")


_TITLES = {
    "memo": ("Meeting notes", "Internal memo", "Project update", "Summary for leadership", "Process notes",
             "Incident review", "Quarterly review notes", "Working draft"),
    "records": ("Customer export", "Payroll batch", "Supplier master data", "Contact list", "Refund queue"),
    "deck": ("Quarterly business review", "Team offsite", "Roadmap overview", "Account plan"),
    "config": ("Deployment notes", "Service configuration", "Runbook"),
}


def build_content(rng: random.Random, fmt: str, topic: prose.Topic, plant: bool,
                  lookalike_rate: float) -> FileContent:
    """Content for a file of the given format on a topic; `plant=False` yields a file with no planted values."""
    if fmt in ("pdf", "docx"):
        return _memo(rng, fmt, topic, plant, lookalike_rate)
    if fmt == "txt":
        if rng.random() < 0.4:
            return _config_text(rng, plant, lookalike_rate)
        return _memo(rng, fmt, topic, plant, lookalike_rate)
    if fmt in ("xlsx", "csv", "json"):
        return _records(rng, fmt, plant, lookalike_rate)
    if fmt == "pptx":
        return _deck(rng, topic, plant, lookalike_rate)
    if fmt == "png":
        return FileContent("png", rng.choice(("Chart", "Screenshot", "Diagram")))
    raise ValueError(f"unknown file format {fmt!r}")


def _memo(rng: random.Random, fmt: str, topic: prose.Topic, plant: bool, lookalike_rate: float) -> FileContent:
    title = f"{rng.choice(_TITLES['memo'])}: {rng.choice(topic.titles)}"
    pages = 3 if fmt == "pdf" else 1
    sections = []
    for page in range(pages):
        paragraphs = [plain(p) for p in prose.document_paragraphs(rng, topic, rng.randint(3, 5))]
        if plant:
            for _ in range(rng.choice((1, 1, 2))):
                paragraphs.insert(rng.randint(0, len(paragraphs)), prose.plant_sentence(rng, lookalike_rate))
        if page == 0:
            head = [plain(title)]
            if plant and rng.random() < 0.4:
                head.append(fill("{v}", {"v": markers.confidential_marker(rng)}))
            paragraphs = head + paragraphs
        sections.append(tuple(paragraphs))
    return FileContent(fmt, title, tuple(sections))


def _config_text(rng: random.Random, plant: bool, lookalike_rate: float) -> FileContent:
    title = rng.choice(_TITLES["config"])
    lines = [plain(title), plain("Steps: build the image, run the migrations, then roll the service one zone at a time.")]
    if plant:
        fake = rng.random() < lookalike_rate
        lines.append(prose.plant_sentence(rng, 1.0 if fake else 0.0, family=rng.choice(("openai", "aws", "other_secret"))))
    lines.append(plain("Rollback: redeploy the previous tag and restore the config map from the last release."))
    return FileContent("txt", title, (tuple(lines),))


_RECORD_COLUMNS = ("name", "email", "phone", "card", "iban", "ssn", "notes")
_HEADERS = {"name": ("Name", "Full name", "Customer"), "email": ("Email", "E-mail", "Contact email"),
            "phone": ("Phone", "Telephone", "Mobile"), "card": ("Card number", "Card", "PAN"),
            "iban": ("IBAN", "Bank account (IBAN)"), "ssn": ("SSN", "Social security no."),
            "notes": ("Notes", "Comment", "Status")}
_NOTES = ("Refund approved", "Awaiting documents", "Escalated to finance", "Closed", "Call back next week",
          "Duplicate charge", "VIP account", "Address change pending")


def _records(rng: random.Random, fmt: str, plant: bool, lookalike_rate: float) -> FileContent:
    title = rng.choice(_TITLES["records"])
    columns = ["name", "email", *rng.sample(("phone", "card", "iban", "ssn"), k=2), "notes"]
    header = tuple(plain(rng.choice(_HEADERS[c])) for c in columns)
    rows = [header]
    for _ in range(rng.randint(5, 12)):
        who = people.person(rng)
        row = []
        for column in columns:
            if column == "notes":
                row.append(plain(rng.choice(_NOTES)))
            elif not plant:
                row.append(plain("redacted" if column != "name" else f"Customer {rng.randint(100, 999)}"))
            else:
                row.append(fill("{v}", {"v": _column_value(rng, column, who, lookalike_rate)}))
        rows.append(tuple(row))
    return FileContent(fmt, title, rows=tuple(rows))


def _column_value(rng: random.Random, column: str, who: people.Person, lookalike_rate: float) -> SynthValue:
    valid = rng.random() >= lookalike_rate
    if column == "name":
        return people.person_name(rng, who)
    if column == "email":
        return people.email(rng, who)
    if column == "phone":
        return people.phone_number(rng, people.REGION_OF_LOCALE[who.locale])
    if column == "card":
        return financial.credit_card(rng, valid)
    if column == "iban":
        return financial.iban(rng, valid)
    return identity.us_ssn(rng, valid)


def _deck(rng: random.Random, topic: prose.Topic, plant: bool, lookalike_rate: float) -> FileContent:
    title = f"{rng.choice(_TITLES['deck'])}: {rng.choice(topic.titles)}"
    slides = []
    for number in range(rng.randint(3, 5)):
        heading = plain(title if number == 0 else rng.choice(topic.titles))
        bullets = [plain(p) for p in rng.sample(topic.details, k=2)]
        if plant and number == 1:
            bullets.append(prose.plant_sentence(rng, lookalike_rate))
        if plant and number == 0 and rng.random() < 0.5:
            bullets.insert(0, fill("{v}", {"v": markers.confidential_marker(rng)}))
        slides.append((heading, *bullets))
    return FileContent("pptx", title, tuple(slides))


def secret_instructions(rng: random.Random, name: str, lookalike_rate: float) -> Snippet:
    """GPT/project instructions that sometimes embed a credential (as builders do in real life)."""
    intro = plain(rng.choice((
        f"You are {name}. Answer questions from employees using the attached knowledge files.",
        f"You are {name}, an internal assistant. Be concise and cite the source document.",
        f"Act as {name}. Only answer questions about company policy and escalate anything else.",
    )))
    if rng.random() < 0.5:
        return join([intro, plain("Never share personal data in answers.")])
    fake = rng.random() < lookalike_rate
    value = credentials.placeholder_key(rng) if fake else rng.choice(
        (credentials.openai_key, credentials.slack_token, credentials.google_api_key, credentials.stripe_key))(rng)
    call = fill("When you need live data, call the internal API with the header Authorization: Bearer {v}.",
                {"v": value})
    return join([intro, call])
