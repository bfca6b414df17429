"""Detection speed and accuracy: our engine against Presidio, and our NER path against plain spaCy.

All of it runs on one corpus (`bench.corpus`). Our engine analyses the texts in
chunks of the pipeline's size (`TEXT_JOB_CHUNK`) with `analyze_batch`, as a
scan does; Presidio analyses one text per `AnalyzerEngine.analyze` call, its
documented use. Models are loaded and warmed up before any round is timed.

The corpus's texts are short and dense (a value every ~160 bytes), so their
throughput is per-text and per-value work. The "documents" measurement reads
long documents joined from the same texts at set densities of valid values
(`bench.documents`): one document per `analyze_batch` call, as a scan hands the
engine one file's segments (a 64,000-character document is one segment of
`InspectorSpec.segment_chars`), with the context of a text attachment.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.accuracy import score
from bench.corpus import Corpus
from bench.documents import DENSITIES_PER_KB, DOCUMENT_CHARS, DOCUMENTS_MB, SEPARATOR, density_points
from bench.engines import Analyze, build_analyzer, select
from bench.pool import AnalyzerPool, PoolSettings
from bench.presidio_offline import PresidioAnalyzer, PresidioSettings
from bench.timing import Rounds, ratio, time_rounds
from detectors.engine import EngineSpec
from dlp.pipeline import TEXT_JOB_CHUNK
from dlp.records import ScanContext


@dataclass(frozen=True)
class DetectionSettings:
    rounds: int = 3  # timing rounds of our engine and of the NER comparisons
    presidio_rounds: int = 3  # Presidio's rounds take most of the section's time
    processes: int = os.cpu_count() or 1  # "all cores" for the NER comparison
    # our rules: the built-in packs and the default policy unless told otherwise
    spec: EngineSpec = field(default_factory=EngineSpec)
    presidio: bool = True
    ner_comparison: bool = True
    short_texts: bool = True  # our engine's throughput and accuracy on the corpus texts
    documents: bool = True  # our engine on long documents at set densities (bench.documents)
    document_chars: int = DOCUMENT_CHARS
    documents_mb: float = DOCUMENTS_MB  # per density
    densities: tuple[float, ...] = DENSITIES_PER_KB
    seed: int = 7  # of the documents' draws (the corpus's seed, as run.py passes it)


# a long document, as a scan meets one: the text of an attachment
DOCUMENT_CONTEXT = ScanContext(kind="attachment", file_type="txt")
OUR_ENGINES = (("default", "ours_default"), ("regex", "ours_regex"))
DOCUMENT_ENGINES = ("ours_regex", "ours_default")  # the order of the documents' rounds and columns


def run_detection(
    corpus: Corpus, settings: DetectionSettings, progress: Callable[[str], None] = print
) -> dict[str, Any]:
    texts, contexts = corpus.strings(), corpus.contexts()
    nbytes = corpus.utf8_bytes
    out: dict[str, Any] = {"corpus": corpus.describe(), "throughput": {}, "ratios": {}, "accuracy": {}}
    throughput, accuracy = out["throughput"], out["accuracy"]
    timed: dict[str, Rounds] = {}
    rules = select(settings.spec)

    analyzers: dict[str, Analyze] = {}
    for name, label in OUR_ENGINES:
        progress(f"detection: building our engine ({name})")
        started = time.perf_counter()
        analyzers[label] = build_analyzer(name, rules)
        out.setdefault("build_seconds", {})[label] = round(time.perf_counter() - started, 2)

    for name, label in OUR_ENGINES if settings.short_texts else ():
        progress(f"detection: our engine ({name}), {settings.rounds} rounds")
        analyze = analyzers[label]
        rounds, spans = time_rounds(lambda a=analyze: _chunked(a, texts, contexts), settings.rounds, len(texts), nbytes)
        timed[label] = rounds
        throughput[label] = rounds.to_json()
        accuracy[label] = score(label, corpus, spans, rules.entities).to_json()
        if name == "regex":
            # the same rules on the texts that hold no planted value: the cost of scanning when little is found
            clean = [i for i, t in enumerate(corpus.texts) if not t.gold]
            clean_texts, clean_contexts = [texts[i] for i in clean], [contexts[i] for i in clean]
            rounds, _ = time_rounds(
                lambda a=analyze, t=clean_texts, c=clean_contexts: _chunked(a, t, c),
                settings.rounds,
                len(clean),
                sum(len(t.encode("utf-8")) for t in clean_texts),
            )
            throughput["ours_regex_no_values"] = rounds.to_json()

    if settings.documents:
        out["documents"] = run_documents(corpus, analyzers, settings, progress)

    if settings.presidio and settings.short_texts:
        for ner, label in ((True, "presidio_default"), (False, "presidio_no_ner")):
            progress(f"detection: Presidio ({'default' if ner else 'no NER'}), {settings.presidio_rounds} rounds")
            with PresidioAnalyzer(PresidioSettings(model=settings.spec.ner_model, ner=ner)) as presidio:
                supported = presidio.supported_entities()
                rounds, found = time_rounds(
                    lambda p=presidio: p.analyze_all(texts), settings.presidio_rounds, len(texts), nbytes
                )
            timed[label] = rounds
            throughput[label] = rounds.to_json()
            spans = [[(s.entity, s.start, s.end) for s in per_text] for per_text in found]
            accuracy[label] = score(label, corpus, spans, supported).to_json()
        out["ratios"]["default_vs_presidio"] = ratio(timed["ours_default"], timed["presidio_default"])
        out["ratios"]["regex_vs_presidio_no_ner"] = ratio(timed["ours_regex"], timed["presidio_no_ner"])
        out["f1_comparison"] = f1_comparison(accuracy["ours_default"], accuracy["presidio_default"])

    if settings.ner_comparison and settings.short_texts:
        out["ner"] = run_ner_comparison(texts, contexts, nbytes, settings, progress)
    return out


def run_documents(
    corpus: Corpus,
    analyzers: dict[str, Analyze],
    settings: DetectionSettings,
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Each analyzer on the documents of each density (`bench.documents`), one document per call."""
    points = density_points(corpus, settings.seed, settings.densities, settings.document_chars, settings.documents_mb)
    out: dict[str, Any] = {
        "document_chars": settings.document_chars, "documents_mb": settings.documents_mb, "seed": settings.seed,
        "separator": SEPARATOR, "context": {"kind": DOCUMENT_CONTEXT.kind, "file_type": DOCUMENT_CONTEXT.file_type},
        "per_call": "one document", "points": {},
    }  # fmt: skip
    for point in points:
        documents = point.texts()
        row: dict[str, Any] = {**point.describe(), "throughput": {}}
        for label in DOCUMENT_ENGINES:
            analyze = analyzers[label]
            progress(
                f"detection: {label} on {len(documents)} documents at {point.label} values/KB, {settings.rounds} rounds"
            )
            rounds, spans = time_rounds(
                lambda a=analyze, d=documents: _one_per_call(a, d), settings.rounds, len(documents), point.utf8_bytes
            )
            row["throughput"][label] = {**rounds.to_json(), "reported": sum(len(s) for s in spans)}
        out["points"][point.label] = row
    return out


