"""Why extraction of a file (or of one archive member) stopped.

Extractors raise these; the driver turns them into an outcome and a reason.
Reasons are written by us and never quote file content.
"""

from __future__ import annotations

from typing import ClassVar

from dlp.records import FileOutcome


class ExtractionStopped(Exception):
    """Stop reading the current file. `whole_file` stops the enclosing archive too."""

    outcome: ClassVar[FileOutcome]
    whole_file: ClassVar[bool] = False

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Encrypted(ExtractionStopped):
    outcome = FileOutcome.ENCRYPTED


class Corrupt(ExtractionStopped):
    outcome = FileOutcome.CORRUPT


class Unsupported(ExtractionStopped):
    outcome = FileOutcome.UNSUPPORTED


class UnsupportedImage(ExtractionStopped):
    outcome = FileOutcome.UNSUPPORTED_IMAGE


class NeedsOcr(ExtractionStopped):
    """An image, and no OCR engine to read it: its own outcome, never a silent "no text"."""

    outcome = FileOutcome.NEEDS_OCR


class TypeExcluded(ExtractionStopped):
    outcome = FileOutcome.TYPE_EXCLUDED


class TooLarge(ExtractionStopped):
    """This file is over a per-file size limit; an archive holding it goes on."""

    outcome = FileOutcome.TOO_LARGE


class LimitExceeded(ExtractionStopped):
    """A limit shared by the whole file (decompressed bytes, memory) is spent: stop everything."""

    outcome = FileOutcome.TOO_LARGE
    whole_file = True


class TimedOut(ExtractionStopped):
    outcome = FileOutcome.TIMEOUT
    whole_file = True


def is_parser_panic(exc: BaseException) -> bool:
    """A Rust parser's panic (pyo3's PanicException): a BaseException, so `except Exception` misses it."""
    return type(exc).__name__ == "PanicException"
