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
