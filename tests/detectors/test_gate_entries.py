"""Gate entries with validators, validators of the model's entities only, `on_fail` validators, and the
built-in PERSON patterns and cues that need no model (names, sentences and word lists of our own)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from detectors.engine import Engine
from detectors.likelihood import Likelihood
from detectors.loader import load_rules
from detectors.policy import Policy
from detectors.validators.wordlist import WordSets, wordlist_check

POLICY = Policy(min_likelihood=Likelihood.LIKELY)


class FixedEntities:
    """Stands in for the model: every text gets PERSON spans for `values` found in it; records what it read."""

    def __init__(self, *values: str) -> None:
        self.values = values
        self.read: list[str] = []

    def entities(self, texts: list[str], labels: frozenset[str] | None = None) -> list[list[tuple[int, int, str]]]:
        self.read.extend(texts)
        return [[(t.index(v), t.index(v) + len(v), "PERSON") for v in self.values if v in t] for t in texts]


def _engine(write_rules: Callable[..., Path], yaml: str, runner: FixedEntities) -> Engine:
    write_rules("zorvath\nquillane\n", "names.txt")
    path = write_rules(yaml)
    ruleset = load_rules([path])
    assert not ruleset.errors, [str(p) for p in ruleset.errors]
    return Engine(ruleset.rules, POLICY, ner_runner=runner)  # type: ignore[arg-type]


GATED = """
    rules:
      - id: NAMES
        entity: PERSON
        score: 0.8
        ner:
          labels: [PERSON]
          gate:
            - regex: '[A-Z][a-z]+'
              validators:
                - wordlist: {file: names.txt}
          gate_window: 10
    """


def test_a_gate_entry_opens_a_window_only_where_its_validators_pass(write_rules: Callable[..., Path]) -> None:
    runner = FixedEntities("Zorvath", "Monday")
    engine = _engine(write_rules, GATED, runner)
    found = engine.analyze_batch(["see you on Monday then", "ask Zorvath about it"])
    assert found[0] == [] and [m.value for m in found[1]] == ["Zorvath"]
    assert len(runner.read) == 1 and "Zorvath" in runner.read[0]  # "Monday" is not on the list: no window


def test_a_gate_may_still_be_one_regex(write_rules: Callable[..., Path]) -> None:
    runner = FixedEntities("Monday")
    engine = _engine(write_rules, GATED.replace("""            - regex: '[A-Z][a-z]+'
              validators:
                - wordlist: {file: names.txt}""", """            - '[A-Z][a-z]+'"""), runner)
    assert [m.value for m in engine.analyze("see you on Monday then")] == ["Monday"]


ONE_WORD = """
    rules:
      - id: NAMES
        entity: PERSON
        score: 0.85
        ner:
          labels: [PERSON]
          validators:
            - wordlist: {file: names.txt, part: alone, on_fail: -0.5}
        patterns:
          - name: after a title
            regex: 'Dr\\. (?P<value>[A-Z][a-z]+)'
        context:
          - regex: '(?<=[a-z])''s'
            boost: 0.35
            before: 0
            after: 2
    """


def test_on_fail_lowers_the_score_and_a_context_word_can_restore_it(write_rules: Callable[..., Path]) -> None:
    runner = FixedEntities("Zorvath", "Brightwell")
    engine = _engine(write_rules, ONE_WORD, runner)
    assert [m.value for m in engine.analyze("we asked Zorvath today")] == ["Zorvath"]  # listed: passes
    assert engine.analyze("we asked Brightwell today") == []  # 0.85 - 0.5: below LIKELY
    found = engine.analyze("we read Brightwell's notes")  # ... and a possessive adds 0.35 back
    assert [(m.value, m.likelihood) for m in found] == [("Brightwell", "LIKELY")]


def test_ner_validators_do_not_constrain_the_patterns(write_rules: Callable[..., Path]) -> None:
    engine = _engine(write_rules, ONE_WORD, FixedEntities())
    assert [(m.value, m.score) for m in engine.analyze("Please call Dr. Brightwell tomorrow.")] == [("Brightwell", 0.85)]


def test_a_bad_gate_entry_is_a_rule_error(write_rules: Callable[..., Path]) -> None:
    path = write_rules(GATED.replace("- regex: '[A-Z][a-z]+'", "- rgx: '[A-Z][a-z]+'"))
    errors = [str(p) for p in load_rules([path]).errors]
    assert errors and any("regex" in e for e in errors)


def test_word_sets_look_up_several_lists_without_merging_them() -> None:
    sets = WordSets(frozenset({"amara"}), frozenset({"okafor"}))
    check = wordlist_check(sets, "each", case_sensitive=False)
    assert check("Amara Okafor") and check("Okafor's") and not check("Amara Smith")


@pytest.mark.parametrize(("text", "name"), [
    ("Please ask Dr. Zadrozny about the results.", "Zadrozny"),  # a title: no list needed
    ("Hi Priya, the draft is attached.", "Priya"),  # a greeting and a known name
    ("Tomasz: the upload finished at noon", "Tomasz"),  # a speaker tag
    ("Can you check this?\nThanks,\nMarisol", "Marisol"),  # a signature line
    ("my name is Ingrida Vaitkute and I need a refund", "Ingrida Vaitkute"),
    ("The Vandersloot family booked it; Vandersloot said it was fine.", "Vandersloot"),  # "said", no list
])
def test_person_names_in_chat_conventions(default_engine: Engine, text: str, name: str) -> None:
    values = [m.value for m in default_engine.analyze(text) if m.entity == "PERSON"]
    assert any(name in v for v in values), values


@pytest.mark.parametrize("text", [
    "Edit: fixed the typo in the second paragraph.",  # a given name in some languages, a word here
    "Hey, The supplier sent new bank details.",
    "True, but the draft is late again.",
    "Here's the Customer's invoice from Legal.",
    "Please keep the Travel Policy short.",
])
def test_ordinary_capitalised_words_are_not_names(default_engine: Engine, text: str) -> None:
    assert [m.value for m in default_engine.analyze(text) if m.entity == "PERSON"] == []
