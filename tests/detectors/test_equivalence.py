"""The engine (Hyperscan prefilter + windowed `re`) reports exactly what a straightforward
per-rule `re` pass over the whole text reports, on a seeded corpus, the emulator's
generator corpus and random texts."""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detectors.engine import Engine, _best_of_exclusive, _resolve_overlaps
from detectors.evaluate import Candidate, evaluate
from detectors.likelihood import Likelihood
from detectors.loader import load_rules
from detectors.model import Rule
from detectors.policy import DecodingConfig, Policy
from detectors.scanner import iter_matches
from rules import RULES_DIR

POLICY = Policy(min_likelihood=Likelihood.VERY_UNLIKELY, decoding=DecodingConfig(enabled=False))


def regex_rules() -> list[Rule]:
    """The built-in rules with their regex patterns only (NER is not part of this comparison, nor are
    the steps between rules: generic rules giving way, values repeated)."""
    rules = []
    for rule in load_rules([RULES_DIR]).rules:
        if rule.patterns:
            rules.append(dataclasses.replace(rule, ner=None, generic=False, repeats=""))
    return rules


RULES = regex_rules()
ENGINE = Engine(RULES, POLICY)


@dataclasses.dataclass
class Found:
    rule_id: str
    entity: str
    start: int
    end: int
    value: str
    score: float


def reference(rules: list[Rule], text: str) -> set[tuple]:
    """Per rule, per pattern: `re` over the whole text; keywords checked naively; then one reading of each
    value among the `exclusive` rules."""
    found: list[Found] = []
    lowered = text.lower()
    for rule in rules:
        scored = []
        for pattern in rule.patterns:
            keyword_spans = [(m.start(), m.end()) for k in pattern.keywords
                             for m in re.finditer(re.escape(k.lower()), lowered)]
            if pattern.keywords and not keyword_spans:
                continue
            for match in iter_matches(pattern.compiled, text, 0, len(text), pattern.overlapping):
                if pattern.keyword_window is not None:
                    window = pattern.keyword_window
                    if not any(s - window <= match.start() <= e + window for s, e in keyword_spans):
                        continue
                start, end = match.span(pattern.group)
                if start < 0 or end <= start:
                    continue
                base = pattern.score if pattern.score is not None else rule.score
                verdict = evaluate(Candidate.of(rule, start, end, text[start:end], "regex", base,
                                                f"pattern {pattern.name!r}", pattern), text)
                if verdict.scored is not None:
                    scored.append(verdict.scored)
        for kept in _resolve_overlaps(scored):
            found.append(Found(rule.id, rule.entity, kept.start, kept.end, kept.value, kept.score))
    exclusive = {rule.id for rule in rules if rule.exclusive}
    return {(f.rule_id, f.start, f.end, f.value, f.score) for f in _best_of_exclusive(found, exclusive)}  # type: ignore[arg-type]


def engine_result(text: str) -> set[tuple]:
    return {(m.rule_id, m.start, m.end, m.value, m.score) for m in ENGINE.analyze(text)}


def seeded_corpus(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    pieces = [
        "card 4539 1488 0343 6467", "4539148803436467", "5555-5555-5555-4444 12", "3782 822463 10005",
        "SSN 536-22-8714", "ssn 536228714", "219 45 1234", "000-12-3456", "IBAN DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432", "BE71 0961 2345 6769 2024", "jane.doe@northwind-traders.com", "logo@2x.png",
        "AKIAJ3WZ7QX5RTV2LM4N", "aws_secret_access_key = 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",
        "sk-proj-Xq3v9LmZ2rT8wK1pN4sB7yH0cJ6dF5gA-_aQe2RtY8uI0oP3lK7jH9gF1dS4aZ6xC8vB2nM5",
        "Maria Garcia", "Patient Ivy Schroeff", "Grüße aus Köln", "🙂", "—", "Émilie Dubois", "Łukasz Nowak",
        "0123456789", "1234 5678 9012 3456 7", "the quick brown fox", "\n", "  ", "-", ".", "@", "secret",
    ]
    texts = []
    for _ in range(count):
        parts = [rng.choice(pieces) for _ in range(rng.randint(1, 12))]
        texts.append(rng.choice([" ", ", ", "\n", "", "-"]).join(parts))
    return texts


def test_engine_equals_reference_on_a_seeded_corpus() -> None:
    for text in seeded_corpus(seed=20240601, count=400):
        assert engine_result(text) == reference(RULES, text), text


def test_engine_equals_reference_on_the_generator_corpus() -> None:
    prose = pytest.importorskip("dlp.emulator.prose")
    rng = random.Random(99)
    texts = []
    for index in range(600):
        plant = prose.plant_sentence(rng, 0.3)
        texts.append(prose.user_message(rng, rng.choice(prose.TOPICS), index % 4 == 0, plant).text)
    joined = "\n".join(texts[:200])
    for text in [*texts, joined]:
        assert engine_result(text) == reference(RULES, text), text


@pytest.mark.parametrize("text", [
    # a value running into the next keyword: the second match starts inside the first one
    "token Qw3rTy7uIo9pAs1dFg5hJk2lZx4cVb6nM8token Qw3rTy7uIo9pAs1dFg5hJk2lZx4cVb6nM8",
])
def test_engine_equals_reference_on_texts_random_search_found(text: str) -> None:
    assert engine_result(text) == reference(RULES, text)
    assert len(engine_result(text)) >= 2


ALPHABET = st.sampled_from(list("0123456789 -@.abcxyzAKIASKsk_/+=éÖ🙂\n") + [
    "4539", "1488", "0343", "6467", "536-22-8714", "DE89", "3704", "jane@", "corp.com", "Maria ", "Garcia",
    "sk-proj-", "AKIA", "secret ", "aws ", "T3BlbkFJ", "Zx8vQ2mN4pL6rT9wK1jH3gF5dS7aY0uI2oP4lK6j"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_engine_equals_reference_on_random_text(text: str) -> None:
    assert engine_result(text) == reference(RULES, text)
