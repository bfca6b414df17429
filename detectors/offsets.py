"""Map byte offsets in the UTF-8 encoding of a text back to character offsets.

Hyperscan scans bytes; the engine reports offsets in characters of the input
text. Pure-ASCII text (the common case) maps one to one at no cost.
"""

from __future__ import annotations

import bisect
import re
from typing import Iterator

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
CHUNK = 1024  # characters looked at together for the non-ASCII ones


def encode_for_scan(text: str) -> bytes:
    # a lone surrogate becomes one '?' byte, so character offsets stay aligned
    return text.encode("utf-8", "replace")


class OffsetMap:
    """Byte offset -> character offset for one text."""

    __slots__ = ("_byte_ends", "_extra")

    def __init__(self, text: str) -> None:
        self._byte_ends: list[int] = []
        self._extra: list[int] = []
        if text.isascii():
            return
        extra = 0
        for match in _non_ascii(text):
            char = match.group()
            code = ord(char)
            if 0xD800 <= code <= 0xDFFF:
                width = 1  # encoded as '?'
            else:
                width = 2 if code < 0x800 else 3 if code < 0x10000 else 4
            char_index = match.start()
            byte_end = char_index + extra + width
            extra += width - 1
            self._byte_ends.append(byte_end)
            self._extra.append(extra)

    def to_char(self, byte_offset: int) -> int:
        if not self._byte_ends:
            return byte_offset
        # characters that end at or before this byte offset contribute their extra bytes
        index = bisect.bisect_right(self._byte_ends, byte_offset)
        if index == 0:
            return byte_offset
        return byte_offset - self._extra[index - 1]


def _non_ascii(text: str) -> Iterator[re.Match[str]]:
    """The non-ASCII characters of `text` in order. `str.isascii` skips the ASCII stretches at C speed: the
    regex alone reads every character, and one curly quote in a long document cost it the whole text."""
    for low in range(0, len(text), CHUNK):
        if not text[low:low + CHUNK].isascii():
            yield from _NON_ASCII.finditer(text, low, low + CHUNK)
