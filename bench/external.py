"""Accuracy on labelled text other projects wrote: our engine (default and full policies) and Presidio, side by side.

    python -m bench --only external                  # the corpora in ../shared/corpora
    DLP_EXTERNAL_CORPORA=/data/corpora python -m bench --only external
    python -m bench.external --engines default,full  # the same section alone, any subset of engines

The corpora (`names.jsonl`, `identifiers.jsonl`, `secrets.jsonl` and their
scorer `score.py`) live outside the repository and are never copied into it.
The section looks for them in `$DLP_EXTERNAL_CORPORA`, else in
`../shared/corpora` beside the repository, and is skipped, with a message, when
neither holds a `score.py`. Scoring is the corpus's own: its `evaluate` is
imported from the corpus folder at run time, so a finding counts when it
overlaps a gold span of the record's entity, every finding on a `no_match`
record is a false positive, and only the record's own entity is scored.

Each engine reads each distinct text once. Results are per file, per entity,
and per source: for names.jsonl the genre (`subtype`: uner-ewt, wnut17, btc-a,
btc-e, wikigold), for the others the repository the values come from.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from detectors.engine import Engine, EngineSpec
from detectors.ner import DEFAULT_NER_MODEL

ENV_VAR = "DLP_EXTERNAL_CORPORA"
DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
FILES = ("names.jsonl", "identifiers.jsonl", "secrets.jsonl")
ENGINES = ("default", "full", "presidio")  # ours under each named policy, and Presidio's AnalyzerEngine
BATCH = 256  # texts per analyze_batch call, as a scan hands them over

Findings = list[dict[str, Any]]


def corpora_dir(environ: dict[str, str] | None = None) -> Path | None:
    """The corpus folder to use, or None when there is none (the section is then skipped)."""
    environ = dict(os.environ) if environ is None else environ
    candidate = Path(environ[ENV_VAR]) if environ.get(ENV_VAR) else DEFAULT_DIR
    return candidate if (candidate / "score.py").is_file() else None


def load_scorer(folder: Path) -> ModuleType:
    """The corpus's own score.py, imported from its folder (not copied into the project)."""
    spec = importlib.util.spec_from_file_location("external_corpus_score", folder / "score.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {folder / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def source_of(record: dict[str, Any]) -> str:
    """The genre of a names record; the source repository of the others."""
    if record.get("_file") == "names.jsonl":
        return str(record.get("subtype") or "names")
    return str(record.get("source") or "unknown").split("@", 1)[0]


def our_analyzer(policy: str, ner_model: str) -> Callable[[Sequence[str]], list[Findings]]:
    engine = Engine.from_spec(EngineSpec(policy_path=policy, ner_model=ner_model))

    def analyze(texts: Sequence[str]) -> list[Findings]:
        out: list[Findings] = []
        for start in range(0, len(texts), BATCH):
            for matches in engine.analyze_batch(texts[start:start + BATCH]):
                out.append([{"start": m.start, "end": m.end, "entity": m.entity} for m in matches])
        return out

    return analyze


def run_engine(name: str, texts: Sequence[str], ner_model: str) -> tuple[dict[str, Findings], float]:
    """{text: findings} of one engine over the distinct texts, and the seconds it took (model load apart)."""
    if name == "presidio":
        from bench.presidio_offline import PresidioAnalyzer, PresidioSettings

        with PresidioAnalyzer(PresidioSettings(model=ner_model)) as presidio:
            presidio.analyze("Warm-up for Maria Garcia in Berlin.")
            began = time.perf_counter()
            spans = presidio.analyze_all(texts)
            seconds = time.perf_counter() - began
        found = [[{"start": s.start, "end": s.end, "entity": s.entity} for s in per_text] for per_text in spans]
    else:
        analyze = our_analyzer(name, ner_model)
        analyze(["Warm-up for Maria Garcia in Berlin, card 4111 1111 1111 1111."])
        began = time.perf_counter()
        found = analyze(texts)
        seconds = time.perf_counter() - began
    return dict(zip(texts, found)), seconds


def evaluate(
    engines: Sequence[str] = ENGINES,
    folder: Path | None = None,
    ner_model: str = DEFAULT_NER_MODEL,
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Every engine on every corpus file found; {"skipped": reason} when there are no corpora."""
    folder = folder if folder is not None else corpora_dir()
    if folder is None:
        where = os.environ.get(ENV_VAR) or str(DEFAULT_DIR)
        return {"skipped": f"no external corpora: {where} has no score.py (set ${ENV_VAR} to the folder)"}
    scorer = load_scorer(folder)
    paths = [folder / name for name in FILES if (folder / name).is_file()]
    records = scorer.load_records([str(p) for p in paths])
    texts = sorted({r["text"] for r in records})
    results: dict[str, Any] = {"folder": str(folder), "files": [p.name for p in paths], "records": len(records),
                               "texts": len(texts), "engines": list(engines), "ner_model": ner_model,
                               "seconds": {}, "scores": {}}
    by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_file[record["_file"]].append(record)
    for name in engines:
        progress(f"external corpora: {name} on {len(texts):,} texts")
        found, seconds = run_engine(name, texts, ner_model)
        results["seconds"][name] = round(seconds, 2)
        predictions = {r["id"]: found[r["text"]] for r in records}
        scores: dict[str, Any] = {}
        for file, file_records in by_file.items():
            by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for record in file_records:
                by_source[source_of(record)].append(record)
            scores[file] = {
                "all": _summary(scorer.evaluate(file_records, predictions)),
                "sources": {src: _summary(scorer.evaluate(recs, predictions)) for src, recs in sorted(by_source.items())},
            }
        results["scores"][name] = scores
    return results


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    """The numbers the tables show: per entity and micro, precision / recall / F1 and counts."""
    keep = ("precision", "recall", "f1", "gold", "pred", "tp_gold", "tp_pred", "neg_records", "neg_fired")
    out: dict[str, Any] = {"entities": {e: {k: s.get(k) for k in keep} for e, s in result["entities"].items()},
                           "micro": {k: result["micro"].get(k) for k in keep}}
    if "secret_subtypes" in result:
        out["secret_subtypes"] = {k: result["secret_subtypes"][k] for k in ("found", "total")}
    return out


def rows(results: dict[str, Any], file: str, source: str | None = None) -> list[list[str]]:
    """Table rows: entity, then P / R / F1 per engine, for one file (or one source of it)."""
    engines = results["engines"]
    picked = {name: (results["scores"][name][file]["all"] if source is None
                     else results["scores"][name][file]["sources"].get(source)) for name in engines}
    entities = sorted({e for s in picked.values() if s for e in s["entities"]})
    out = []
    for entity in [*entities, "micro"]:
        row = [entity]
        for name in engines:
            s = picked[name]
            data = None if s is None else (s["micro"] if entity == "micro" else s["entities"].get(entity))
            row.append(_prf(data))
        out.append(row)
    return out


def _prf(data: dict[str, Any] | None) -> str:
    if not data or not data.get("gold"):
        return "-"
    if not data.get("pred"):
        return f"- / 0.000 / - ({data['tp_gold']}/{data['gold']})"
    return (f"{data['precision']:.3f} / {data['recall']:.3f} / **{data['f1']:.3f}**"
            if data.get("f1") is not None else "-")


def sources(results: dict[str, Any], file: str) -> list[str]:
    first = results["engines"][0]
    return list(results["scores"][first][file]["sources"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.external", description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated, of {', '.join(ENGINES)}")
    parser.add_argument("--corpora", help=f"corpus folder (default ${ENV_VAR}, else {DEFAULT_DIR})")
    parser.add_argument("--ner-model", default=DEFAULT_NER_MODEL)
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(sorted(unknown))}")
    folder = Path(args.corpora) if args.corpora else None
    if folder is not None and not (folder / "score.py").is_file():
        parser.error(f"{folder} has no score.py")
    from rich.console import Console

    from bench.report import print_external

    results = evaluate(engines, folder, args.ner_model, progress=lambda m: print(f"... {m}", file=sys.stderr))
    print_external(Console(), results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
