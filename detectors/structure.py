"""Where a value stands in its text: the whole content of a field, or somewhere in running text.

A number that fills a spreadsheet cell, a line of its own, a CSV or table column, a JSON or YAML value,
or the rest of a `Label: value` line was put there to be that value; the same digits inside a sentence
may be part of an amount, a date or a count. Rules use this as context (`structure: field`) to grade
plain digit runs whose check digit alone would pass too often.

Two structures are known to rules:

- `field`: the value fills its field, whatever the field (`find_field` returns one);
- `label`: the value fills the rest of a `Label: value` line written for a reader (a form, a message),
  not a data key (`"id": 42` in JSON, `id=42` or `id: 42` in a log or YAML, a label in lower case),
  and, when the rule lists words, the label is one of them: "ID: 12345678901", "No. 12345678901".
  Data keys are left to word contexts, which see them anyway (`"tckn": "..."`).

`find_field` looks only at the value's own line next to it, so its cost does not grow with the text.

A value in a column of a table written as text (Markdown, CSV, TSV, `;`-separated) also has the column's
header: `column_header` finds it, and `table_below` tells the scanner how far a keyword in a header
line reaches, so that words naming a scheme in a header (`| Name | SIN |`) count for every cell below.
Both ask about the lines around the value; a `TextTables` kept per text remembers the answers, so a
long table's cells do not each walk up to its header.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from dataclasses import dataclass

STRUCTURES = ("field", "label")

# A label is what a form or a key-value line puts before its value: a few words, not a sentence.
MAX_LABEL_CHARS = 40
MAX_LABEL_WORDS = 6

_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BLANKS = " \u00a0"
_BULLETS = "-*•+"
_QUOTES = "\"'`"
_OPENERS = "|\t,;[>"  # a table or TSV cell, a CSV column or JSON array item, an XML element's text
_CLOSERS = "|\t,;]}<"
_LABEL_STOPS = _LINE_BREAKS + "|\t,;{["  # where a label can begin: the line start or a separator
# "No. 123", "Nr. 123": a full stop ends a label only after one of these abbreviations
_ABBREVIATIONS = frozenset({"no", "nr", "nro", "num", "núm", "nº", "n°", "nos"})


@dataclass(frozen=True, slots=True)
class Field:
    """A field a value fills. `label`: what names it ("" for none); `keyed`: the label is a data key
    (quoted, or before `=`) rather than words written for a reader."""

    label: str = ""
    keyed: bool = False

    def describe(self) -> str:
        if not self.label:
            return "field"
        return f"{'key' if self.keyed else 'label'} {self.label!r}"


_UNLABELLED = Field()


def find_field(text: str, start: int, end: int) -> Field | None:
    """The field `text[start:end]` fills: unlabelled (a cell, a line of its own, a CSV column, a list
    item), labelled (the rest of a `Label: value` line) or keyed (a JSON, YAML or `key=value` value).
    None when the value shares its field with other text (a sentence, a log line)."""
    quote = text[start - 1] if start > 0 and text[start - 1] in _QUOTES else ""
    found = _field_start(text, start - len(quote))
    if found is None or not _ends_field(text, end, quote):
        return None
    return found


def _field_start(text: str, start: int) -> Field | None:
    i = start
    while i > 0 and text[i - 1] in _BLANKS:
        i -= 1
    if _at_line_start(text, i):
        return _UNLABELLED
    sign = text[i - 1]
    if sign in _BULLETS and _at_line_start(text, i - 1) and i < start:
        return _UNLABELLED  # "- 12345" in a list
    if sign in _OPENERS:
        # "Yes, 42 is it": a comma after a word and before a blank belongs to a sentence
        if sign == "," and i < start and i > 1 and text[i - 2].isalpha():
            return None
        return _UNLABELLED
    if sign == "=":
        key_start = i - 1
        while key_start > 0 and not text[key_start - 1].isspace() and text[key_start - 1] not in _LABEL_STOPS:
            key_start -= 1
        return Field(text[key_start:i - 1].strip(_QUOTES), keyed=True) if key_start < i - 1 else None
    if sign in ":：#":
        return _label_before(text, i - 1)
    if sign == "." and (found := _label_before(text, i - 1)) is not None:
        words = found.label.split()
        return found if words and words[-1].casefold() in _ABBREVIATIONS else None
    return None


def _at_line_start(text: str, i: int) -> bool:
    while i > 0 and text[i - 1] in _BLANKS:
        i -= 1
    return i == 0 or text[i - 1] in _LINE_BREAKS


def _label_before(text: str, end: int) -> Field | None:
    """The label that ends at `end`: back to the line start or a separator, within MAX_LABEL_CHARS
    characters and MAX_LABEL_WORDS words; None when the line goes on further back (a sentence)."""
    low = max(0, end - MAX_LABEL_CHARS)
    i = end
    while i > low and text[i - 1] not in _LABEL_STOPS:
        i -= 1
    if i == low and low > 0 and text[low - 1] not in _LABEL_STOPS:
        return None
    raw = text[i:end].strip(_BLANKS + _BULLETS)
    label = raw.strip(_QUOTES)
    if len(label.split()) > MAX_LABEL_WORDS:
        return None
    # a quoted key is data (JSON); so is a lower-case one ("id: 42" in a log or YAML), where a form or a
    # message writes "ID: 42"
    return Field(label, keyed=label != raw or label[:1].islower())


def _ends_field(text: str, end: int, quote: str) -> bool:
    """After the closing quote (when the value opened with one) and blanks: the end of the line or of
    the text, a cell or list separator, or a closing bracket or tag."""
    length = len(text)
    i = end
    if quote:
        if i >= length or text[i] != quote:
            return False
        i += 1
    while i < length and text[i] in _BLANKS:
        i += 1
    if i >= length or text[i] in _LINE_BREAKS:
        return True
    if text[i] not in _CLOSERS:
        return False
    # "it is 42, she said": a comma a word follows ends a clause, not a column
    return not (text[i] == "," and not quote and i + 2 < length and text[i + 1] in _BLANKS and text[i + 2].isalpha())


# A column's header is this many lines above its cell at most: a longer table is read as text further down.
MAX_TABLE_LINES = 500
_CELL_SEPARATORS = "|\t;,"
_CELL_PADDING = " \u00a0\"'`*"


def _line_bounds(text: str, at: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return start, (len(text) if end < 0 else end)


def _separator(text: str, start: int, end: int) -> str | None:
    """The cell separator of the line text[start:end] (the first of `|`, tab, `;`, `,` it holds)."""
    for sep in _CELL_SEPARATORS:
        if text.find(sep, start, end) >= 0:
            return sep
    return None


class TextTables:
    """The tables written as text in one text, remembered as they are asked about: for each line and
    separator, how many lines above and below it hold as many separators, and each header line's cells.

    A lookup walks only the lines no earlier lookup walked, so the lookups of one text together cost
    about one pass over its lines, however many candidates ask (a 4,000-row CSV asks once per cell).
    Keep one per text (the engine keeps it in its per-text state); the answers are those of the walks
    `column_header`, `table_around` and `table_below` describe."""

    __slots__ = ("text", "_starts", "_counts", "_above", "_below", "_cells")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None  # where each line starts; built on the first lookup
        self._counts: dict[str, list[int]] = {}  # per separator, per line: how many it holds (-1: not counted)
        self._above: dict[str, list[int]] = {}  # ... lines right above with as many (-1: not walked)
        self._below: dict[str, list[int]] = {}  # ... lines right below with as many
        self._cells: dict[tuple[int, str], list[str]] = {}  # a header line's cells, per separator

    def line_of(self, at: int) -> int:
        """The index of the line holding position `at` (a line break belongs to the line it ends)."""
        if self._starts is None:
            self._starts = line_starts(self.text)
        return bisect.bisect_right(self._starts, at) - 1

    def bounds(self, line: int) -> tuple[int, int]:
        """Where line `line` starts and ends (its line break excluded)."""
        starts = self._starts
        assert starts is not None
        return starts[line], (starts[line + 1] - 1 if line + 1 < len(starts) else len(self.text))

    def top(self, line: int, sep: str) -> int | None:
        """The first line of the run of lines ending with `line` that all hold as many `sep` as it does;
        None when the run has MAX_TABLE_LINES lines or more above `line`."""
        above = self._run(line, sep, self._above, -1)
        return None if above >= MAX_TABLE_LINES else line - above

    def bottom(self, line: int, sep: str) -> int:
        """The last line of the run of lines starting with `line` that all hold as many `sep` as it does,
        at most MAX_TABLE_LINES lines below it."""
        return line + min(self._run(line, sep, self._below, 1), MAX_TABLE_LINES)

    def header_cells(self, line: int, sep: str) -> list[str]:
        """The cells of line `line` split at `sep`, unpadded."""
        cells = self._cells.get((line, sep))
        if cells is None:
            start, end = self.bounds(line)
            cells = self._cells[(line, sep)] = [c.strip(_CELL_PADDING) for c in self.text[start:end].rstrip("\r").split(sep)]
        return cells

    def _count(self, line: int, sep: str) -> int:
        counts = self._counts.get(sep)
        if counts is None:
            assert self._starts is not None
            counts = self._counts[sep] = [-1] * len(self._starts)
        if counts[line] < 0:
            start, end = self.bounds(line)
            counts[line] = self.text.count(sep, start, end)
        return counts[line]

    def _run(self, line: int, sep: str, memo: dict[str, list[int]], step: int) -> int:
        """How many lines next to `line` in direction `step` (-1 up, 1 down) hold as many `sep` as it, in a row."""
        assert self._starts is not None
        known = memo.get(sep)
        if known is None:
            known = memo[sep] = [-1] * len(self._starts)
        last = len(self._starts) - 1
        walked: list[int] = []  # lines not known yet, from `line` on
        at = line
        while known[at] < 0:
            nxt = at + step
            if not 0 <= nxt <= last or self._count(nxt, sep) != self._count(at, sep):
                known[at] = 0
                break
            walked.append(at)
            at = nxt
        run = known[at]
        for index in reversed(walked):
            run += 1
            known[index] = run
        return known[line]


def line_starts(text: str) -> list[int]:
    """Where each line of `text` starts (after each "\n"), the first at 0: summed line lengths, all in C
    (a long document has thousands of lines, and the first table lookup of every text asks)."""
    lines = text.split("\n")
    return [0, *itertools.islice(map(operator.add, itertools.accumulate(map(len, lines)), itertools.count(1)),
                                 len(lines) - 1)]


def _lookup(text: str, tables: TextTables | None) -> TextTables:
    return tables if tables is not None and tables.text is text else TextTables(text)


def table_around(text: str, at: int, tables: TextTables | None = None) -> tuple[int, int, int] | None:
    """For a position in a table line below its first: the first line's start and end, and where the
    table ends (the end of the last line with as many separators). None for any other position."""
    line_start, line_end = _line_bounds(text, at)
    sep = _separator(text, line_start, line_end) if line_start else None  # a table line has one above
    if sep is None or not _same_count(text, sep, line_start, line_end, text.rfind("\n", 0, line_start - 1) + 1,
                                      line_start - 1):
        return None
    tables = _lookup(text, tables)
    line = tables.line_of(at)
    top = tables.top(line, sep)
    if top is None or top == line:
        return None
    top_start, header_end = tables.bounds(top)
    bottom = table_below(text, top_start, top_start, tables)
    return top_start, header_end, line_end if bottom is None else max(bottom, line_end)


def column_header(text: str, start: int, end: int, tables: TextTables | None = None) -> str | None:
    """The header of the table column whose cell `text[start:end]` fills: the cell at the same place in
    the first line of the run of lines with as many separators as its own (Markdown, CSV, TSV). None when
    the value is not alone in a cell of such a run, or is in its first line. `tables`: the text's memo."""
    if not _between_cell_edges(text, start, end):
        return None
    line_start, line_end = _line_bounds(text, start)
    if not line_start:
        return None  # a cell below a header has a line above
    if end > line_end:
        return None
    sep = _separator(text, line_start, line_end)
    if sep is None:
        return None
    cell_start = text.rfind(sep, line_start, start) + 1 or line_start
    cell_end = text.find(sep, end, line_end)
    cell_end = line_end if cell_end < 0 else cell_end
    if text[cell_start:start].strip(_CELL_PADDING) or text[end:cell_end].strip(_CELL_PADDING + "\r"):
        return None
    tables = _lookup(text, tables)
    line = tables.line_of(start)
    top = tables.top(line, sep)
    if top is None or top == line:
        return None
    cells = tables.header_cells(top, sep)
    index = text.count(sep, line_start, start)
    return cells[index] if index < len(cells) else None


