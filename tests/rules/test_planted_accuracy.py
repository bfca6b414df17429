"""The default policy on the emulator's planted values: every valid value of every planted
entity is reported, and no look-alike (bad checksum, placeholder key) or filler text is."""

from __future__ import annotations

import pytest

from detectors.engine import Engine
from tests.rules.planted import PLANTED_ENTITIES, measure, planted_messages

pytest.importorskip("dlp.emulator.prose")


@pytest.mark.parametrize("seed", [4242, 77])
def test_default_policy_has_full_precision_and_recall_on_planted_values(default_engine: Engine, seed: int) -> None:
    accuracy = measure(default_engine, planted_messages(seed, per_family=40))
    print(f"\nseed {seed}\n{accuracy.table()}")
    planted = set(accuracy.true_positives) | set(accuracy.false_negatives)
    assert planted == PLANTED_ENTITIES  # the corpus exercises every entity
    assert accuracy.missed == []
    assert accuracy.spurious == []
    assert set(accuracy.unlabelled) <= {"IDENTITY_RECORD"}


@pytest.mark.slow
def test_default_policy_on_a_large_planted_corpus(default_engine: Engine) -> None:
    accuracy = measure(default_engine, planted_messages(seed=2026, per_family=200, plain=1000))
    print(f"\n{accuracy.table()}")
    assert accuracy.missed == [] and accuracy.spurious == []
