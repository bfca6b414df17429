"""`exclusive: true`: where matches of different exclusive rules overlap, one reading of the value stays;
and context word lists read from files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from detectors.engine import Engine, _weaker_reading
from detectors.loader import load_rules
from dlp.records import Match

RULES = """
rules:
  - id: ID_SCHEME
    entity: XX_ID
    score: 0.5
    exclusive: true
    patterns: ['(?<!\\d)\\d{6}(?!\\d)']
    context:
      - {words: [scheme id], boost: 0.4}
  - id: PHONE_LIKE
    entity: PHONE_NUMBER
    score: 0.5
    exclusive: true
    patterns: ['(?<!\\d)\\d{3} ?\\d{3}(?: \\d{2})?(?!\\d)']
    context:
      - {words: [call], boost: 0.4}
  - id: OTHER_ID
    entity: YY_ID
    score: 0.55
    exclusive: true
    patterns: ['(?<!\\d)\\d{6}(?!\\d)']
  - id: NOT_EXCLUSIVE
    entity: ZZ
    score: 0.9
    patterns: ['(?<!\\d)\\d{6}(?!\\d)']
"""


def found(engine: Engine, text: str) -> set[tuple[str, str]]:
    return {(m.rule_id, m.value) for m in engine.analyze(text)}


def test_a_clearly_stronger_reading_wins_and_close_ones_both_stay(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for(RULES)
    # scheme word: ID_SCHEME 0.9 beats PHONE_LIKE 0.5 and OTHER_ID 0.55; the non-exclusive rule is left alone
    assert found(engine, "scheme id 123456") == {("ID_SCHEME", "123456"), ("NOT_EXCLUSIVE", "123456")}
    # a phone word: PHONE_LIKE 0.9 wins
    assert found(engine, "call 123456") == {("PHONE_LIKE", "123456"), ("NOT_EXCLUSIVE", "123456")}
    # no word: 0.5, 0.5 and 0.55 are within the margin, so all three readings stay
    assert found(engine, "number 123456 here") == {("ID_SCHEME", "123456"), ("PHONE_LIKE", "123456"),
                                                   ("OTHER_ID", "123456"), ("NOT_EXCLUSIVE", "123456")}


def test_a_reading_of_the_whole_value_beats_one_of_its_prefix(engine_for: Callable[..., Engine]) -> None:
    wide = engine_for("""
        rules:
          - {id: WHOLE, entity: W, score: 0.4, exclusive: true, patterns: ['(?<!\\d)\\d{3} \\d{3} \\d{2}(?!\\d)']}
          - {id: PREFIX, entity: PHONE_NUMBER, score: 0.5, exclusive: true,
             patterns: ['(?<!\\d)\\d{3} \\d{3}'], context: [{words: [call], boost: 0.45}]}
        """)
    assert found(wide, "call 123 456 78") == {("WHOLE", "123 456 78")}  # 0.4 against 0.95, but it holds the whole


def test_two_rules_of_one_entity_on_the_same_value_report_it_once(engine_for: Callable[..., Engine]) -> None:
    """Two rules of one entity (a phone number's national and typed forms) read the same digits alike: the
    higher score stays, however close; another entity's reading is still judged by the margin."""
    engine = engine_for("""
        rules:
          - {id: NATIONAL, entity: PHONE_NUMBER, score: 0.6, exclusive: true, patterns: ['(?<!\\d)0\\d{9}(?!\\d)']}
          - {id: TYPED, entity: PHONE_NUMBER, score: 0.65, exclusive: true, patterns: ['(?<!\\d)0\\d{9}(?!\\d)']}
          - {id: SCHEME, entity: XX_ID, score: 0.62, exclusive: true, patterns: ['(?<!\\d)0\\d{9}(?!\\d)']}
        """)
    assert found(engine, "see 0612457898 today") == {("TYPED", "0612457898"), ("SCHEME", "0612457898")}


def test_context_words_from_files(write_rules: Callable[..., Path], engine_for: Callable[..., Engine]) -> None:
    write_rules("# what a number is when it is not an id\norder\ninvoice number\n\n", "words/labels.txt")
    engine = engine_for("""
        rules:
          - id: NUMBER
            entity: N
            score: 0.7
            patterns: ['(?<!\\d)\\d{6}(?!\\d)']
            context:
              - {file: words/labels.txt, boost: -0.5, before: 24, after: 0}
        """)
    assert found(engine, "id 123456") == {("NUMBER", "123456")}
    assert [m.score for m in engine.analyze("Invoice-number 123456")] == [0.2]
    assert [m.score for m in engine.analyze("ORDER 123456")] == [0.2]


def test_a_missing_context_word_file_is_a_problem_with_its_line(write_rules: Callable[..., Path]) -> None:
    path = write_rules("""
        rules:
          - id: NUMBER
            entity: N
            patterns: ['\\d{6}']
            context:
              - {file: nowhere.txt, boost: -0.5}
        """)
    problems = [str(p) for p in load_rules([path]).errors]
    assert len(problems) == 1 and "nowhere.txt" in problems[0] and f"{path}:6:" in problems[0]


def test_two_rules_of_one_entity_reading_a_value_alike_keep_the_same_one_in_either_order() -> None:
    # equal scores and spans: which one stays must not depend on the order the pattern database reports them in
    def reading(rule_id: str) -> Match:
        return Match(rule_id=rule_id, entity="PHONE_NUMBER", start=12, end=21, score=0.6, likelihood="LIKELY",
                     severity="medium", detector="regex", value="8001 2345")

    national, typed = reading("PHONE_NUMBER_NATIONAL"), reading("PHONE_NUMBER_TYPED")
    assert _weaker_reading(national, typed) is typed
    assert _weaker_reading(typed, national) is typed
    # a higher score still decides first
    stronger = replace(typed, score=0.7)
    assert _weaker_reading(national, stronger) is national
    assert _weaker_reading(stronger, national) is national
