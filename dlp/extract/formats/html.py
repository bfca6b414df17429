"""HTML: the text a reader sees, plus what hides in markup (scripts, comments, link targets, form values)."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

from dlp.extract.context import ExtractContext
from dlp.extract.formats.text import decode_within_budget
from dlp.extract.model import TextPart

# Attributes whose values are data rather than layout: URLs carry tokens, inputs carry typed values.
DATA_ATTRIBUTES = frozenset({"href", "src", "value", "content", "alt", "title", "placeholder", "action", "data"})
BLOCK_TAGS = frozenset(
    "p div br li tr td th h1 h2 h3 h4 h5 h6 table ul ol section article header footer pre blockquote dt dd "
    "title option".split()
)
SKIPPED_TAGS = frozenset({"style"})  # layout only; scripts stay, as they carry keys and tokens


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping += 1
        if tag in BLOCK_TAGS:
            self.chunks.append("\n")
        for name, value in attrs:
            if value and name in DATA_ATTRIBUTES and not value.startswith("data:"):
                self.chunks.append(f" {value} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self._skipping:
            self._skipping -= 1
        if tag in BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(data)

    def handle_comment(self, data: str) -> None:
        self.chunks.append(f"\n{data}\n")


def html_to_text(markup: str) -> str:
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return "".join(collector.chunks)


def iter_html(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    text = html_to_text(decode_within_budget(data, ctx))
    if text and not text.isspace():
        yield TextPart(text, ctx.locate(""))
