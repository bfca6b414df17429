"""Plain text, Markdown, source code, XML and JSON: decoded whole, one part (JSON Lines: one per line)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from dlp.extract.context import ExtractContext
from dlp.extract.model import TextPart
from dlp.extract.textdecode import decode_text

MAX_BYTES_PER_CHAR = 4  # UTF-8's worst case: decoding more than this per allowed char is wasted work


def decode_within_budget(data: bytes, ctx: ExtractContext) -> str:
    """Decode no more bytes than the characters still allowed for this file can use."""
    allowed = ctx.budget.chars_left * MAX_BYTES_PER_CHAR + MAX_BYTES_PER_CHAR
    return decode_text(data[:allowed] if len(data) > allowed else data)


def iter_plain(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    text = decode_within_budget(data, ctx)
    if text and not text.isspace():
        yield TextPart(text, ctx.locate(""))


def iter_json(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    """JSON stays one part (offsets point into the file as written); JSON Lines gets `line N` parts."""
    text = decode_within_budget(data, ctx)
    if not _is_json_lines(text):
        if text and not text.isspace():
            yield TextPart(text, ctx.locate(""))
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if number % 1024 == 0:
            ctx.budget.check_time()
        if line and not line.isspace():
            yield TextPart(line, f"{ctx.prefix}line {number}")


def _is_json_lines(text: str) -> bool:
    lines = [line for line in text.lstrip("\ufeff").splitlines()[:3] if line.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
        json.loads(lines[1])
    except ValueError:
        return False
    return True