def _same_count(text: str, sep: str, start: int, end: int, other_start: int, other_end: int) -> bool:
    """Whether two lines hold as many `sep`: a table needs the line next to this one to, so most lines of
    prose are settled here, without the text's line index (`TextTables`), which costs a pass over the text."""
    return text.count(sep, start, end) == text.count(sep, other_start, other_end)


def _between_cell_edges(text: str, start: int, end: int) -> bool:
    """Only padding between the span and a separator, a line break or the text's edge on both sides."""
    i = start
    while i > 0 and text[i - 1] in _CELL_PADDING:
        i -= 1
    if i > 0 and text[i - 1] not in _CELL_SEPARATORS and text[i - 1] != "\n":
        return False
    i, length = end, len(text)
    while i < length and text[i] in _CELL_PADDING:
        i += 1
    return i >= length or text[i] in _CELL_SEPARATORS or text[i] in "\r\n"


def table_below(text: str, start: int, end: int, tables: TextTables | None = None) -> int | None:
    """Where the table ends whose first line holds text[start:end] in one of its cells: the end of the
    run of lines below with as many separators (at most MAX_TABLE_LINES); None when that line is no
    table header."""
    line_start, line_end = _line_bounds(text, start)
    if end > line_end or line_end >= len(text):  # a header has a line below
        return None
    sep = _separator(text, line_start, line_end)
    if sep is None:
        return None
    below_end = text.find("\n", line_end + 1)
    if not _same_count(text, sep, line_start, line_end, line_end + 1, len(text) if below_end < 0 else below_end):
        return None
    tables = _lookup(text, tables)
    line = tables.line_of(start)
    bottom = tables.bottom(line, sep)
    return tables.bounds(bottom)[1] if bottom > line else None
