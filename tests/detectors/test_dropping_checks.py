"""Word-list checks run on a regex match before its candidate is built (`evaluate.dropping_checks`): the
engine reports exactly what scoring every candidate reports, and a trace still shows the dropped ones."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detectors.engine import Engine
from detectors.evaluate import dropping_checks
from detectors.loader import load_rules
from detectors.policy import Policy
from detectors.likelihood import Likelihood

RULES = """
    rules:
      - id: NAME
        entity: PERSON
        score: 0.6
        patterns:
          - name: pair
            regex: '\\b[A-Z][a-z]+ [A-Z][a-z]+\\b'
            overlapping: true
            validators:
              - wordlist: {file: given.txt, part: first}
              - wordlist: {file: common.txt, part: each, negate: true}
          - name: shrinking pair
            regex: '\\bDr [A-Z][a-z]+(?: [A-Z][a-z]+)*'
            shrink: true
            validators:
              - wordlist: {file: given.txt, part: last}
        validators:
          - wordlist: {file: common.txt, part: last, negate: true}
          - wordlist: {file: given.txt, part: any, on_fail: -0.3}
        context:
          - words: [patient]
            boost: 0.2
"""
GIVEN = ["Ana", "Bo", "Cleo", "Dara", "Eli"]
COMMON = ["The", "Report", "Monday", "Cleo"]


def _engine(write_rules: Callable[..., Path]) -> Engine:
    write_rules("\n".join(GIVEN), "given.txt")
    write_rules("\n".join(COMMON), "common.txt")
    ruleset = load_rules([write_rules(RULES)])
    assert not ruleset.errors, [str(p) for p in ruleset.errors]
    return Engine(ruleset.rules, Policy(min_likelihood=Likelihood.VERY_UNLIKELY))


def _found(engine: Engine, text: str) -> list[tuple]:
    return [(m.rule_id, m.start, m.end, m.value, m.score, m.likelihood) for m in engine.analyze(text)]


def test_only_cheap_checks_that_drop_are_run_early(write_rules: Callable[..., Path]) -> None:
    engine = _engine(write_rules)
    rule = engine.rules[0]
    pair, shrinking = rule.patterns
    # the pattern's two lists, then the rule's negated list; the on_fail list only lowers a score
    assert [v.name for v in dropping_checks(pair, rule)] == ["wordlist", "wordlist", "wordlist"]
    assert all(v.on_fail is None for v in dropping_checks(pair, rule))
    assert dropping_checks(shrinking, rule) == ()  # a shorter value may pass where the match failed


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(GIVEN + COMMON + ["Smith", "Dr", "patient", "and", ",", "\n", "Zed"]),
                max_size=30).map(" ".join))
def test_the_engine_reports_what_scoring_every_candidate_reports(write_rules: Callable[..., Path],
                                                                  text: str) -> None:
    early = _engine(write_rules)
    every = _engine(write_rules)
    every._dropping = [() for _ in every._dropping]  # score every candidate, as before the early checks
    assert _found(early, text) == _found(every, text)


def test_a_seeded_text_keeps_its_findings_and_the_trace_keeps_dropped_candidates(
        write_rules: Callable[..., Path]) -> None:
    engine = _engine(write_rules)
    text = "The Report was read by Ana Smith and patient Bo Cleo on Monday; Dr Smith Ana Report signed."
    # (the shrinking pattern's "Dr Smith Ana Report" fails its list, and its shorter value passes)
    assert [(m.value, m.rule_id) for m in engine.analyze(text)] == [
        ("Ana Smith", "NAME"), ("Dr Smith Ana", "NAME")]
    traced = {(t.value, t.reported, t.reason) for t in engine.explain("NAME", text)}
    assert ("The Report", False, "validator wordlist failed") in traced
    assert ("Bo Cleo", False, "validator wordlist failed") in traced
    assert ("Ana Smith", True, "reported") in traced
