"""Policies: which packs and rules run, the minimum likelihood, and decoding settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detectors.errors import Problem
from detectors.likelihood import Likelihood
from detectors.model import Rule
from detectors.parser import Problems
from detectors.yamlsrc import LineDict

POLICY_KEYS = ("policy", "description", "packs", "enable", "disable", "paths", "min_likelihood", "decoding")
DECODING_KEYS = ("enabled", "encodings", "min_length", "max_depth")
ENCODINGS = ("base64", "hex", "url")


@dataclass(frozen=True, slots=True)
class DecodingConfig:
    """Encoded runs (base64, hex, url-encoded) of at least `min_length` characters are decoded
    and scanned again, nesting up to `max_depth` levels."""

    enabled: bool = True
    encodings: tuple[str, ...] = ENCODINGS
    min_length: int = 20
    max_depth: int = 2


@dataclass(frozen=True, slots=True)
class Policy:
    name: str = "all"
    packs: tuple[str, ...] | None = None  # None = every pack
    enable: frozenset[str] = frozenset()  # rule ids switched on although `enabled: false`
    disable: frozenset[str] = frozenset()
    paths: tuple[str, ...] = ()  # extra rule files or directories (absolute)
    min_likelihood: Likelihood = Likelihood.LIKELY
    decoding: DecodingConfig = field(default_factory=DecodingConfig)
    file: str | None = None
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def selects(self, rule: Rule) -> bool:
        if rule.id in self.disable:
            return False
        if self.packs is not None and rule.pack not in self.packs and rule.id not in self.enable:
            return False
        return rule.enabled or rule.id in self.enable


def is_policy_document(data: Any) -> bool:
    return isinstance(data, dict) and "policy" in data


def parse_policy(data: Any, file: str) -> tuple[Policy | None, list[Problem]]:
    problems = Problems(file)
    if not isinstance(data, LineDict):
        problems.error(1, "a policy file must be a mapping with a `policy:` name")
        return None, problems.items
    problems.check_keys(data, POLICY_KEYS, "a policy")
    base = Path(file).parent

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
            problems.error(data.line_of(key), f"{key!r} must be a list of strings")
            return ()
        return tuple(str(v) for v in value)

    packs_raw = data.get("packs", "all")
    packs: tuple[str, ...] | None
    if packs_raw == "all" or packs_raw == ["all"]:
        packs = None
    else:
        packs = strings("packs")
    min_likelihood = Likelihood.LIKELY
    if data.get("min_likelihood") is not None:
        try:
            min_likelihood = Likelihood.parse(str(data["min_likelihood"]))
        except ValueError as exc:
            problems.error(data.line_of("min_likelihood"), str(exc))
    decoding = DecodingConfig()
    if data.get("decoding") is not None:
        decoding = _decoding(data["decoding"], data.line_of("decoding"), problems)
    policy = Policy(
        name=str(data.get("policy") or Path(file).stem),
        packs=packs,
        enable=frozenset(strings("enable")),
        disable=frozenset(strings("disable")),
        paths=tuple(str((base / p).resolve()) for p in strings("paths")),
        min_likelihood=min_likelihood,
        decoding=decoding,
        file=file,
        key_lines={str(k): v for k, v in data.key_lines.items()},
    )
    return policy, problems.items


def _decoding(value: Any, line: int, problems: Problems) -> DecodingConfig:
    if not isinstance(value, LineDict):
        problems.error(line, "'decoding' must be a mapping")
        return DecodingConfig()
    problems.check_keys(value, DECODING_KEYS, "'decoding'")
    defaults = DecodingConfig()
    enabled = value.get("enabled", defaults.enabled)
    if not isinstance(enabled, bool):
        problems.error(value.line_of("enabled"), "'enabled' must be true or false")
        enabled = defaults.enabled
    encodings = value.get("encodings", list(defaults.encodings))
    if not isinstance(encodings, list) or any(e not in ENCODINGS for e in encodings):
        problems.error(value.line_of("encodings"), f"'encodings' must be a list of {', '.join(ENCODINGS)}")
        encodings = list(defaults.encodings)

    def whole(key: str, default: int, low: int, high: int) -> int:
        raw = value.get(key, default)
        if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
            problems.error(value.line_of(key), f"{key!r} must be a whole number from {low} to {high}")
            return default
        return raw

    return DecodingConfig(
        enabled=enabled,
        encodings=tuple(encodings),
        min_length=whole("min_length", defaults.min_length, 4, 100_000),
        max_depth=whole("max_depth", defaults.max_depth, 1, 5),
    )
