"""Every entity Presidio's default AnalyzerEngine reports, on sentences of our own: ours (default and full
policies) and Presidio, side by side.

    python -m bench --only presidio_entities
    python -m bench.presidio_entities --engines default,full   # any subset of default, full, presidio
    python -m bench.presidio_entities --misses full            # ... and list each engine's misses and false alarms

The labelled set is `bench/data/presidio_entities.txt`: one text per line with its values marked
`[[ENTITY:value]]`, written for this project in the formats such values take (dates in many forms and
languages, URLs with and without a scheme, IPv4 and IPv6, driver licences by US state, passports,
nationalities, religions and political groups in sentences, cities, countries, states and street addresses).
Labels are exhaustive for the types in SCORED, so a finding of one of them that overlaps no label of its type
is a false positive; findings of other types are not scored. A finding counts when it overlaps a label of its
entity (the external corpora's rule); "exact" is the share of found labels some finding matches to the
character.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.external import run_engine
from detectors.ner import DEFAULT_NER_MODEL

DATA = Path(__file__).resolve().parent / "data" / "presidio_entities.txt"
ENGINES = ("default", "full", "presidio")
# what Presidio 2.2's default registry reports for English (its predefined recognizers and the spaCy
# recognizer's mapping); the types this set labels exhaustively
SCORED = ("CREDIT_CARD", "CRYPTO", "DATE_TIME", "EMAIL_ADDRESS", "IBAN_CODE", "IP_ADDRESS", "LOCATION",
          "MAC_ADDRESS", "MEDICAL_LICENSE", "NRP", "ORGANIZATION", "PERSON", "PHONE_NUMBER", "UK_NHS", "URL",
          "US_BANK_NUMBER", "US_DRIVER_LICENSE", "US_ITIN", "US_PASSPORT", "US_SSN", "UUID")
_LABEL = re.compile(r"\[\[([A-Z_]+):(.*?)\]\]")

Span = tuple[str, int, int]  # (entity, start, end)


@dataclass(frozen=True)
class LabelledText:
    text: str
    spans: tuple[Span, ...]
    group: str
    line: int


def parse_line(line: str) -> tuple[str, tuple[Span, ...]]:
    """The plain text of one marked-up line and its labelled spans; `\\n` in a line is a line break."""
    line = line.replace("\\n", "\n")
    out: list[str] = []
    spans: list[Span] = []
    position = 0
    length = 0
    for match in _LABEL.finditer(line):
        before = line[position:match.start()]
        out.append(before)
        length += len(before)
        entity, value = match.group(1), match.group(2)
        if entity not in SCORED:
            raise ValueError(f"unknown entity {entity!r}")
        if not value or value != value.strip():
            raise ValueError(f"empty or padded value in {match.group()!r}")
        spans.append((entity, length, length + len(value)))
        out.append(value)
        length += len(value)
        position = match.end()
    out.append(line[position:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        raise ValueError("unbalanced [[ ]]")
    return text, tuple(spans)


def load_set(path: Path = DATA) -> list[LabelledText]:
    """The labelled texts of `path`; a malformed line is an error naming it."""
    texts: list[LabelledText] = []
    group = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if line.startswith("## "):
            group = line[3:].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        try:
            text, spans = parse_line(line)
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
        texts.append(LabelledText(text, spans, group, number))
    return texts


@dataclass
class Tally:
    gold: int = 0
    found: int = 0  # labels some finding of the entity overlaps
    exact: int = 0  # labels some finding of the entity matches to the character
    pred: int = 0
    correct: int = 0  # findings that overlap a label of their entity

    def add(self, other: Tally) -> None:
        for name in ("gold", "found", "exact", "pred", "correct"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_json(self) -> dict[str, Any]:
        precision = self.correct / self.pred if self.pred else None
        recall = self.found / self.gold if self.gold else None
        f1 = (2 * precision * recall / (precision + recall) if precision and recall else
              (0.0 if precision is not None and recall is not None else None))
        return {"gold": self.gold, "found": self.found, "exact": self.exact, "pred": self.pred,
                "correct": self.correct, "precision": precision, "recall": recall, "f1": f1}


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_text(gold: Sequence[Span], findings: Sequence[dict[str, Any]]) -> tuple[dict[str, Tally], list[str]]:
    """Per-entity tallies of one text, and its misses and false alarms as short notes."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    notes: list[str] = []
    predicted = [(f["entity"], int(f["start"]), int(f["end"])) for f in findings if f["entity"] in SCORED]
    for entity, start, end in gold:
        tally = tallies[entity]
        tally.gold += 1
        mine = [(s, e) for ent, s, e in predicted if ent == entity and _overlaps((s, e), (start, end))]
        if mine:
            tally.found += 1
            tally.exact += (start, end) in mine
        else:
            notes.append(f"missed {entity} [{start}:{end}]")
    for entity, start, end in predicted:
        tally = tallies[entity]
        tally.pred += 1
        if any(g == entity and _overlaps((start, end), (s, e)) for g, s, e in gold):
            tally.correct += 1
        else:
            notes.append(f"false {entity} [{start}:{end}]")
    return tallies, notes