def run_ner_comparison(
    texts: Sequence[str],
    contexts: Sequence[ScanContext],
    nbytes: int,
    settings: DetectionSettings,
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Our NER path vs plain spaCy `nlp.pipe`, each in a pool of 1 and of `processes` workers."""
    counts = sorted({1, min(2, settings.processes), max(1, settings.processes)})
    results: dict[str, Any] = {"processes": counts, "runs": {}}
    for analyzer in ("ner", "spacy-ner", "spacy-full"):
        per_count: dict[str, Any] = {}
        for processes in counts:
            progress(f"detection: {analyzer} on {processes} process(es), {settings.rounds} rounds")
            with AnalyzerPool(PoolSettings(analyzer, processes, settings.spec)) as pool:
                rounds, spans = time_rounds(
                    lambda p=pool: p.count_spans(texts, contexts), settings.rounds, len(texts), nbytes
                )
                cpu = pool.last_cpu_seconds
            per_count[str(processes)] = {**rounds.to_json(), "spans": spans, "worker_cpu_seconds": cpu}
        for processes in counts[1:]:
            # the speedup the work allows when every worker has a core of its own: one process's CPU time
            # over the busiest worker's; on a shared machine the wall-clock speedup falls short of it
            one, many = per_count["1"]["worker_cpu_seconds"], per_count[str(processes)]["worker_cpu_seconds"]
            if one and many:
                per_count[str(processes)]["cpu_bound_speedup"] = round(sum(one) / max(many), 2)
        results["runs"][analyzer] = per_count
    ours, plain = results["runs"]["ner"], results["runs"]["spacy-full"]
    results["ours_vs_spacy_full"] = {
        str(n): round(plain[str(n)]["seconds_median"] / ours[str(n)]["seconds_median"], 2) for n in counts
    }
    return results


def f1_comparison(ours: dict[str, Any], presidio: dict[str, Any]) -> dict[str, Any]:
    """Per entity both engines support and the ground truth labels: our F1, Presidio's, and whether ours is >=."""
    rows = {}
    for entity, mine in ours["entities"].items():
        theirs = presidio["entities"].get(entity)
        if theirs is None or not (mine["supported"] and theirs["supported"]):
            continue
        f_ours, f_theirs = mine["f1"] or 0.0, theirs["f1"] or 0.0
        rows[entity] = {"ours": f_ours, "presidio": f_theirs, "ours_at_or_above": f_ours >= f_theirs}
    return rows


def _one_per_call(analyze: Analyze, documents: Sequence[str]) -> list[list[tuple[str, int, int]]]:
    spans: list[list[tuple[str, int, int]]] = []
    for document in documents:
        spans.extend(analyze([document], [DOCUMENT_CONTEXT]))
    return spans


def _chunked(
    analyze: Analyze, texts: Sequence[str], contexts: Sequence[ScanContext]
) -> list[list[tuple[str, int, int]]]:
    spans: list[list[tuple[str, int, int]]] = []
    for start in range(0, len(texts), TEXT_JOB_CHUNK):
        spans.extend(analyze(texts[start : start + TEXT_JOB_CHUNK], contexts[start : start + TEXT_JOB_CHUNK]))
    return spans
