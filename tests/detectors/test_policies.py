"""Named policies: `default` and `full` by name, policy files, and a policy passed where rules are expected."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

from detectors.engine import Engine, EngineSpec
from detectors.errors import RuleError
from detectors.likelihood import Likelihood
from detectors.loader import builtin_policies, load_policy, resolve_policy
from dlp.cli import app
from rules import RULES_DIR

runner = CliRunner()

PLAIN_RULES = """
    pack: house
    rules:
      - id: HOUSE_CODE
        entity: HOUSE_CODE
        score: 0.9
        patterns: ['HC-\\d{4}']
"""


def test_the_builtin_policies_are_found_by_name() -> None:
    assert {"default", "full"} <= set(builtin_policies())
    assert load_policy("default").name == "default"
    full = load_policy("full")
    assert full.name == "full" and full.packs is None
    assert full.min_likelihood == Likelihood.POSSIBLE
    assert {"LOCATION", "ORGANIZATION", "DATE_TIME", "NRP", "URL"} <= full.enable


def test_an_unknown_policy_name_is_an_error_naming_the_choices() -> None:
    with pytest.raises(RuleError) as raised:
        load_policy("strictest")
    assert "default" in str(raised.value) and "full" in str(raised.value)


def test_full_runs_the_rules_default_leaves_off() -> None:
    default_ids = {rule.id for rule in Engine.from_spec(EngineSpec(policy_path="default")).rules}
    full_ids = {rule.id for rule in Engine.from_spec(EngineSpec(policy_path="full")).rules}
    off_by_default = {"LOCATION", "ORGANIZATION", "DATE_TIME", "NRP", "URL", "MAC_ADDRESS", "IP_ADDRESS"}
    assert not off_by_default & default_ids
    assert off_by_default <= full_ids
    assert default_ids <= full_ids


def test_a_policy_file_given_as_rules_is_used_as_the_policy(write_rules: Callable[..., Path]) -> None:
    policy = write_rules("""
        policy: only-email
        packs: [pii]
        disable: [PERSON, PHONE_NUMBER]
        """, "only-email.yaml")
    paths, chosen = resolve_policy([str(policy)], None)
    assert chosen.name == "only-email"
    assert paths == [str(RULES_DIR)]  # no rule files left: the built-in packs
    engine = Engine.from_spec(EngineSpec(rule_paths=(str(policy),)))
    found = engine.analyze("Mail maria.garcia@northwind-traders.com, card 4539 1488 0343 6467.")
    assert [m.entity for m in found] == ["EMAIL_ADDRESS"]


def test_a_policy_among_rule_files_applies_to_them(write_rules: Callable[..., Path]) -> None:
    rules = write_rules(PLAIN_RULES, "house.yaml")
    policy = write_rules("policy: strict\nmin_likelihood: VERY_LIKELY\n", "strict.yaml")
    engine = Engine.from_spec(EngineSpec(rule_paths=(str(rules), str(policy))))
    assert [rule.id for rule in engine.rules] == ["HOUSE_CODE"]
    assert engine.min_likelihood == Likelihood.VERY_LIKELY


def test_two_policies_are_rejected_not_merged(write_rules: Callable[..., Path]) -> None:
    policy = write_rules("policy: mine\n", "mine.yaml")
    with pytest.raises(RuleError, match="more than one policy"):
        Engine.from_spec(EngineSpec(rule_paths=(str(policy),), policy_path="full"))


def test_rules_that_hold_no_rule_are_an_error_not_an_empty_scan(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no rules found"):
        Engine.from_spec(EngineSpec(rule_paths=(str(tmp_path),)))


def test_inspect_takes_a_policy_by_name_or_file(write_rules: Callable[..., Path]) -> None:
    text = "We met on 12 March 2021 in the Lisbon office; she is Portuguese."
    default = runner.invoke(app, ["inspect", "-"], input=text)
    assert default.exit_code == 0, default.output
    assert default.output.strip() == ""
    full = runner.invoke(app, ["inspect", "--policy", "full", "-"], input=text)
    assert full.exit_code == 0, full.output
    entities = {json.loads(line)["entity"] for line in full.output.splitlines()}
    assert {"DATE_TIME", "NRP"} <= entities
    mine = write_rules("policy: dates\npacks: [pii]\nenable: [DATE_TIME]\ndisable: [PERSON]\n", "dates.yaml")
    by_file = runner.invoke(app, ["inspect", "--policy", str(mine), "-"], input=text)
    assert by_file.exit_code == 0, by_file.output
    assert [json.loads(line)["entity"] for line in by_file.output.splitlines()] == ["DATE_TIME"]


def test_inspect_rejects_an_unknown_policy_clearly() -> None:
    result = runner.invoke(app, ["inspect", "--policy", "nope", "-"], input="x")
    assert result.exit_code == 2
    assert "no built-in policy of that name" in result.output
