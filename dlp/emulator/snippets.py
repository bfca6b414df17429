"""Text with known spans: fill templates with synthetic values and keep track of where each one landed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dlp.emulator.synth.value import SynthValue

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    value: SynthValue


@dataclass(frozen=True, slots=True)
class Snippet:
    """A piece of text and the synthetic values in it, with character offsets."""

    text: str
    spans: tuple[Span, ...] = ()

    def shifted(self, offset: int) -> tuple[Span, ...]:
        return tuple(Span(s.start + offset, s.end + offset, s.value) for s in self.spans)


def fill(template: str, values: dict[str, SynthValue | str]) -> Snippet:
    """Replace `{slot}`s; SynthValue slots become spans, plain strings are just text."""
    parts: list[str] = []
    spans: list[Span] = []
    length = 0
    pos = 0
    for match in _SLOT.finditer(template):
        literal = template[pos:match.start()]
        parts.append(literal)
        length += len(literal)
        slot = values[match.group(1)]
        text = slot.text if isinstance(slot, SynthValue) else slot
        if isinstance(slot, SynthValue):
            spans.append(Span(length, length + len(text), slot))
        parts.append(text)
        length += len(text)
        pos = match.end()
    parts.append(template[pos:])
    return Snippet("".join(parts), tuple(spans))


def join(snippets: list[Snippet], sep: str = " ") -> Snippet:
    """Concatenate snippets, skipping empty ones, shifting spans to the joined text."""
    parts: list[str] = []
    spans: list[Span] = []
    length = 0
    for snippet in snippets:
        if not snippet.text:
            continue
        if parts:
            parts.append(sep)
            length += len(sep)
        spans.extend(snippet.shifted(length))
        parts.append(snippet.text)
        length += len(snippet.text)
    return Snippet("".join(parts), tuple(spans))


def plain(text: str) -> Snippet:
    return Snippet(text, ())
