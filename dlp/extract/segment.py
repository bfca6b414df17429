"""Cut long texts into overlapping windows whose offsets map back to the part's text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dlp.extract.model import TextPart
from dlp.records import Segment


def segment_parts(
    item_id: str, parts: Iterable[TextPart], max_chars: int = 100_000, overlap: int = 200
) -> Iterator[Segment]:
    """One Segment per part, or overlapping windows of `max_chars` for a longer part.

    Windows start every `max_chars - overlap` characters, so any value up to
    `overlap` characters long lies whole inside some window. `offset` is the
    window's start within its part: a value found in two windows has the same
    absolute offsets (offset + position) in both, hence the same finding id.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    if not 0 <= overlap < max_chars:
        raise ValueError(f"overlap must be in [0, max_chars), got {overlap} with max_chars {max_chars}")
    step = max_chars - overlap
    for part in parts:
        text = part.text
        if not text:
            continue
        if len(text) <= max_chars:
            yield Segment(item_id, text, part.location, 0, part.context)
            continue
        start = 0
        while True:
            end = min(start + max_chars, len(text))
            yield Segment(item_id, text[start:end], part.location, start, part.context)
            if end == len(text):
                break
            start += step
