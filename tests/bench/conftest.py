"""Fixtures for the benchmark harness tests."""

from __future__ import annotations

from pathlib import Path

import pytest

# A small rule pack for the smoke run: one regex rule with a validator, one plain regex rule and one NER
# rule, so that every engine variant (default, regex-only, NER-only) has something to run. The built-in
# packs would do as well, but compiling their Hyperscan database takes minutes on a busy 2-core machine,
# and a smoke run builds about ten engines (detection variants, and each scan's own).
SMOKE_RULES = r"""
pack: smoke
rules:
  - id: US_SSN
    entity: US_SSN
    score: 0.7
    patterns:
      - name: dashed
        regex: '(?<![\d-])(?P<value>\d{3}-\d{2}-\d{4})(?![\d-])'
    validators: [stdnum:us.ssn]
  - id: EMAIL_ADDRESS
    entity: EMAIL_ADDRESS
    score: 0.7
    patterns:
      - name: address
        regex: '(?<![\w.%+-])(?P<value>[A-Za-z0-9][\w.%+-]{0,40}@(?:[A-Za-z0-9-]{1,40}\.){1,4}[A-Za-z]{2,12})'
  - id: PERSON
    entity: PERSON
    score: 0.85
    ner:
      labels: [PERSON]
      gate: '[A-Z][a-z]+ [A-Z][a-z]+'
      gate_window: 60
"""


@pytest.fixture(scope="session")
def smoke_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench-rules") / "smoke.yaml"
    path.write_text(SMOKE_RULES.lstrip(), encoding="utf-8")
    return path
