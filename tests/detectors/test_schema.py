"""The JSON Schema for editors agrees with the parser on the built-in packs and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from rules import RULES_DIR

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "detectors" / "rule.schema.json").read_text())


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_builtin_rule_and_policy_file_validates() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    files = sorted(RULES_DIR.rglob("*.yaml"))
    assert files
    for file in files:
        errors = list(validator.iter_errors(yaml.safe_load(file.read_text(encoding="utf-8"))))
        assert errors == [], (file, [e.message for e in errors])


def test_the_schema_rejects_what_the_parser_rejects() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    bad = [
        {"rules": [{"id": "X", "entity": "E"}]},  # no matcher
        {"rules": [{"id": "X", "entity": "E", "patterns": ["a"], "severity": "huge"}]},
        {"rules": [{"id": "X", "entity": "E", "patterns": ["a"], "validator": ["luhn"]}]},
        {"policy": "p", "min_likelihood": "sometimes"},
    ]
    for document in bad:
        assert not validator.is_valid(document), document
