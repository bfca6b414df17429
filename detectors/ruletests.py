"""Running the `tests:` examples of rules: the engine of `dlp rules test`.

Each rule is run alone (with the rules a compound rule needs) at the scan's
minimum likelihood, so an example passes only if a real scan would report it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from detectors.engine import DEFAULT_NER_MODEL, Engine
from detectors.model import Rule, RuleExample
from detectors.ner import NerRunner
from detectors.policy import Policy
from detectors.trace import Trace


@dataclass(frozen=True, slots=True)
class ExampleResult:
    rule: Rule
    example: RuleExample
    passed: bool
    message: str

    def __str__(self) -> str:
        return f"{self.example.where}: {self.rule.id}: {self.message}"


def run_rule_tests(
    rules: Sequence[Rule],
    catalog: Sequence[Rule],
    policy: Policy,
    ner_model: str = DEFAULT_NER_MODEL,
) -> list[ExampleResult]:
    """Run every example of every rule in `rules`; compound rules find their parts in `catalog`."""
    results: list[ExampleResult] = []
    runner = NerRunner(ner_model)
    for rule in rules:
        if not rule.examples:
            continue
        engine = Engine([rule], policy, catalog=catalog, ner_model=ner_model, ner_runner=runner)
        found = engine.analyze_batch([example.text for example in rule.examples])
        for example, matches in zip(rule.examples, found):
            mine = [m for m in matches if m.rule_id == rule.id]
            results.append(_judge(engine, rule, example, mine))
    return results


def _judge(engine: Engine, rule: Rule, example: RuleExample, matches: list) -> ExampleResult:
    if example.should_match:
        if example.value is None and matches:
            return ExampleResult(rule, example, True, "matched")
        if example.value is not None and any(m.value == example.value for m in matches):
            return ExampleResult(rule, example, True, "matched")
        found = ", ".join(f"{m.value!r} ({m.likelihood})" for m in matches) or "nothing"
        wanted = f"a match with value {example.value!r}" if example.value is not None else "a match"
        why = _why_not(engine.explain(rule.id, example.text))
        return ExampleResult(rule, example, False, f"expected {wanted} in {example.text!r}; found {found}{why}")
    if not matches:
        return ExampleResult(rule, example, True, "no match")
    found = ", ".join(f"{m.value!r} [{m.start}:{m.end}] score {m.score:.2f} ({m.likelihood})" for m in matches)
    return ExampleResult(rule, example, False, f"expected no match in {example.text!r}; found {found}")


def _why_not(traces: list[Trace]) -> str:
    dropped = [f"{t.value!r}: {t.reason}" for t in traces if not t.reported]
    return f" (dropped candidates: {'; '.join(dropped)})" if dropped else ""
