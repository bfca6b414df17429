"""The extraction driver: one file's bytes in, located text parts and one outcome out, never an exception."""

from __future__ import annotations

import time
from collections.abc import Iterator

from dlp.extract.config import ExtractConfig
from dlp.extract.context import Budget, Clock, ExtractContext
from dlp.extract.dispatch import iter_file
from dlp.extract.errors import Corrupt, ExtractionStopped, LimitExceeded, NeedsOcr
from dlp.extract.model import ExtractResult, TextPart
from dlp.extract.ocr import NO_ENGINE
from dlp.extract.sniff import sniff_type
from dlp.records import FileOutcome

DEFAULT_CONFIG = ExtractConfig()
TIME_CHECK_PARTS = 64  # extractors check the clock in their own loops; this catches the rest


class Extraction:
    """The parts of one file as a stream, for callers that must not hold them all at once.

    Iterate once for the parts; afterwards `outcome`, `reason`, `chars` and
    `truncated` say how it ended. Iteration never raises on bad input.
    """

    def __init__(
        self,
        data: bytes,
        filename: str | None = None,
        config: ExtractConfig = DEFAULT_CONFIG,
        *,
        clock: Clock = time.monotonic,
    ) -> None:
        self.data = data if isinstance(data, bytes) else bytes(data)
        self.filename = filename
        self.config = config
        self.clock = clock
        self.file_type = sniff_type(self.data, filename)  # never raises: "unknown" at worst
        self.outcome: FileOutcome | None = None
        self.reason = ""
        self.chars = 0
        self.part_count = 0
        self.truncated = False
        self._started = False

    def __iter__(self) -> Iterator[TextPart]:
        if self._started:
            raise RuntimeError("an Extraction can be iterated only once")
        self._started = True
        budget = Budget(self.config, self.clock)
        name = self.filename or ""
        ctx = ExtractContext(budget, root_name=name, name=name)
        stop: ExtractionStopped | None = None
        parts = iter_file(self.data, self.file_type, ctx)
        try:
            for part in parts:
                text = part.text
                if len(text) > budget.chars_left:
                    text = text[: budget.chars_left]
                    part = TextPart(text, part.location, part.context)
                    budget.note(f"stopped after {self.config.max_chars:,} characters (max_chars)", truncated=True)
                if text:
                    budget.chars_left -= len(text)
                    self.chars += len(text)
                    self.part_count += 1
                    yield part
                if budget.chars_left <= 0:
                    break
                if self.part_count % TIME_CHECK_PARTS == 0:
                    budget.check_time()
        except ExtractionStopped as exc:
            stop = exc
        except MemoryError:
            stop = LimitExceeded("ran out of memory while reading the file")
        except RecursionError:
            stop = Corrupt(f"the {self.file_type} structure nests too deeply to read")
        except Exception as exc:  # iter_file maps parser errors already: this is a bug in an extractor
            stop = Corrupt(f"the {self.file_type} file could not be read ({type(exc).__name__})")
        finally:
            parts.close()
            self._finish(stop, budget)

    def _finish(self, stop: ExtractionStopped | None, budget: Budget) -> None:
        notes = budget.notes_text()
        if stop is None and budget.needs_ocr:
            # Text was read, but images that may hold more were not: say so, never "scanned".
            stop = NeedsOcr(needs_ocr_reason(budget.needs_ocr, self.config.tesseract_command))
        if stop is None:
            self.outcome = FileOutcome.SCANNED
            plural = "" if self.part_count == 1 else "s"
            summary = (
                f"{self.part_count:,} text part{plural}, {self.chars:,} characters" if self.chars else "no text found"
            )
            self.reason = f"{summary}; {notes}" if notes else summary
            self.truncated = budget.truncated
        else:
            self.outcome = stop.outcome
            self.reason = f"{stop.reason}; {notes}" if notes else stop.reason
            self.truncated = budget.truncated or self.part_count > 0

    def result(self, parts: list[TextPart]) -> ExtractResult:
        """The ExtractResult of a finished iteration that kept `parts`."""
        if self.outcome is None:
            raise RuntimeError("iterate the Extraction to its end before asking for its result")
        return ExtractResult(self.outcome, self.reason, self.file_type, parts, self.chars, self.truncated)


def needs_ocr_reason(unread: list[str], command: str) -> str:
    shown = ", ".join(unread[:10]) + (f" and {len(unread) - 10} more" if len(unread) > 10 else "")
    return f"{len(unread)} image(s) or image-only page(s) not read: {shown}; {NO_ENGINE.format(command=command)}"


def iter_parts(
    data: bytes, filename: str | None = None, config: ExtractConfig = DEFAULT_CONFIG, *, clock: Clock = time.monotonic
) -> Extraction:
    """Stream a file's parts: `for part in (run := iter_parts(data, name)): ...`, then `run.outcome`."""
    return Extraction(data, filename, config, clock=clock)


def extract(
    data: bytes, filename: str | None = None, config: ExtractConfig = DEFAULT_CONFIG, *, clock: Clock = time.monotonic
) -> ExtractResult:
    """Extract one file in this process. Never raises on bad input: every failure is an outcome with a reason.

    Time is checked between parts; a parser stuck inside one call is only
    stopped by `extract_isolated`, which runs this in a killable process.
    """
    run = Extraction(data, filename, config, clock=clock)
    parts = list(run)
    return run.result(parts)
