"""What extraction returns: located pieces of text and one outcome per file."""

from __future__ import annotations

from dataclasses import dataclass, field

from dlp.records import FileOutcome


@dataclass(frozen=True, slots=True)
class TextPart:
    """One located piece of a file's text: a page, paragraph, cell, slide...

    `location` reads as an analyst would cite it: "page 3", "Sheet1!B7",
    "paragraph 12", "table 1 row 2 col 3", "slide 4", "notes 4",
    "archive.zip/inner.docx: paragraph 2" for archive members, "" for plain text.
    `context` is extra meaning the text lacks on its own, e.g. a cell's column header.
    """

    text: str
    location: str
    context: str = ""


@dataclass
class ExtractResult:
    """How extraction of one file ended.

    `parts` may be non-empty whatever the outcome: text read before a limit,
    a timeout or a corrupt page stopped the extractor is kept, so that it can
    still be inspected. `truncated` says the file was not read to its end
    (a soft limit such as max_pages, or a failure part-way); `reason` says why,
    in words that never quote the file's content.
    """

    outcome: FileOutcome
    reason: str
    file_type: str
    parts: list[TextPart] = field(default_factory=list)
    chars: int = 0
    truncated: bool = False

    @property
    def scanned(self) -> bool:
        return self.outcome is FileOutcome.SCANNED
