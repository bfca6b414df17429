"""README.md and docs/rules.md list the packs and rules as the rule files define them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from detectors.loader import RuleSet
from detectors.policy import Policy
from dlp.cli import app
from rules import RULES_DIR
from rules.catalogue import BEGIN_MARKER, END_MARKER, pack_files, replace_block, rules_document, summary_block

ROOT = Path(__file__).resolve().parents[2]
REFRESH = "run `dlp rules catalogue --write README.md --docs docs/rules.md`"


def test_readme_block_is_generated_from_the_rule_files(builtin_rules: RuleSet, default_policy: Policy) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    expected = replace_block(readme, summary_block(builtin_rules.rules, default_policy))
    assert readme == expected, f"README.md's rule block is stale: {REFRESH}"


def test_docs_catalogue_is_generated_from_the_rule_files(builtin_rules: RuleSet, default_policy: Policy) -> None:
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    expected = rules_document(builtin_rules.rules, default_policy, pack_files(builtin_rules.rules, RULES_DIR))
    assert docs == expected, f"docs/rules.md is stale: {REFRESH}"


def test_catalogue_names_every_rule_once(builtin_rules: RuleSet, default_policy: Policy) -> None:
    docs = rules_document(builtin_rules.rules, default_policy, pack_files(builtin_rules.rules, RULES_DIR))
    for rule in builtin_rules.rules:
        assert docs.count(f"\n| `{rule.id}` | ") == 1


def test_replace_block_keeps_the_text_around_the_markers() -> None:
    text = f"intro\n{BEGIN_MARKER}\nold\n{END_MARKER}\noutro\n"
    assert replace_block(text, "new\n") == f"intro\n{BEGIN_MARKER}\nnew\n{END_MARKER}\noutro\n"
    with pytest.raises(ValueError, match="markers"):
        replace_block("no markers here", "new")


def test_cli_writes_then_checks(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Project\n\n{BEGIN_MARKER}\nstale\n{END_MARKER}\n\nmore text\n", encoding="utf-8")
    docs = tmp_path / "rules.md"
    runner = CliRunner()
    stale = runner.invoke(app, ["rules", "catalogue", "--write", str(readme), "--docs", str(docs), "--check"])
    assert stale.exit_code == 1 and "out of date" in stale.output
    wrote = runner.invoke(app, ["rules", "catalogue", "--write", str(readme), "--docs", str(docs)])
    assert wrote.exit_code == 0, wrote.output
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Project\n") and text.endswith("\nmore text\n") and "| secrets |" in text
    assert "| `OPENAI_API_KEY` |" in docs.read_text(encoding="utf-8")
    fresh = runner.invoke(app, ["rules", "catalogue", "--write", str(readme), "--docs", str(docs), "--check"])
    assert fresh.exit_code == 0, fresh.output
    printed = runner.invoke(app, ["rules", "catalogue"])
    assert printed.exit_code == 0 and "| pack | rules | on by default | entities |" in printed.output


def test_cli_reports_missing_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Project without markers\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["rules", "catalogue", "--write", str(readme)])
    assert result.exit_code == 2
    assert "markers" in result.output
