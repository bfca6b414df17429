"""`evaluate`: a candidate that requires context is checked for a positive context word before its
validators run (which only saves their cost), and every verdict equals the one of the plain order
(exclusions, validators, context) on the built-in rules."""

from __future__ import annotations

import random
import re

from detectors.evaluate import Candidate, evaluate, find_context, first_failing_validator, is_excluded, shrink_to_valid
from detectors.likelihood import clamp_score, likelihood_for
from detectors.loader import load_rules
from detectors.model import ContextSpec, PatternSpec, Rule, ValidatorSpec
from detectors.trace import TraceStep
from rules import RULES_DIR


class Counting:
    """A validator check that records the values it was asked about."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.seen: list[str] = []

    def __call__(self, value: str) -> bool:
        self.seen.append(value)
        return self.answer


def words(*listed: str, boost: float = 0.35, before: int = 20, after: int = 20) -> ContextSpec:
    compiled = re.compile(r"(?i)\b(?:" + "|".join(map(re.escape, listed)) + r")\b")
    return ContextSpec(", ".join(listed), compiled, boost, before, after)


def rule_with(check: Counting, *context: ContextSpec, require_context: bool = True) -> Rule:
    return Rule(id="R", entity="E", score=0.3, validators=(ValidatorSpec("counting", check, 0.2),),
                context=context, require_context=require_context)


def candidate_in(rule: Rule, text: str, value: str, pattern: PatternSpec | None = None) -> Candidate:
    start = text.index(value)
    return Candidate.of(rule, start, start + len(value), value, "regex", 0.3, "pattern 'p'", pattern)


def test_without_a_positive_context_word_the_validators_do_not_run() -> None:
    check = Counting(True)
    rule = rule_with(check, words("phone"), words("invoice", boost=-0.4))
    text = "invoice 0176 1234 5678"
    steps: list[TraceStep] = []
    verdict = evaluate(candidate_in(rule, text, "0176 1234 5678"), text, steps)
    assert verdict.scored is None and verdict.reason == "required context missing"
    assert check.seen == []
    assert [step.action for step in steps] == ["candidate", "require_context"]
    assert "before the validators, which did not run" in steps[1].detail
    assert verdict.final_score == steps[-1].score == 0.3
    # untraced: the same verdict
    again = evaluate(candidate_in(rule, text, "0176 1234 5678"), text)
    assert (again.scored, again.reason, again.final_score) == (None, "required context missing", verdict.final_score)


def test_with_a_positive_context_word_the_order_and_trace_are_as_before() -> None:
    check = Counting(True)
    rule = rule_with(check, words("phone"), words("invoice", boost=-0.4))
    text = "phone 0176 1234 5678"
    steps: list[TraceStep] = []
    verdict = evaluate(candidate_in(rule, text, "0176 1234 5678"), text, steps)
    assert check.seen == ["0176 1234 5678"]
    assert [step.action for step in steps] == ["candidate", "validator", "context", "likelihood"]
    assert verdict.scored is not None and verdict.scored.score == clamp_score(0.3 + 0.2 + 0.35)

    failing = rule_with(Counting(False), words("phone"))
    dropped = evaluate(candidate_in(failing, text, "0176 1234 5678"), text)
    assert dropped.scored is None and dropped.reason == "validator counting failed"


def test_a_shrinking_pattern_runs_its_validators_first() -> None:
    """Shrinking moves the end of the span and with it the context window, so no early check."""
    check = Counting(False)
    compiled = re.compile(r"\d+(?: \d+)*")
    pattern = PatternSpec("p", compiled.pattern, compiled, shrink=True)
    rule = rule_with(check, words("phone", before=0, after=3))
    text = "12 34 phone"
    verdict = evaluate(candidate_in(rule, text, "12 34", pattern), text)
    assert check.seen == ["12 34", "12"]  # the candidate, then the shorter prefix
    assert verdict.reason == "validator counting failed"


def plain_order(candidate: Candidate, text: str) -> tuple | None:
    """The reference: exclusions, validators (with shrinking), then context, with no early exit."""
    rule, score = candidate.rule, candidate.base_score
    value, start, end = candidate.value, candidate.start, candidate.end
    if any(is_excluded(exclusion, value) for exclusion in rule.exclusions):
        return None
    if candidate.validators:
        failed = first_failing_validator(candidate.validators, value)
        if failed is not None and candidate.pattern is not None and candidate.pattern.shrink:
            shorter = shrink_to_valid(candidate, text)
            if shorter is not None:
                value, end, failed = shorter, start + len(shorter), None
        if failed is not None:
            return None
        score += sum(validator.boost for validator in candidate.validators)
    positive = False
    for context in rule.context:
        if find_context(context, text, start, end) is not None:
            score += context.boost
            positive = positive or context.boost > 0
    if (rule.require_context or candidate.require_context) and not positive:
        return None
    final = clamp_score(score)
    return start, end, value, final, likelihood_for(final)


PIECES = [
    "0176 1234 5678", "06 12 34 56 78", "(415) 555-2671", "020 7946 0958", "+49 1512 3456789", "12 34 56 78 90 12",
    "536-22-8714", "536 22 8714", "000-12-3456", "4539 1488 0343 6467", "4539 1488 0343 6468", "021000021",
    "DE89 3704 0044 0532 0130 00", "jane.doe@example.com", "47 036 892 816", "123 456 782", "AB123456C",
]
WORDS = ["phone", "call", "tel", "mobile", "ssn", "social security", "card", "routing", "aba", "iban", "invoice",
         "order", "tax file number", "tfn", "account", "contact", "number", "fax", "is", "the", "and", "\n", ",", ":"]


def seeded_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(PIECES) if rng.random() < 0.35 else rng.choice(WORDS) for _ in range(rng.randint(3, 14)))
            for _ in range(count)]


def test_every_verdict_equals_the_plain_order_on_the_builtin_rules() -> None:
    rules = [rule for rule in load_rules([RULES_DIR]).rules if rule.patterns]
    compared = early = 0
    for text in seeded_texts(11, 400):
        for rule in rules:
            for pattern in rule.patterns:
                for match in pattern.compiled.finditer(text):
                    start, end = match.span(pattern.group)
                    if start < 0 or end <= start:
                        continue
                    base = pattern.score if pattern.score is not None else rule.score
                    candidate = Candidate.of(rule, start, end, text[start:end], "regex", base, "p", pattern)
                    steps: list[TraceStep] = []
                    verdict = evaluate(candidate, text, steps)
                    got = None if verdict.scored is None else (
                        verdict.scored.start, verdict.scored.end, verdict.scored.value, verdict.scored.score,
                        verdict.scored.likelihood)
                    assert got == plain_order(candidate, text), (rule.id, text)
                    assert evaluate(candidate, text).scored == verdict.scored  # traced or not, the same
                    compared += 1
                    early += any("did not run" in step.detail for step in steps)
    assert compared > 2000 and early > 50
