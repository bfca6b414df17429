"""Stand-ins for a parser that misbehaves, run inside the isolated extractor's child process.

They are imported by module name in the child, hence a module of their own.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator

from dlp.extract import ExtractConfig, TextPart
from dlp.extract.config import MB
from dlp.records import FileOutcome


class _Run:
    """What the child iterates: the surface of dlp.extract.Extraction."""

    file_type = "txt"
    outcome = FileOutcome.SCANNED
    reason = "done"
    chars = 0
    truncated = False

    def __init__(self, parts: Iterator[TextPart]) -> None:
        self._parts = parts

    def __iter__(self) -> Iterator[TextPart]:
        return self._parts


def hang_after_one_part(data: bytes, filename: str | None, config: ExtractConfig) -> _Run:
    def parts() -> Iterator[TextPart]:
        yield TextPart("read before the hang", "page 1")
        threading.Event().wait()  # a parser stuck for good, without burning the CPU
        yield TextPart("never", "page 2")

    return _Run(parts())


def crash(data: bytes, filename: str | None, config: ExtractConfig) -> _Run:
    def parts() -> Iterator[TextPart]:
        os.kill(os.getpid(), signal.SIGSEGV)  # what a C parser's bad pointer does
        yield TextPart("never", "")

    return _Run(parts())


def allocate_past_the_cap(data: bytes, filename: str | None, config: ExtractConfig) -> _Run:
    def parts() -> Iterator[TextPart]:
        try:
            block = bytearray(2 * config.max_memory_mb * MB)
            yield TextPart(f"allocated {len(block)} bytes", "")
        except MemoryError:
            yield TextPart("MemoryError", "")

    return _Run(parts())
