"""The complete example in docs/rule-language.md loads, lints clean and passes its own tests."""

from __future__ import annotations

import re
from pathlib import Path

from detectors.likelihood import Likelihood
from detectors.loader import load_rules
from detectors.policy import Policy
from detectors.ruletests import run_rule_tests

DOC = Path(__file__).resolve().parents[2] / "docs" / "rule-language.md"


def test_the_documented_complete_rule_works(tmp_path: Path) -> None:
    section = DOC.read_text(encoding="utf-8").split("## A complete rule", 1)[1]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "test-employees.txt").write_text("# test accounts\n999999\n", encoding="utf-8")
    path = tmp_path / "hr.yaml"
    path.write_text(example, encoding="utf-8")
    ruleset = load_rules([path])
    assert ruleset.problems == []
    results = run_rule_tests(ruleset.rules, ruleset.rules, Policy(min_likelihood=Likelihood.POSSIBLE))
    assert len(results) == 4 and all(r.passed for r in results), [str(r) for r in results if not r.passed]
