"""A table written as text (Markdown, CSV, TSV): a word in a column's header names every cell below it,
however many rows down, and names no other column."""

from __future__ import annotations

from typing import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detectors.engine import Engine
from detectors import structure
from detectors.structure import column_header, table_around, table_below

# Both scanner plans that gate a pattern by its keywords: a short keyword ('abc') makes a `near` plan (the
# pattern's hits are the prefilter), long ones only a `keyword` plan (Hyperscan finds the keywords).
RULES = """
rules:
  - id: SHORT_WORD_ID
    entity: SHORT_WORD_ID
    score: 0.3
    patterns:
      - name: nine digits
        regex: '(?<!\\d)(?P<value>\\d{9})(?!\\d)'
        keywords: [abc, abc number]
        keyword_window: 60
        require_context: true
    context:
      - {words: [abc, abc number], boost: 0.4}
  - id: LONG_WORD_ID
    entity: LONG_WORD_ID
    score: 0.3
    patterns:
      - name: ten digits
        regex: '(?<!\\d)(?P<value>\\d{10})(?!\\d)'
        keywords: [zebranummer]
        keyword_window: 60
        require_context: true
    context:
      - {words: [zebranummer], boost: 0.4}
"""


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "Export below.\n" + "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows]) + "\nThanks!"


def _rows(count: int) -> list[list[str]]:
    return [[f"P{i}", f"{100000000 + i:09d}", f"{5000000000 + i:010d}", f"{700000000 + i:09d}"] for i in range(count)]


def _found(engine: Engine, text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in engine.analyze(text):
        out.setdefault(m.entity, []).append(text[m.start:m.end])
    return out


@pytest.mark.parametrize("sep", ["md", ",", "\t", ";"])
def test_every_cell_of_a_column_named_in_its_header_is_found_however_far_down(
        sep: str, engine_for: Callable[..., Engine]) -> None:
    header, rows = ["Name", "ABC number", "Zebranummer", "Amount"], _rows(40)
    text = _markdown(header, rows) if sep == "md" else "\n".join(sep.join(r) for r in [header, *rows])
    found = _found(engine_for(RULES), text)
    assert found["SHORT_WORD_ID"] == [r[1] for r in rows]
    assert found["LONG_WORD_ID"] == [r[2] for r in rows]  # and nothing of the Amount column


def test_a_word_in_another_columns_header_or_another_row_does_not_count(engine_for: Callable[..., Engine]) -> None:
    rows = _rows(3)
    text = _markdown(["Name", "Amount", "ABC number"], [[r[0], r[1], "n/a"] for r in rows])
    assert "SHORT_WORD_ID" not in _found(engine_for(RULES), text)  # the header is near, but names column 3
    in_row = _markdown(["Field", "Value"], [["ABC number", rows[0][1]], ["Amount", rows[1][1]]])
    assert _found(engine_for(RULES), in_row)["SHORT_WORD_ID"] == [rows[0][1]]  # a key/value table's row


def test_without_a_table_the_word_window_is_unchanged(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for(RULES)
    assert _found(engine, "My ABC number is 123456789.")["SHORT_WORD_ID"] == ["123456789"]
    far = "ABC number below.\n" + "Some filler words here.\n" * 10 + "It is 123456789."
    assert "SHORT_WORD_ID" not in _found(engine, far)


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("| Name | SIN |\n|---|---|\n| A | 130692544 |", "130692544", "SIN"),
        ("name,sin,amount\nA,130692544,12\nB,1,2", "130692544", "sin"),
        ('name;"BSN"\nA;"111222333"', "111222333", "BSN"),
        ("Name\tSIN\nA\t130692544", "130692544", "SIN"),
        ("| Name | SIN |\n| A | 130692544 |", "A", "Name"),
        ("| Name | SIN |", "SIN", None),  # the header itself
        ("name,sin\n\nA,130692544", "130692544", None),  # a blank line ends the table
        ("Yes, 130692544 is it.", "130692544", None),  # a sentence with a comma
        ("name,sin\nA,x 130692544", "130692544", None),  # not alone in its cell
        ("name,sin\nA,130692544,extra", "130692544", None),  # another count of separators: not that table
    ],
)
def test_column_header(text: str, value: str, expected: str | None) -> None:
    start = text.rindex(value)
    assert column_header(text, start, start + len(value)) == expected


def test_a_keyword_in_a_header_line_reaches_the_last_row_of_its_table() -> None:
    text = "intro\nName,SIN\nA,1\nB,2\n\nafter, this"
    at = text.index("SIN")
    assert table_below(text, at, at + 3) == text.index("\n\n")
    assert table_around(text, text.index("B,2")) == (text.index("Name"), text.index("\nA,1"), text.index("\n\n"))
    assert table_below(text, 0, 5) is None and table_around(text, 2) is None


@given(st.text(alphabet="ab1|,;\t \n", max_size=80), st.integers(0, 80), st.integers(0, 8))
def test_table_lookups_never_fail_and_a_header_comes_from_an_earlier_line(text: str, at: int, width: int) -> None:
    start = min(at, len(text))
    end = min(start + width, len(text))
    header = column_header(text, start, end)
    table_below(text, start, end)
    around = table_around(text, start) if text else None
    if header is not None:
        assert "\n" in text[:start] and header in text[: text.rfind("\n", 0, start)]
    if around is not None:
        assert around[0] <= around[1] <= around[2] and around[1] < start <= len(text)


