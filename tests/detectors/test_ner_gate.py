"""Where NER may look: the built-in name gate (shared by PERSON, LOCATION and ORGANIZATION) opens windows
where a name can be and nowhere else, one NER pass serves all three, and a one-word PERSON must be a
known given or family name."""

from __future__ import annotations

import pytest

from detectors.engine import Engine, EngineSpec
from detectors.validators.wordlist import wordlist_check


@pytest.fixture(scope="module")
def full_engine() -> Engine:
    return Engine.from_spec(EngineSpec(policy_path="full"))


def _gate_hits(engine: Engine, text: str) -> list[str]:
    spec = engine.rule("PERSON").ner
    assert spec is not None and spec.gate is not None
    return [m.group().strip() for m in spec.gate.finditer(text)]


@pytest.mark.parametrize(("text", "hit"), [
    ("thanks Priya for the quick turnaround", "Priya"),  # address inside a sentence
    ("Tomasz, can you send me the draft?", "Tomasz"),  # address tag opening a line
    ("Aisha: the upload is done", "Aisha"),  # speaker tag
    ("Elena has the keys to the office.", "Elena"),  # a name opening a sentence, then a lower-case word
    ("We fly to Nairobi next week.", "Nairobi"),  # a place inside a sentence
])
def test_the_gate_opens_where_a_single_name_can_be(full_engine: Engine, text: str, hit: str) -> None:
    assert hit in _gate_hits(full_engine, text)


@pytest.mark.parametrize("text", [
    "please keep the summary short and send it today",  # no capital at all
    "The report is attached. It covers the quarter.",  # sentence openers only
    "Can you summarise this? What changed since then?",
])
def test_the_gate_stays_shut_on_ordinary_sentences(full_engine: Engine, text: str) -> None:
    assert _gate_hits(full_engine, text) == []


def test_location_and_organization_share_the_person_gate(full_engine: Engine) -> None:
    gates = {rule_id: full_engine.rule(rule_id).ner for rule_id in ("PERSON", "LOCATION", "ORGANIZATION")}
    assert all(spec is not None and spec.gate is not None for spec in gates.values())
    assert len({spec.gate.pattern for spec in gates.values()}) == 1  # type: ignore[union-attr]


def test_text_without_a_gate_match_never_reaches_the_model() -> None:
    engine = Engine.from_spec(EngineSpec(policy_path="full"))
    engine.analyze("please keep the summary short and send it by noon")
    assert engine._ner is not None and not engine._ner.loaded


def test_one_ner_pass_reports_people_places_and_organisations(full_engine: Engine) -> None:
    found = {(m.entity, m.value) for m in full_engine.analyze(
        "Last spring Angela Merkel met executives of Siemens in Munich.")}
    assert {("PERSON", "Angela Merkel"), ("LOCATION", "Munich"), ("ORGANIZATION", "Siemens")} <= found


def test_a_one_word_name_must_be_on_the_name_lists() -> None:
    check = wordlist_check(frozenset({"priya", "okafor"}), "alone", case_sensitive=False)
    assert check("Priya") and check("Okafor")
    assert not check("Groupon")  # one unknown word: not evidence of a person
    assert check("Groupon Smith")  # longer values pass: the other validators judge them
