"""Precision, recall and F1 per entity against the generator's ground truth.

A reported span counts as a true positive when it has the same entity as a
valid planted value and overlaps it (each planted value is matched once). A
reported span over a look-alike (a planted value with `valid: false`: bad
checksum, placeholder key) is a false positive, and so is any other reported
span of a labelled entity type (including a second span over an already matched
value). Entity types the ground truth does not label (DATE_TIME, LOCATION...)
are not scored: they are counted per type so that the noise stays visible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.corpus import Corpus, GoldSpan

Span = tuple[str, int, int]  # (entity, start, end)


@dataclass
class EntityScore:
    entity: str
    supported: bool  # the engine has a rule / recognizer for this entity
    tp: int = 0
    fp: int = 0
    fn: int = 0
    lookalike_fp: int = 0  # of the false positives, those on a planted look-alike

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, object]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {"entity": self.entity, "supported": self.supported, "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "lookalike_fp": self.lookalike_fp, "precision": rounded(self.precision),
                "recall": rounded(self.recall), "f1": rounded(self.f1)}  # fmt: skip


@dataclass
class AccuracyReport:
    engine: str
    entities: dict[str, EntityScore]
    other_entities: Counter[str] = field(default_factory=Counter)  # reported types the ground truth does not label
    recall_by_subtype: dict[str, dict[str, tuple[int, int]]] = field(
        default_factory=dict
    )  # entity -> subtype -> (found, planted)

    def to_json(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "entities": {name: score.to_json() for name, score in sorted(self.entities.items())},
            "other_entities": dict(self.other_entities.most_common()),
            "recall_by_subtype": {
                entity: {sub: {"found": f, "planted": n, "recall": round(f / n, 4) if n else None}
                         for sub, (f, n) in sorted(subs.items())}
                for entity, subs in sorted(self.recall_by_subtype.items())
            },
        }  # fmt: skip


def labelled_entities(corpus: Corpus) -> frozenset[str]:
    return frozenset(g.entity for t in corpus.texts for g in t.gold)


def score(
    engine: str, corpus: Corpus, predictions: Sequence[Iterable[Span]], supported: frozenset[str]
) -> AccuracyReport:
    """Score one engine's spans (one list per corpus text, in corpus order)."""
    if len(predictions) != len(corpus.texts):
        raise ValueError(f"{len(predictions)} prediction lists for {len(corpus.texts)} texts")
    labelled = labelled_entities(corpus)
    scores = {entity: EntityScore(entity, entity in supported) for entity in labelled}
    other: Counter[str] = Counter()
    subtypes: dict[str, dict[str, list[int]]] = {}
    for text, spans in zip(corpus.texts, predictions):
        found = _match_text(text.gold, list(spans), scores, other)
        for gold in text.gold:
            if gold.valid and gold.subtype is not None:
                tally = subtypes.setdefault(gold.entity, {}).setdefault(gold.subtype, [0, 0])
                tally[0] += gold in found
                tally[1] += 1
    return AccuracyReport(
        engine, scores, other, {e: {s: (f, n) for s, (f, n) in subs.items()} for e, subs in subtypes.items()}
    )


def _overlaps(gold: GoldSpan, start: int, end: int) -> bool:
    return gold.start < end and start < gold.end


def _match_text(
    gold: tuple[GoldSpan, ...], spans: list[Span], scores: dict[str, EntityScore], other: Counter[str]
) -> set[GoldSpan]:
    matched: set[GoldSpan] = set()
    for entity, start, end in sorted(spans, key=lambda s: (s[1], s[2], s[0])):
        score_ = scores.get(entity)
        if score_ is None:
            other[entity] += 1
            continue
        same = [g for g in gold if g.entity == entity and _overlaps(g, start, end)]
        hit = next((g for g in same if g.valid and g not in matched), None)
        if hit is not None:
            matched.add(hit)
            score_.tp += 1
            continue
        score_.fp += 1
        if any(not g.valid for g in same):
            score_.lookalike_fp += 1
    for g in gold:
        if g.valid and g not in matched:
            scores[g.entity].fn += 1
    return matched
