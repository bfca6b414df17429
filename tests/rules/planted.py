"""Per-entity precision and recall of an engine on the emulator generator's planted values.

The emulator's sentence generator (`dlp.emulator.prose`) plants values with a ground truth:
valid ones must be reported, look-alikes (bad checksums, placeholder keys) must not. A
finding counts as a true positive when it overlaps a valid planted value of its entity; any
other finding of an entity the generator plants is a false positive. Entities the generator
never plants (IDENTITY_RECORD, a compound of two planted ones) are counted apart.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from detectors.engine import Engine

PLANTED_ENTITIES = frozenset({
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "UK_NINO", "ES_NIF", "AU_TFN", "IN_PAN", "CREDIT_CARD",
    "IBAN_CODE", "ABA_ROUTING_NUMBER", "US_BANK_NUMBER", "UK_NHS", "MEDICAL_LICENSE", "SECRET",
    "CONFIDENTIAL_DOCUMENT",
})


@dataclass
class Accuracy:
    true_positives: Counter = field(default_factory=Counter)
    false_negatives: Counter = field(default_factory=Counter)
    false_positives: Counter = field(default_factory=Counter)
    unlabelled: Counter = field(default_factory=Counter)  # findings of entities the generator never plants
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def precision(self, entity: str) -> float:
        found = self.true_positives[entity] + self.false_positives[entity]
        return self.true_positives[entity] / found if found else 1.0

    def recall(self, entity: str) -> float:
        planted = self.true_positives[entity] + self.false_negatives[entity]
        return self.true_positives[entity] / planted if planted else 1.0

    def table(self) -> str:
        rows = [f"{'entity':28} {'planted':>7} {'found':>6} {'precision':>9} {'recall':>6}"]
        for entity in sorted(set(self.true_positives) | set(self.false_negatives) | set(self.false_positives)):
            planted = self.true_positives[entity] + self.false_negatives[entity]
            found = self.true_positives[entity] + self.false_positives[entity]
            rows.append(f"{entity:28} {planted:7d} {found:6d} {self.precision(entity):9.3f} {self.recall(entity):6.3f}")
        return "\n".join(rows)


def planted_messages(seed: int, per_family: int, lookalike_rate: float = 0.3, plain: int = 100) -> list:
    """Messages from the emulator's generator: `per_family` carrying each kind of planted value, `plain` none."""
    from dlp.emulator import prose

    rng = random.Random(seed)
    messages = []
    for family in prose.PLANT_FAMILIES:
        for index in range(per_family):
            plant = prose.plant_sentence(rng, lookalike_rate, family)
            messages.append(prose.user_message(rng, rng.choice(prose.TOPICS), index % 3 == 0, plant))
    for index in range(plain):
        messages.append(prose.user_message(rng, rng.choice(prose.TOPICS), index % 3 == 0, None))
    return messages


def measure(engine: Engine, messages: list) -> Accuracy:
    accuracy = Accuracy()
    results = engine.analyze_batch([message.text for message in messages])
    for message, matches in zip(messages, results):
        for span in message.spans:
            value = span.value
            hit = any(m.entity == value.entity and m.start < span.end and span.start < m.end for m in matches)
            if value.valid and hit:
                accuracy.true_positives[value.entity] += 1
            elif value.valid:
                accuracy.false_negatives[value.entity] += 1
                accuracy.missed.append(f"{value.entity}: {value.text!r} in {message.text!r}")
        for match in matches:
            if match.entity not in PLANTED_ENTITIES:
                accuracy.unlabelled[match.entity] += 1
                continue
            if not any(s.value.valid and s.value.entity == match.entity and match.start < s.end and s.start < match.end
                       for s in message.spans):
                accuracy.false_positives[match.entity] += 1
                accuracy.spurious.append(f"{match.rule_id}: {match.value!r} in {message.text!r}")
    return accuracy
