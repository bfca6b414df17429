"""Structure as context: a value that fills its field (a cell, a line, a JSON value, a `Label: value` line)
is told apart from one in running text, and rules use it through `structure: field | label` entries."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from typing import Callable

from detectors.engine import Engine
from detectors.evaluate import find_context
from detectors.loader import load_rules
from detectors.structure import Field, find_field

VALUE = "48213907165"


def field_of(text: str) -> Field | None:
    start = text.index(VALUE)
    return find_field(text, start, start + len(VALUE))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALUE, Field()),  # a spreadsheet cell, a message of its own
        (f"Name\tBirth\n{VALUE}\tx", Field()),  # a TSV column
        (f"| Anna | {VALUE} |", Field()),  # a Markdown table cell
        (f"a,b,{VALUE},c", Field()),  # a CSV column
        (f'a,"{VALUE}",c', Field()),  # a quoted CSV column
        (f"[12, {VALUE}]", Field()),  # a JSON array item
        (f"notes\n- {VALUE}\n- other", Field()),  # a list item
        (f"<td>{VALUE}</td>", Field()),  # an HTML cell
        (f"ID: {VALUE}", Field("ID")),
        (f"Employee ID No. {VALUE}", Field("Employee ID No")),
        (f"Reference #{VALUE}", Field("Reference")),
        (f"  * Identity number: {VALUE}\n", Field("Identity number")),
        (f"Número：{VALUE}", Field("Número")),
        (f'{{"tckn": "{VALUE}", "name": "x"}}', Field("tckn", keyed=True)),
        (f'{{"id": {VALUE}}}', Field("id", keyed=True)),
        (f"GET /items status=200 offset={VALUE}", Field("offset", keyed=True)),
        (f"id: {VALUE}", Field("id", keyed=True)),  # a lower-case label is a data key (logs, YAML)
    ],
)
def test_a_value_that_fills_its_field_and_its_label(text: str, expected: Field) -> None:
    assert field_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        f"Can you check {VALUE} for me?",
        f"{VALUE} is the one I meant.",
        f"Yes, {VALUE} is it.",
        f"Call me: {VALUE}, she said.",
        f"ID: {VALUE}.",  # a full stop makes it a sentence
        f"INFO worker ts={VALUE} took 5 ms",
        f"The amount we were finally invoiced for in the end is: {VALUE}",  # a sentence, not a label
        f"He wrote it down. {VALUE}",
        f'{{"id": "{VALUE}x"}}',
    ],
)
def test_a_value_inside_running_text_fills_no_field(text: str) -> None:
    assert field_of(text) is None


def test_the_label_is_shown_in_the_trace_description() -> None:
    assert Field().describe() == "field"
    assert Field("ID").describe() == "label 'ID'"
    assert Field("tckn", keyed=True).describe() == "key 'tckn'"


@given(st.text(alphabet="ab ,:;|\t\n\"'-=#.[]{}<>/", max_size=30), st.text(alphabet="ab ,:;|\t\n\"'-=#.[]{}<>/", max_size=30))
def test_find_field_never_fails_and_letters_around_the_value_mean_running_text(before: str, after: str) -> None:
    text = before + VALUE + after
    start = len(before)
    find_field(text, start, start + len(VALUE))  # any text: no exception
    assert find_field(f"{before}a {VALUE} b{after}", len(before) + 2, len(before) + 2 + len(VALUE)) is None


RULE = """
pack: test
rules:
  - id: TEST_ID
    entity: TEST_ID
    score: 0.3
    patterns:
      - name: eleven digits
        regex: '(?<!\\d)(?P<value>\\d{11})(?!\\d)'
    context:
      - {structure: label, words: [id, 'no', number], boost: 0.35}
      - {structure: field, boost: 0.05}
"""


def test_a_label_context_counts_only_for_a_listed_label_written_for_a_reader(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for(RULE)
    scores = {text: [m.score for m in engine.analyze(text)] for text in (
        f"ID: {VALUE}", f"Number: {VALUE}", f"no. {VALUE}", f"Order: {VALUE}", f'{{"id": {VALUE}}}', VALUE,
        f"I wrote {VALUE} down")}
    assert scores == {
        f"ID: {VALUE}": [0.7], f"Number: {VALUE}": [0.7],
        f"no. {VALUE}": [0.35],  # lower case: a data key, not a form's label
        f"Order: {VALUE}": [0.35], f'{{"id": {VALUE}}}': [0.35], VALUE: [0.35],
        f"I wrote {VALUE} down": [0.3],
    }


def test_a_structure_context_is_shown_in_the_trace(write_rules: Callable[..., object]) -> None:
    rules = load_rules([write_rules(RULE)]).rules
    label, field = rules[0].context
    assert label.label == "structure: label (id, no, number)" and field.label == "structure: field"
    assert find_context(label, f"ID: {VALUE}", 4, 15) == "label 'ID'"
    assert find_context(field, f"{VALUE}", 0, 11) == "field"
    assert find_context(field, f"I wrote {VALUE} down", 8, 19) is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{structure: table}", "`structure` is one of field, label"),
        ("{structure: field, regex: 'x'}", "`structure` is one of field, label"),
    ],
)
def test_a_bad_structure_entry_is_an_error_with_its_line(entry: str, message: str,
                                                        write_rules: Callable[..., object]) -> None:
    path = write_rules(RULE.replace("{structure: field, boost: 0.05}", entry), "bad.yaml")
    problems = [str(p) for p in load_rules([path]).problems]
    assert any(message in p and "bad.yaml:11" in p for p in problems), problems
