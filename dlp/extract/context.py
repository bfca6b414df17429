"""The state one file's extraction carries: its limits, what is spent, where we are.

One `Budget` is shared by a file and everything nested in it (archive
members, e-mail attachments, the parts of a DOCX), so that nesting cannot
multiply the limits. Each nesting level gets its own `ExtractContext`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dlp.extract.config import ExtractConfig
from dlp.extract.errors import LimitExceeded, TimedOut

Clock = Callable[[], float]
MAX_NOTES = 8  # notes kept verbatim in a reason; the rest are counted


@dataclass
class Budget:
    """Limits spent by one file: wall time, decompressed bytes, cells, archive members."""

    config: ExtractConfig
    clock: Clock = time.monotonic
    started: float = field(init=False)
    decompressed_left: int = field(init=False)
    cells_left: int = field(init=False)
    members_left: int = field(init=False)
    chars_left: int = field(init=False)  # spent by the driver as it hands parts out
    notes: list[str] = field(init=False, default_factory=list)
    dropped_notes: int = field(init=False, default=0)
    truncated: bool = field(init=False, default=False)
    ocr_pages_left: int = field(init=False)
    ocr_seconds_spent: float = field(init=False, default=0.0)
    needs_ocr: list[str] = field(init=False, default_factory=list)  # images and pages left for want of OCR

    def __post_init__(self) -> None:
        self.started = self.clock()
        self.decompressed_left = self.config.max_decompressed_bytes
        self.cells_left = self.config.max_cells
        self.members_left = self.config.max_archive_members
        self.chars_left = self.config.max_chars
        self.ocr_pages_left = self.config.ocr_max_pages

    def check_time(self) -> None:
        if self.clock() - self.started > self.config.timeout_seconds:
            raise TimedOut(f"stopped after {self.config.timeout_seconds:g} s (timeout_seconds)")

    def spend_decompressed(self, nbytes: int, what: str) -> None:
        if nbytes > self.decompressed_left:
            raise LimitExceeded(
                f"{what} expands past the {self.config.max_decompressed_mb:g} MB decompression limit "
                "(max_decompressed_mb; possible zip bomb)"
            )
        self.decompressed_left -= nbytes

    def note(self, message: str, *, truncated: bool = False) -> None:
        """Remember something the reason should mention (a skipped member, a limit reached)."""
        self.truncated = self.truncated or truncated
        if len(self.notes) < MAX_NOTES:
            self.notes.append(message)
        else:
            self.dropped_notes += 1

    def notes_text(self) -> str:
        text = "; ".join(self.notes)
        if self.dropped_notes:
            text += f"; and {self.dropped_notes} more"
        return text


@dataclass(frozen=True)
class ExtractContext:
    """Where in a file we are: the budget, the nesting depth, and the path shown in locations.

    `path` is "" for the top-level file and "outer.zip/inner.docx" for a member,
    so that a member's part reads "outer.zip/inner.docx: paragraph 2".
    """

    budget: Budget
    root_name: str = ""  # the top-level file's name, "" when unknown
    name: str = ""  # this file's own name: an extension hint for the formats that need one
    path: str = ""
    depth: int = 0

    @property
    def config(self) -> ExtractConfig:
        return self.budget.config

    @property
    def prefix(self) -> str:
        """What goes before a location inside this file."""
        return f"{self.path}: " if self.path else ""

    def locate(self, location: str) -> str:
        if not self.path:
            return location
        return f"{self.path}: {location}" if location else self.path

    def member(self, name: str) -> ExtractContext:
        """The context of a member of this container (an archive entry, an attachment)."""
        base = self.path or self.root_name
        path = f"{base}/{name}" if base else name
        return ExtractContext(self.budget, self.root_name, name, path, self.depth + 1)

    def label(self) -> str:
        """How reasons name the current file."""
        return self.path or "the file"
