"""A spreadsheet or CSV cell is read with its column header, as a form's value is read with its label.

The extractors give each cell its own part and keep the column's header beside it (`TextPart.context`,
`Segment.context`): a column headed `SIN`, `BSN` or `CUIT` names the scheme of every number below it,
as `SIN: ...` names one in a form, but the header is rows away from most cells. The engine therefore
reads a cell as `Header: value`; its findings are moved back to the cell's own offsets, and those that
fall in the header are dropped (the header is reported where it stands, as a cell of the first row).

Only a cell with a digit in it is read so: the header says what a number is, and numbers are what
identifier, phone, card and account rules look for; a cell of words (a name) is read alone, as the name
model reads words differently after a label ("Name: K. Brandt" is not tagged where "K. Brandt" is).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from dlp.records import Match

__all__ = ["analyze_cell", "from_header", "under_header"]


def under_header(text: str, header: str) -> tuple[str, int]:
    """The text the engine reads for a cell under `header` ("" for none), and where the cell starts in it."""
    label = " ".join(header.split()).rstrip(":：").strip()
    if not label or not any(c.isdigit() for c in text):
        return text, 0
    prefix = f"{label}: "
    return prefix + text, len(prefix)


def from_header(matches: Sequence[Match], shift: int) -> list[Match]:
    """Matches on `under_header`'s text, in the cell's own offsets (none of the header's)."""
    if not shift:
        return list(matches)
    return [dataclasses.replace(m, start=m.start - shift, end=m.end - shift) for m in matches if m.start >= shift]


def analyze_cell(analyze: Callable[[str], list[Match]], text: str, header: str) -> list[Match]:
    """`analyze` run on a cell read under its header, in the cell's own offsets."""
    read, shift = under_header(text, header)
    return from_header(analyze(read), shift)
