"""The Presidio-entities set: its markup parses to exact spans, the shipped set is well formed, and scoring
counts overlaps, exact spans, misses and false alarms per entity."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.presidio_entities import SCORED, load_set, parse_line, rows, score_text


def test_a_marked_line_gives_the_plain_text_and_its_spans() -> None:
    text, spans = parse_line("Meet [[PERSON:Ana Lima]] in [[LOCATION:Porto]] on [[DATE_TIME:3 May]].")
    assert text == "Meet Ana Lima in Porto on 3 May."
    assert [(e, text[s:t]) for e, s, t in spans] == [("PERSON", "Ana Lima"), ("LOCATION", "Porto"),
                                                     ("DATE_TIME", "3 May")]


def test_the_first_colon_ends_the_entity_name_and_backslash_n_is_a_line_break() -> None:
    text, spans = parse_line("Regards,\\n[[IP_ADDRESS:::1]] answers")
    assert text == "Regards,\n::1 answers"
    assert text[spans[0][1]:spans[0][2]] == "::1"


@pytest.mark.parametrize("line", ["[[NOT_A_TYPE:x]]", "[[PERSON: padded ]]", "[[PERSON:Ana", "[[PERSON:]]"])
def test_malformed_markup_is_an_error(line: str) -> None:
    with pytest.raises(ValueError):
        parse_line(line)


def test_a_malformed_line_names_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "set.txt"
    path.write_text("## group\nfine [[URL:example.com]]\nbad [[PERSN:Ana]]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"set.txt:3: unknown entity 'PERSN'"):
        load_set(path)


def test_the_shipped_set_parses_and_covers_every_scored_entity() -> None:
    labelled = load_set()
    assert len(labelled) > 150
    assert {entity for item in labelled for entity, _, _ in item.spans} == set(SCORED)
    assert any(not item.spans for item in labelled)  # negatives: look-alikes of no type


def test_scoring_counts_overlaps_exact_spans_misses_and_false_alarms() -> None:
    gold = [("DATE_TIME", 10, 30), ("URL", 40, 50)]
    findings = [{"entity": "DATE_TIME", "start": 10, "end": 20}, {"entity": "DATE_TIME", "start": 21, "end": 30},
                {"entity": "PERSON", "start": 0, "end": 5}, {"entity": "SECRET", "start": 40, "end": 50}]
    tallies, notes = score_text(gold, findings)
    assert (tallies["DATE_TIME"].gold, tallies["DATE_TIME"].found, tallies["DATE_TIME"].exact) == (1, 1, 0)
    assert (tallies["DATE_TIME"].pred, tallies["DATE_TIME"].correct) == (2, 2)  # two pieces of one date
    assert tallies["URL"].found == 0 and tallies["PERSON"].correct == 0  # SECRET is not scored
    assert notes == ["missed URL [40:50]", "false PERSON [0:5]"]


def test_rows_show_not_reported_types_and_a_micro_row() -> None:
    results = {"engines": ["a"], "scores": {"a": {
        "entities": {"URL": {"gold": 2, "found": 0, "exact": 0, "pred": 0, "correct": 0,
                             "precision": None, "recall": 0.0, "f1": None}},
        "groups": {}, "micro": {"gold": 2, "found": 0, "exact": 0, "pred": 0, "correct": 0,
                                "precision": None, "recall": 0.0, "f1": None}}}}
    assert rows(results) == [["URL", "not reported (0/2)"], ["micro", "not reported (0/2)"]]
