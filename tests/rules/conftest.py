"""Fixtures for the built-in rule packs: the rule set and the default engine, built once per session."""

from __future__ import annotations

import pytest

from detectors.engine import Engine, EngineSpec
from detectors.loader import DEFAULT_POLICY_PATH, RuleSet, load_policy, load_rules
from detectors.policy import Policy
from rules import RULES_DIR


@pytest.fixture(scope="session")
def builtin_rules() -> RuleSet:
    ruleset = load_rules([RULES_DIR])
    assert not ruleset.errors, [str(p) for p in ruleset.errors]
    return ruleset


@pytest.fixture(scope="session")
def default_policy() -> Policy:
    return load_policy(DEFAULT_POLICY_PATH)


@pytest.fixture(scope="session")
def default_engine() -> Engine:
    """What `dlp scan` runs without a configured policy (NER loads on first use)."""
    return Engine.from_spec(EngineSpec())