def evaluate(engines: Sequence[str] = ENGINES, ner_model: str = DEFAULT_NER_MODEL, path: Path = DATA,
             progress: Callable[[str], None] = print, misses: bool = False) -> dict[str, Any]:
    """Every engine on the set: per entity, per group and micro; with `misses`, each text's errors."""
    labelled = load_set(path)
    texts = sorted({t.text for t in labelled})
    results: dict[str, Any] = {"file": str(path.name), "texts": len(labelled), "engines": list(engines),
                               "ner_model": ner_model, "labels": sum(len(t.spans) for t in labelled),
                               "seconds": {}, "scores": {}}
    for name in engines:
        progress(f"presidio entities: {name} on {len(texts)} texts")
        found, seconds = run_engine(name, texts, ner_model)
        results["seconds"][name] = round(seconds, 3)
        per_entity: dict[str, Tally] = defaultdict(Tally)
        per_group: dict[str, Tally] = defaultdict(Tally)
        errors: list[dict[str, Any]] = []
        for item in labelled:
            tallies, notes = score_text(item.spans, found[item.text])
            for entity, tally in tallies.items():
                per_entity[entity].add(tally)
                per_group[item.group].add(tally)
            if notes and misses:
                errors.append({"line": item.line, "text": item.text,
                               "notes": [f"{n} {_quote(item.text, n)}" for n in notes]})
        micro = Tally()
        for tally in per_entity.values():
            micro.add(tally)
        results["scores"][name] = {
            "entities": {e: per_entity[e].to_json() for e in SCORED if e in per_entity},
            "groups": {g: t.to_json() for g, t in per_group.items()},
            "micro": micro.to_json(),
        }
        if misses:
            results["scores"][name]["errors"] = errors
    return results


def _quote(text: str, note: str) -> str:
    start, end = (int(x) for x in note.rsplit("[", 1)[1].rstrip("]").split(":"))
    return repr(text[start:end])


def rows(results: dict[str, Any], by: str = "entities") -> list[list[str]]:
    """Table rows: entity (or group), then P / R / F1 (exact) per engine; "micro" last."""
    engines = results["engines"]
    first = results["scores"][engines[0]]
    keys = list(first[by]) if by == "groups" else [e for e in SCORED if any(
        e in results["scores"][n]["entities"] for n in engines)]
    out = []
    for key in [*keys, "micro"]:
        row = [key]
        for name in engines:
            scores = results["scores"][name]
            data = scores["micro"] if key == "micro" else scores[by].get(key)
            row.append(_prf(data))
        out.append(row)
    return out


def _prf(data: dict[str, Any] | None) -> str:
    if not data or not (data["gold"] or data["pred"]):
        return "-"
    if not data["pred"]:
        return f"not reported (0/{data['gold']})"
    p, r, f1 = data["precision"], data["recall"], data["f1"]
    exact = f", exact {data['exact']}/{data['found']}" if data["found"] else ""
    if r is None:  # findings where the set has no label of the type
        return f"{data['pred'] - data['correct']} false"
    return f"{p:.2f} / {r:.2f} / **{f1:.2f}**{exact}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.presidio_entities", description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated, of {', '.join(ENGINES)}")
    parser.add_argument("--ner-model", default=DEFAULT_NER_MODEL)
    parser.add_argument("--misses", action="store_true", help="list each engine's misses and false alarms")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(sorted(unknown))}")
    from rich.console import Console

    from bench.report import print_presidio_entities

    results = evaluate(engines, args.ner_model, progress=lambda m: print(f"... {m}", file=sys.stderr),
                       misses=args.misses)
    console = Console(width=None if sys.stdout.isatty() else 170)
    print_presidio_entities(console, results)
    if args.misses:
        for name in engines:
            console.print(f"\n[bold]{name}[/]: misses and false alarms")
            for error in results["scores"][name]["errors"]:
                console.print(f"  {error['line']}: {error['text']!r}", markup=False, highlight=False)
                for note in error["notes"]:
                    console.print(f"      {note}", markup=False, highlight=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
