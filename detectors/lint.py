"""`dlp rules lint`: every problem a rule set has, without running a scan.

On top of what loading reports (schema, regex compilation, validators,
duplicate ids, compound references), lint checks engine compatibility (which
patterns Hyperscan cannot prefilter) and policies against the loaded packs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from detectors.errors import Problem
from detectors.loader import DEFAULT_POLICY_PATH, load_policy, load_rules, select_rules
from detectors.errors import RuleError
from detectors.scanner import Mode, PatternScanner


@dataclass
class LintReport:
    problems: list[Problem] = field(default_factory=list)
    rule_count: int = 0
    file_count: int = 0

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def lint_paths(paths: Sequence[str], policy_path: str | None = None) -> LintReport:
    ruleset = load_rules(paths)
    problems = list(ruleset.problems)
    policies = list(ruleset.policies)
    if policy_path is not None:
        try:
            policies.append(load_policy(policy_path))
        except RuleError as exc:
            problems.extend(exc.problems)
    elif not policies:
        policies.append(load_policy(DEFAULT_POLICY_PATH))
    for policy in policies:
        _, selection = select_rules(ruleset.rules, policy)
        if policy.file == str(DEFAULT_POLICY_PATH) and not ruleset.policies:
            # the default policy names the built-in packs; linting other files alone is fine
            selection = [p for p in selection if "unknown pack" not in p.message]
        problems.extend(selection)

    patterns = [pattern for rule in ruleset.rules for pattern in rule.patterns]
    scanner = PatternScanner(patterns)
    for plan in scanner.plans:
        if plan.mode in (Mode.GATE, Mode.ALWAYS):
            where = plan.pattern.where
            problems.append(Problem(where.file, where.line, f"pattern {plan.pattern.name!r}: {plan.note}", "warning"))
    for rule in ruleset.rules:
        if not rule.examples:
            problems.append(Problem(rule.where.file, rule.where.line, f"rule {rule.id!r} has no tests", "warning"))
        elif not any(example.should_match for example in rule.examples):
            problems.append(Problem(rule.where.file, rule.where.line,
                                    f"rule {rule.id!r} has no `match` example", "warning"))
    problems.sort(key=lambda p: (p.file, p.line, p.message))
    return LintReport(problems, len(ruleset.rules), len(ruleset.files))
