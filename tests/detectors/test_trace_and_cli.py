"""The decision trace (`explain`) and the `dlp rules` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from typer.testing import CliRunner

from detectors.engine import Engine
from dlp.commands.rules import app

runner = CliRunner()


def test_explain_traces_every_candidate_and_why(default_engine: Engine) -> None:
    text = "card 4539 1488 0343 6467 ok, 4539 1488 0343 6468 bad"
    traces = default_engine.explain("CREDIT_CARD", text)
    assert [t.reported for t in traces] == [True, False]
    good, bad = traces
    actions = [step.action for step in good.steps]
    assert actions == ["candidate", "validator", "context", "likelihood"]
    assert good.score == 0.9 and good.likelihood == "VERY_LIKELY"
    assert bad.reason == "validator luhn failed"
    assert "DROPPED: validator luhn failed" in bad.render()


def test_explain_shows_exclusions_floors_and_inactive_rules(engine_for: Callable[..., Engine]) -> None:
    from detectors.likelihood import Likelihood
    from detectors.policy import Policy

    engine = engine_for("""
        rules:
          - id: KEY
            entity: SECRET
            score: 0.5
            patterns: ['key-[a-z]+']
            exclusions: [{values: [key-example]}]
          - id: SLEEPING
            entity: E
            enabled: false
            patterns: ['zzz']
        """, Policy(min_likelihood=Likelihood.LIKELY))
    traces = engine.explain("KEY", "key-example and key-real")
    assert [(t.value, t.reported, t.reason) for t in traces] == [
        ("key-example", False, "excluded by 1 value(s)"),
        ("key-real", False, "below minimum likelihood LIKELY"),
    ]
    assert [t.value for t in engine.explain("SLEEPING", "zzz")] == ["zzz"]


def test_lint_passes_on_the_builtin_packs() -> None:
    result = runner.invoke(app, ["lint"])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_lint_reports_problems_as_file_line_and_exits_1(write_rules: Callable[..., Path]) -> None:
    path = write_rules("""
        rules:
          - id: B
            entity: E
            patterns: ['(broken']
          - id: A
            entity: E
            patterns: ['(?<!x)y+z']
          - id: A
            entity: E
            patterns: ['ok']
        """)
    result = runner.invoke(app, ["lint", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{path}:4: invalid regex: missing ), unterminated subpattern at position 0: '(broken'" in lines
    assert any(line.startswith(f"{path}:8: duplicate rule id 'A' (first defined at {path}:5)") for line in lines)
    assert any(line.startswith(f"{path}:7: warning: pattern 'pattern 1':") for line in lines)
    assert lines[-1] == "2 rule(s) in 1 file(s): 2 error(s), 3 warning(s)"


def test_rules_test_prints_failures_with_file_and_line(write_rules: Callable[..., Path]) -> None:
    path = write_rules("""
        rules:
          - id: ORDER
            entity: ORDER
            score: 0.9
            patterns: ['ORD-[0-9]{4}']
            tests:
              match:
                - text: "order ORD-1234"
                  value: ORD-1234
                - "no order here"
              no_match:
                - "ORD-9999 should not match"
        """)
    result = runner.invoke(app, ["test", str(path)])
    assert result.exit_code == 1
    assert f"FAIL {path}:10: ORDER: expected a match in 'no order here'; found nothing" in result.output
    assert f"FAIL {path}:12: ORDER: expected no match in 'ORD-9999 should not match'" in result.output
    assert result.output.splitlines()[-1] == "1 passed, 2 failed"
    ok = runner.invoke(app, ["test", "--rule", "EMAIL_ADDRESS"])
    assert ok.exit_code == 0 and ok.output.splitlines()[-1].endswith("0 failed")


def test_rules_test_refuses_broken_files(write_rules: Callable[..., Path]) -> None:
    path = write_rules("rules:\n  - id: X\n    entity: E\n    patterns: ['[']\n")
    result = runner.invoke(app, ["test", str(path)])
    assert result.exit_code == 2 and f"{path}:4: invalid regex" in result.output


def test_list_and_explain_commands() -> None:
    listed = runner.invoke(app, ["list"])
    assert listed.exit_code == 0
    header, *rows = listed.output.splitlines()
    assert header.split()[:3] == ["ID", "ENTITY", "SEVERITY"]
    assert any(row.split()[0] == "CREDIT_CARD" and "yes" in row.split() for row in rows)
    as_json = runner.invoke(app, ["list", "--json"])
    assert '"id": "OPENAI_API_KEY"' in as_json.output
    explained = runner.invoke(app, ["explain", "US_SSN", "SSN 536-22-8714 and 000-12-3456"])
    assert explained.exit_code == 0
    assert "REPORTED" in explained.output and "DROPPED: validator stdnum:us.ssn failed" in explained.output
    unknown = runner.invoke(app, ["explain", "NOPE", "text"])
    assert unknown.exit_code == 2 and "unknown rule 'NOPE'" in unknown.output
    nothing = runner.invoke(app, ["explain", "US_SSN", "nothing to see"])
    assert "no candidate" in nothing.output
