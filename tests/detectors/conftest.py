"""Fixtures for the detection engine tests: built-in engines (built once per session) and a YAML helper."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from detectors.engine import Engine, EngineSpec
from detectors.loader import load_rules
from detectors.model import Rule
from detectors.policy import Policy


@pytest.fixture(scope="session")
def default_engine() -> Engine:
    """The built-in packs under the default policy (NER loads lazily, on first use)."""
    return Engine.from_spec(EngineSpec())


@pytest.fixture
def write_rules(tmp_path: Path) -> Callable[..., Path]:
    """Write a YAML rule file (dedented) and return its path."""

    def write(text: str, name: str = "rules.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


@pytest.fixture
def engine_for(write_rules: Callable[..., Path]) -> Callable[..., Engine]:
    """Build an engine from inline YAML rules (all reported, floor VERY_UNLIKELY unless given)."""

    def build(text: str, policy: Policy | None = None) -> Engine:
        path = write_rules(text)
        ruleset = load_rules([path])
        assert not ruleset.errors, [str(p) for p in ruleset.errors]
        from detectors.likelihood import Likelihood

        chosen = policy or Policy(min_likelihood=Likelihood.VERY_UNLIKELY)
        return Engine([r for r in ruleset.rules if chosen.selects(r)], chosen, catalog=ruleset.rules)

    return build


def rules_from(path: Path) -> list[Rule]:
    ruleset = load_rules([path])
    assert not ruleset.errors, [str(p) for p in ruleset.errors]
    return ruleset.rules