# The walks the lookups stood for before `TextTables` remembered them: up (and down) line by line from the
# asking line, at most MAX_TABLE_LINES lines, comparing each line's count of separators with the asking one's.
def _walked_header(text: str, start: int, end: int) -> str | None:
    if not structure._between_cell_edges(text, start, end):
        return None
    line_start, line_end = structure._line_bounds(text, start)
    sep = structure._separator(text, line_start, line_end) if line_start and end <= line_end else None
    if sep is None:
        return None
    cell_start = text.rfind(sep, line_start, start) + 1 or line_start
    cell_end = text.find(sep, end, line_end)
    cell_end = line_end if cell_end < 0 else cell_end
    padding = structure._CELL_PADDING
    if text[cell_start:start].strip(padding) or text[end:cell_end].strip(padding + "\r"):
        return None
    top = _walked_top(text, sep, line_start, line_end)
    if top is None or top == line_start:
        return None
    cells = text[top:text.find("\n", top)].rstrip("\r").split(sep)
    index = text.count(sep, line_start, start)
    return cells[index].strip(padding) if index < len(cells) else None


def _walked_top(text: str, sep: str, line_start: int, line_end: int) -> int | None:
    """The start of the first line of the run of lines above with as many `sep` (None past the limit)."""
    count, top = text.count(sep, line_start, line_end), line_start
    for _ in range(structure.MAX_TABLE_LINES):
        if top == 0:
            return top
        above = text.rfind("\n", 0, top - 1) + 1
        if text.count(sep, above, top - 1) != count:
            return top
        top = above
    return None


def _walked_below(text: str, start: int, end: int) -> int | None:
    line_start, line_end = structure._line_bounds(text, start)
    sep = structure._separator(text, line_start, line_end) if end <= line_end < len(text) else None
    if sep is None:
        return None
    count, bottom = text.count(sep, line_start, line_end), line_end
    for _ in range(structure.MAX_TABLE_LINES):
        if bottom >= len(text):
            break
        below_end = text.find("\n", bottom + 1)
        below_end = len(text) if below_end < 0 else below_end
        if text.count(sep, bottom + 1, below_end) != count:
            break
        bottom = below_end
    return bottom if bottom > line_end else None


_CELLS = st.sampled_from(["a", "1", "", " 2 ", "x|y", "b,c", "\t", "ab;1", "**7**", "\r"])


@st.composite
def _tables_text(draw: st.DrawFn) -> str:
    """Lines of cells joined by a separator, several tables and stray lines in a row."""
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        sep = draw(st.sampled_from(["|", ",", ";", "\t", " "]))
        width = draw(st.integers(1, 4))
        for _ in range(draw(st.integers(0, 8))):
            lines.append(sep.join(draw(st.lists(_CELLS, min_size=width, max_size=width + draw(st.integers(0, 1))))))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@given(_tables_text(), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 4)), min_size=1, max_size=30))
def test_remembered_table_lookups_answer_as_the_line_by_line_walk(text: str, spans: list[tuple[int, int]]) -> None:
    tables = structure.TextTables(text)  # one memo for every lookup of the text, asked in any order
    for at, width in spans:
        start = min(at, len(text))
        end = min(start + width, len(text))
        assert column_header(text, start, end, tables) == _walked_header(text, start, end)
        assert table_below(text, start, end, tables) == _walked_below(text, start, end)
        if text:
            assert table_around(text, start, tables) == table_around(text, start)


def test_remembered_lookups_keep_the_table_length_limit() -> None:
    limit = structure.MAX_TABLE_LINES
    text = "intro\nname,id\n" + "".join(f"P{i},{100 + i}\n" for i in range(limit + 3)) + "\nafter"
    tables = structure.TextTables(text)
    for row in (0, limit - 2, limit - 1, limit, limit + 2):
        start = text.index(f"\nP{row},") + len(f"\nP{row},")
        end = text.index("\n", start)
        assert column_header(text, start, end, tables) == _walked_header(text, start, end)
        assert table_below(text, start, end, tables) == _walked_below(text, start, end)
    assert column_header(text, text.index(",101\n") + 1, text.index(",101\n") + 4, tables) == "id"
    header = text.index("name")
    assert table_below(text, header, header + 4, tables) == _walked_below(text, header, header + 4)


def _walked_around(text: str, at: int) -> tuple[int, int, int] | None:
    line_start, line_end = structure._line_bounds(text, at)
    sep = structure._separator(text, line_start, line_end) if line_start else None
    if sep is None:
        return None
    top = _walked_top(text, sep, line_start, line_end)
    if top is None or top == line_start:
        return None
    header_end = text.find("\n", top)
    below = _walked_below(text, top, top)
    return top, header_end, line_end if below is None else max(below, line_end)


@given(_tables_text(), st.lists(st.integers(0, 400), min_size=1, max_size=30))
def test_table_around_answers_as_the_line_by_line_walk(text: str, positions: list[int]) -> None:
    tables = structure.TextTables(text)
    for at in positions:
        if text:
            at = min(at, len(text) - 1)
            assert table_around(text, at, tables) == _walked_around(text, at)


@given(st.text(alphabet="a\n\r|é🙂", max_size=60))
def test_line_starts_are_where_each_line_begins(text: str) -> None:
    assert structure.line_starts(text) == [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
