"""What the model reads for places and organisations: a window stops at the line breaks around its gate match
(`gate_line`), and a sentence opened by a verb of a prompt ("Rewrite this ...") or a pair of words in capitals
("STRICTLY CONFIDENTIAL") opens none (texts of our own)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

import pytest

from detectors.engine import Engine, EngineSpec, _within_line
from detectors.likelihood import Likelihood
from detectors.loader import load_rules
from detectors.policy import Policy

POLICY = Policy(min_likelihood=Likelihood.LIKELY)


class RecordingModel:
    """Stands in for the model where only what it is given matters: records every piece it reads and labels
    `value` as `label` wherever the piece holds it."""

    def __init__(self, value: str = "", label: str = "GPE") -> None:
        self.value = value
        self.label = label
        self.read: list[str] = []

    def entities(self, texts: list[str], labels: frozenset[str] | None = None) -> list[list[tuple[int, int, str]]]:
        self.read.extend(texts)
        return [[(t.index(self.value), t.index(self.value) + len(self.value), self.label)]
                if self.value and self.value in t else [] for t in texts]


PLACES = """
    rules:
      - id: PLACES
        entity: LOCATION
        score: 0.8
        ner:
          labels: {{GPE: LOCATION}}
          gate: '(?<=[a-z] )[A-Z][a-z]+'
          gate_window: 30
{extra}
    """

FORM = "Order: 4411 shipped\nCity: ship to Nairobi today\nNotes: call before noon"


def _engine(write_rules: Callable[..., Path], extra: str, model: RecordingModel) -> Engine:
    ruleset = load_rules([write_rules(PLACES.format(extra=extra))])
    assert not ruleset.errors, [str(p) for p in ruleset.errors]
    return Engine(ruleset.rules, POLICY, ner_runner=model)  # type: ignore[arg-type]


def test_a_window_with_gate_line_stops_at_the_line_breaks_around_its_match(write_rules: Callable[..., Path]) -> None:
    model = RecordingModel("Nairobi")
    engine = _engine(write_rules, "          gate_line: true", model)
    found = engine.analyze(FORM)
    assert model.read == ["City: ship to Nairobi today"]
    assert [(m.entity, m.value, m.start) for m in found] == [("LOCATION", "Nairobi", FORM.index("Nairobi"))]


def test_without_gate_line_the_window_reads_across_lines(write_rules: Callable[..., Path]) -> None:
    model = RecordingModel("Nairobi")
    engine = _engine(write_rules, "", model)
    assert [m.value for m in engine.analyze(FORM)] == ["Nairobi"]
    assert len(model.read) == 1 and "shipped\nCity" in model.read[0] and "today\nNotes" in model.read[0]


def test_gate_line_must_be_true_or_false(write_rules: Callable[..., Path]) -> None:
    ruleset = load_rules([write_rules(PLACES.format(extra="          gate_line: sometimes"))])
    assert any("'gate_line' must be true or false" in str(p) for p in ruleset.errors)


@pytest.mark.parametrize(("text", "start", "end", "window"), [
    ("one\ntwo Kestrel three\nfour", 8, 15, "two Kestrel three"),
    ("Kestrel at the start", 0, 7, "Kestrel at the start"),  # no line break: the window as it was
    ("a\nKestrel", 2, 9, "Kestrel"),
    ("Kestrel\n", 0, 7, "Kestrel"),
])
def test_within_line(text: str, start: int, end: int, window: str) -> None:
    ws, we = _within_line(text, (0, len(text)), start, end)
    assert text[ws:we] == window


def _loc_org_only(engine: Engine, model: RecordingModel) -> Engine:
    """The full policy's LOCATION and ORGANIZATION rules alone, their patterns and dictionary taken out: the
    windows are only the gate's (what `bench` measures as the NER path)."""
    rules = [dataclasses.replace(engine.rule(rule_id), patterns=(), dictionary=None)
             for rule_id in ("LOCATION", "ORGANIZATION")]
    return Engine(rules, engine.policy, ner_runner=model)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def full_engine() -> Engine:
    return Engine.from_spec(EngineSpec(policy_path="full"))


def test_the_built_in_places_and_organisations_windows_stay_on_their_line(full_engine: Engine) -> None:
    model = RecordingModel()
    engine = _loc_org_only(full_engine, model)
    text = ("Ticket 5521 was reopened by the night shift after the outage\n"
            "Site: the depot in Dunmore Vale is closed\n"
            "Status: waiting on the contractor for a new date")
    engine.analyze(text)
    assert model.read == ["Site: the depot in Dunmore Vale is closed"]
    assert sum(map(len, model.read)) < len(text) // 3


def _read(full_engine: Engine, text: str) -> list[str]:
    model = RecordingModel()
    _loc_org_only(full_engine, model).analyze(text)
    return model.read


@pytest.mark.parametrize("text", [
    # a prompt opened by a verb before an article or a pronoun
    "Rewrite this reply so it sounds warmer.",
    "Thanks. Normalise the dates first, then sort them.",
    "Proofread my cover letter, please.",
    "Ok. Anonymise these rows before you share them.",
    "Rephrase it in a friendlier tone.",
    # a pair of words written all in capitals
    "Query: project = SALES AND owner is empty",
    "the subject line says PLEASE READ in red",
])
def test_prompt_verbs_and_pairs_in_capitals_open_no_window(full_engine: Engine, text: str) -> None:
    assert _read(full_engine, text) == []


@pytest.mark.parametrize(("text", "inside"), [
    ("Zantrex announced a recall on Monday.", "Zantrex"),  # an unknown word opening a sentence before a verb
    ("Kestrelia has two airports.", "Kestrelia"),
    ("the convoy reached NEW KESTRELVILLE at dawn", "KESTRELVILLE"),  # a word in capitals that is no word
    ("Our Harbour Trust office opens at nine", "Harbour Trust"),  # a pair written with capitals first
])
def test_names_opening_a_sentence_and_other_pairs_still_open_a_window(full_engine: Engine, text: str, inside: str) -> None:
    read = _read(full_engine, text)
    assert len(read) == 1 and inside in read[0]


def test_a_place_on_a_form_line_is_found_by_the_model(full_engine: Engine) -> None:
    text = "Reference: 88-1204\nDestination: we land in Nairobi on the 4th\nPassengers: two adults"
    found = {(m.entity, m.value) for m in full_engine.analyze(text)}
    assert ("LOCATION", "Nairobi") in found

