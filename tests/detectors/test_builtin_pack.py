"""The built-in packs: their own examples pass, and planted values of each entity are found."""

from __future__ import annotations

from detectors.engine import Engine
from detectors.loader import DEFAULT_POLICY_PATH, load_policy, load_rules
from detectors.ruletests import run_rule_tests
from rules import RULES_DIR


def test_every_builtin_rule_example_passes() -> None:
    ruleset = load_rules([RULES_DIR])
    assert not ruleset.errors
    regex_rules = [r for r in ruleset.rules if not r.needs_ner and r.compound is None]
    results = run_rule_tests(regex_rules, ruleset.rules, load_policy(DEFAULT_POLICY_PATH))
    failures = [str(r) for r in results if not r.passed]
    assert results and not failures, failures


def test_default_engine_finds_each_regex_entity(default_engine: Engine) -> None:
    text = (
        "Mail jane.doe@northwind-traders.com; card 4539 1488 0343 6467; SSN 536-22-8714; "
        "IBAN DE89 3704 0044 0532 0130 00; key AKIAJ3WZ7QX5RTV2LM4N."
    )
    found = {(m.rule_id, m.value) for m in default_engine.analyze(text)}
    assert ("EMAIL_ADDRESS", "jane.doe@northwind-traders.com") in found
    assert ("CREDIT_CARD", "4539 1488 0343 6467") in found
    assert ("US_SSN", "536-22-8714") in found
    assert ("IBAN_CODE", "DE89 3704 0044 0532 0130 00") in found
    assert ("AWS_ACCESS_KEY_ID", "AKIAJ3WZ7QX5RTV2LM4N") in found


def test_offsets_are_characters_of_the_input(default_engine: Engine) -> None:
    text = "Grüße aus Köln — 🙂 SSN 536-22-8714 ✓"
    [match] = [m for m in default_engine.analyze(text) if m.rule_id == "US_SSN"]
    assert text[match.start:match.end] == "536-22-8714"


ENTITIES = {"EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "SECRET", "PERSON"}
SECRET_KINDS = {"openai", "aws_access_key", "aws_secret_key"}


def test_planted_values_are_found_and_look_alikes_are_not(default_engine: Engine) -> None:
    """On the emulator's own sentences: every valid planted value of the first pack's entities
    is reported; no invalid look-alike (bad checksum, placeholder key) is."""
    import random

    import pytest

    prose = pytest.importorskip("dlp.emulator.prose")
    rng = random.Random(4242)
    messages = [prose.user_message(rng, rng.choice(prose.TOPICS), i % 3 == 0, prose.plant_sentence(rng, 0.3))
                for i in range(300)]
    results = default_engine.analyze_batch([m.text for m in messages])
    missed, reported_fakes, checked = [], [], 0
    for message, matches in zip(messages, results):
        for span in message.spans:
            value = span.value
            if value.entity not in ENTITIES or (value.entity == "SECRET" and value.subtype not in SECRET_KINDS):
                continue
            hit = any(m.entity == value.entity and m.start < span.end and span.start < m.end for m in matches)
            checked += 1
            if value.valid and not hit:
                missed.append(value.text)
            if not value.valid and hit:
                reported_fakes.append(value.text)
    assert checked > 200
    assert missed == [] and reported_fakes == []
