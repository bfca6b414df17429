"""Loading rule files: every problem names its file and line; valid files give the expected rules."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from detectors.engine import Engine, EngineSpec
from detectors.errors import Problem, RuleError
from detectors.likelihood import Likelihood
from detectors.loader import load_rules

GOOD = """
pack: demo
rules:
  - id: EMPLOYEE_ID
    name: Employee id
    description: Internal employee ids.
    entity: EMPLOYEE_ID
    severity: medium
    score: 0.6
    tags: [hr]
    references: [https://intranet.example/ids]
    applies_to:
      kinds: [message, attachment]
      roles: [user]
      file_types: [pdf, docx]
    min_likelihood: POSSIBLE
    patterns:
      - name: id
        regex: '\\bEMP-(?P<value>\\d{6})\\b'
        score: 0.7
    validators: [luhn]
    context:
      - words: [employee, staff id]
        boost: 0.2
      - regex: 'test(?:ing)?'
        boost: -0.3
    exclusions:
      - values: ["000000"]
    tests:
      match:
        - text: "employee EMP-123455"
          value: "123455"
      no_match:
        - "EMP-123456"
"""


def problems_of(write_rules: Callable[..., Path], text: str) -> list[Problem]:
    return load_rules([write_rules(text)]).problems


def test_a_complete_rule_loads_with_every_field(write_rules: Callable[..., Path]) -> None:
    path = write_rules(GOOD)
    ruleset = load_rules([path])
    assert ruleset.problems == []
    [rule] = ruleset.rules
    assert rule.id == "EMPLOYEE_ID" and rule.pack == "demo" and rule.severity == "medium"
    assert rule.applies_to.kinds == {"message", "attachment"} and rule.applies_to.file_types == {"pdf", "docx"}
    assert rule.min_likelihood is Likelihood.POSSIBLE
    assert rule.patterns[0].group == "value" and rule.patterns[0].score == 0.7
    assert [v.name for v in rule.validators] == ["luhn"]
    assert [c.boost for c in rule.context] == [0.2, -0.3]
    assert rule.examples[0].value == "123455" and rule.examples[0].where.line == 30
    assert rule.where.file == str(path) and rule.where.line == 3


@pytest.mark.parametrize(
    ("snippet", "line", "message"),
    [
        ("    regex: '(unclosed'\n", 6, "invalid regex: missing ), unterminated subpattern"),
        ("    regex: 'a{,3}'\n", 6, "write `{0,n}`"),
        ("    regex: 'x*'\n", 6, "regex can match the empty string"),
        ("    regex: 'a'\n    group: 3\n", 7, "group 3 does not exist"),
        ("    regex: 'a'\n    sevrity: high\n", 7, "unknown key 'sevrity' in a pattern"),
    ],
)
def test_pattern_problems_name_file_and_line(write_rules: Callable[..., Path], snippet: str, line: int,
                                             message: str) -> None:
    text = "rules:\n  - id: R\n    entity: E\n    patterns:\n    -\n" + "".join(
        "  " + row + "\n" for row in snippet.rstrip("\n").split("\n"))
    path = write_rules(text)
    problems = load_rules([path]).problems
    assert any(p.line == line and message in p.message and p.file == str(path) for p in problems), problems
    assert all(str(p).startswith(f"{path}:") for p in problems)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("rules:\n  - id: R\n    entity: E\n    severity: huge\n    patterns: ['a']\n", 4, "severity must be one of"),
        ("rules:\n  - id: R\n    patterns: ['a']\n", 2, "missing required key 'entity'"),
        ("rules:\n  - id: R\n    entity: E\n", 2, "needs at least one matcher"),
        ("rules:\n  - id: R\n    entity: E\n    patterns: ['a']\n    validators: [nope]\n", 5, "unknown validator 'nope'"),
        ("rules:\n  - id: R\n    entity: E\n    patterns: ['a']\n    validator: [luhn]\n", 5,
         "unknown key 'validator' in a rule (did you mean 'validators'?)"),
        ("rules:\n  - id: R\n    entity: E\n    entity: F\n    patterns: ['a']\n", 4, "duplicate key 'entity'"),
        ("rules:\n  - id: R\n    entity: E\n    score: 2\n    patterns: ['a']\n", 4, "between 0 and 1"),
        ("rules:\n  - id: R\n    entity: E\n    patterns: ['a']\n    applies_to: {kinds: [email]}\n", 5,
         "unknown item kind 'email'"),
        ("rules:\n  - id: R\n    entity: E\n    patterns: ['a']\n    require_context: true\n", 5,
         "require_context needs a context entry"),
        ("rules:\n  - id: R\n    entity: E\n    dictionary: {file: missing.txt}\n", 4, "cannot read word list"),
        ("rules:\n  - id: R\n    entity: E\n    compound: {anchor: X, near: [Y]}\n", 4, "unknown rule 'X'"),
        ("rules: [\n", 2, "invalid YAML"),
        ("rules:\n  - id: OFF\n    entity: E\n    patterns: ['a']\n", 2, "'id' was read as false; quote the value"),
        ("hello: world\n", 1, "not a rule file"),
        ("rules:\n  - id: R\n    entity: E\n    patterns: ['a']\n    min_likelihood: sure\n", 5, "unknown likelihood"),
        ("rules:\n  - id: R\n    entity: E\n    patterns: ['a']\n    repeats: always\n", 5, "repeats"),
        ("rules:\n  - id: R\n    entity: E\n    patterns: ['a']\n    tests: {no_match: [{text: x, value: y}]}\n",
         5, "`value` only makes sense"),
    ],
)
def test_rule_problems_name_file_and_line(write_rules: Callable[..., Path], text: str, line: int, message: str) -> None:
    problems = problems_of(write_rules, text)
    assert any(p.line == line and message in p.message for p in problems), [str(p) for p in problems]


def test_duplicate_rule_ids_across_files_are_reported(write_rules: Callable[..., Path]) -> None:
    first = write_rules("rules:\n  - id: DUP\n    entity: E\n    patterns: ['a']\n", "a.yaml")
    second = write_rules("rules:\n  - id: DUP\n    entity: E\n    patterns: ['b']\n", "b.yaml")
    problems = load_rules([first.parent]).problems
    [problem] = problems
    assert problem.file == str(second) and problem.line == 2
    assert f"duplicate rule id 'DUP' (first defined at {first}:2)" in problem.message


def test_a_broken_rule_file_stops_the_engine_with_every_problem(write_rules: Callable[..., Path]) -> None:
    path = write_rules("rules:\n  - id: A\n    entity: E\n    patterns: ['(']\n  - id: B\n    patterns: ['x']\n")
    with pytest.raises(RuleError) as caught:
        Engine.from_spec(EngineSpec(rule_paths=(str(path),)))
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"{path}:4: invalid regex")
    assert lines[1] == f"{path}:5: missing required key 'entity'"


def test_packs_come_from_files_and_folders(write_rules: Callable[..., Path]) -> None:
    write_rules("rules:\n  - id: A\n    entity: E\n    patterns: ['a']\n", "packs/alpha.yaml")
    write_rules("rules:\n  - id: B\n    entity: E\n    patterns: ['b']\n", "packs/beta/one.yaml")
    write_rules("pack: gamma\nrules:\n  - id: C\n    entity: E\n    patterns: ['c']\n", "packs/beta/two.yaml")
    ruleset = load_rules([write_rules("rules: []\n", "other.yaml").parent / "packs"])
    assert {(r.id, r.pack) for r in ruleset.rules} == {("A", "alpha"), ("B", "beta"), ("C", "gamma")}


def test_policy_selects_packs_and_rules(write_rules: Callable[..., Path]) -> None:
    rules = write_rules("""
        pack: p1
        rules:
          - {id: "ON", entity: E, patterns: ['on']}
          - {id: SWITCHED_ON, entity: E, enabled: false, patterns: ['off']}
          - {id: DROPPED, entity: E, patterns: ['dropped']}
        """, "r/p1.yaml")
    write_rules("pack: p2\nrules:\n  - {id: OTHER, entity: E, patterns: ['other']}\n", "r/p2.yaml")
    policy = write_rules("""
        policy: team
        packs: [p1]
        enable: [SWITCHED_ON]
        disable: [DROPPED]
        min_likelihood: POSSIBLE
        """, "team-policy.yaml")
    engine = Engine.from_spec(EngineSpec(rule_paths=(str(rules.parent),), policy_path=str(policy)))
    assert sorted(r.id for r in engine.rules) == ["ON", "SWITCHED_ON"]
    assert engine.min_likelihood is Likelihood.POSSIBLE
    found = {m.rule_id for m in engine.analyze("on off dropped other")}
    assert found == {"ON", "SWITCHED_ON"}


def test_policy_errors_name_file_and_line(write_rules: Callable[..., Path]) -> None:
    rules = write_rules("rules:\n  - {id: A, entity: E, patterns: ['a']}\n", "r/a.yaml")
    policy = write_rules("policy: p\npacks: [nope]\nmin_likelihood: LIKELY\n", "p.yaml")
    with pytest.raises(RuleError) as caught:
        Engine.from_spec(EngineSpec(rule_paths=(str(rules.parent),), policy_path=str(policy)))
    assert f"{policy}:2: policy 'p' names unknown pack 'nope'" in str(caught.value)
    bad = write_rules("policy: q\nmin_likelihood: sometimes\n", "q.yaml")
    with pytest.raises(RuleError) as caught:
        Engine.from_spec(EngineSpec(rule_paths=(str(rules.parent),), policy_path=str(bad)))
    assert f"{bad}:2: unknown likelihood 'sometimes'" in str(caught.value)


def test_scan_minimum_likelihood_overrides_the_policy(write_rules: Callable[..., Path]) -> None:
    path = write_rules("rules:\n  - {id: WEAK, entity: E, score: 0.45, patterns: ['weak']}\n")
    default = Engine.from_spec(EngineSpec(rule_paths=(str(path),)))
    assert default.analyze("weak") == []  # POSSIBLE is below the default LIKELY
    lowered = Engine.from_spec(EngineSpec(rule_paths=(str(path),), min_likelihood="possible"))
    assert [m.likelihood for m in lowered.analyze("weak")] == ["POSSIBLE"]
    with pytest.raises(RuleError):
        Engine.from_spec(EngineSpec(rule_paths=(str(path),), min_likelihood="maybe"))
