"""One benchmark run: the sections the settings ask for, on one generated corpus, into one results dict."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psutil

from bench.corpus import build_corpus, scaled_config
from bench.detection import DetectionSettings, run_detection
from bench.documents import DOCUMENT_CHARS, DOCUMENTS_MB
from bench.endtoend import ScanRun, measure_scan
from bench.external import ENGINES as EXTERNAL_ENGINES
from bench.external import corpora_dir
from bench.external import evaluate as evaluate_external
from bench.extraction import run_extraction
from bench.goals import evaluate_goals
from bench.ratebudget import measure_rate_budget
from bench.heldout import DEFAULT_ENGINES as HELDOUT_ENGINES
from bench.heldout import DEFAULT_TEXTS as HELDOUT_TEXTS
from bench.heldout import evaluate as evaluate_heldout
from bench.presidio_entities import evaluate as evaluate_presidio_entities
from bench.scaling import DEFAULT_FACTORS, run_scaling
from detectors.engine import EngineSpec

# "documents" (long documents at set densities) is recorded inside "detection"; alone, it runs without Presidio
SECTIONS = ("detection", "documents", "person_heldout", "external", "presidio_entities", "extraction", "end_to_end",
            "rate_limited", "rate_budget", "scaling")
REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BenchSettings:
    seed: int = 7
    preset: str = "demo"  # the generator preset the corpus is scaled from
    factor: float = 4.0  # detection corpus and end-to-end workspace: preset x factor
    rounds: int = 3
    presidio_rounds: int = 3
    processes: int = field(default_factory=lambda: os.cpu_count() or 1)  # "all cores" for the NER comparison
    workers: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))  # scan inspector processes
    sections: tuple[str, ...] = SECTIONS
    extraction_scale: float = 0.25  # of bench/extract_bench.py's file sizes
    rate_window_seconds: float = 60.0
    scaling_base: float = 1.0  # scaling runs at preset x scaling_base x each factor
    scaling_factors: tuple[float, ...] = DEFAULT_FACTORS
    heldout_texts: int = HELDOUT_TEXTS  # texts of the PERSON held-out-names corpus
    document_chars: int = DOCUMENT_CHARS  # the documents section: characters per document
    documents_mb: float = DOCUMENTS_MB  # and MB of documents per density
    engine: EngineSpec = field(default_factory=EngineSpec)
    external_corpora: str | None = None  # the external section's corpus folder (default: bench.external.corpora_dir)
    external_engines: tuple[str, ...] = EXTERNAL_ENGINES

    def __post_init__(self) -> None:
        unknown = set(self.sections) - set(SECTIONS)
        if unknown:
            raise ValueError(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
        if self.rounds < 1 or self.presidio_rounds < 1:
            raise ValueError("rounds must be at least 1")
        if self.rate_window_seconds <= 0:
            raise ValueError("the rate-limit window must be positive")
        if self.heldout_texts < 2:
            raise ValueError("the held-out-names corpus needs at least 2 texts")
        unknown_engines = set(self.external_engines) - set(EXTERNAL_ENGINES)
        if unknown_engines:
            raise ValueError(f"unknown external engine(s) {', '.join(sorted(unknown_engines))}; "
                             f"choose from {', '.join(EXTERNAL_ENGINES)}")
        if self.document_chars < 1 or self.documents_mb <= 0:
            raise ValueError("documents need a positive size")


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "system": platform.platform(), "python": platform.python_version(), "commit": _commit(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }  # fmt: skip


def _commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def run_benchmarks(
    settings: BenchSettings, command: str = "", progress: Callable[[str], None] = print
) -> dict[str, Any]:
    started = time.perf_counter()
    results: dict[str, Any] = {
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "command": command,
        "machine": machine(), "settings": _settings_json(settings),
    }  # fmt: skip
    sections = set(settings.sections)
    section_seconds: dict[str, float] = {}

    def timed(name: str, work: Callable[[], Any]) -> None:
        began = time.perf_counter()
        results[name] = work()
        section_seconds[name] = round(time.perf_counter() - began, 1)

    if "detection" in sections or "documents" in sections:

        def detection() -> dict[str, Any]:
            progress(f"corpus: {settings.preset} x{settings.factor:g}, seed {settings.seed}")
            corpus = build_corpus(settings.seed, settings.preset, settings.factor)
            return run_detection(
                corpus,
                DetectionSettings(
                    rounds=settings.rounds,
                    presidio_rounds=settings.presidio_rounds,
                    processes=settings.processes,
                    spec=settings.engine,
                    short_texts="detection" in sections,  # with Presidio and the NER comparison
                    documents="documents" in sections,
                    document_chars=settings.document_chars,
                    documents_mb=settings.documents_mb,
                    seed=settings.seed,
                ),
                progress,
            )

        timed("detection", detection)
    if "person_heldout" in sections:
        timed(
            "person_heldout",
            lambda: evaluate_heldout(
                HELDOUT_ENGINES,
                seed=settings.seed,
                texts=settings.heldout_texts,
                spec=settings.engine,
                progress=progress,
            ),
        )
    if "external" in sections:
        timed("external", lambda: _external(settings, progress))
    if "presidio_entities" in sections:
        timed("presidio_entities", lambda: evaluate_presidio_entities(ner_model=settings.engine.ner_model,
                                                                       progress=progress))
    if "extraction" in sections:
        timed("extraction", lambda: run_extraction(settings.extraction_scale, settings.rounds, progress))
    if "scaling" in sections:
        timed(
            "scaling",
            lambda: run_scaling(
                settings.seed,
                settings.preset,
                settings.scaling_base,
                settings.workers,
                settings.scaling_factors,
                settings.engine,
                progress,
            ),
        )
    if "end_to_end" in sections:
        timed("end_to_end", lambda: _end_to_end(settings, results.get("scaling"), progress))
    if "rate_limited" in sections:
        progress(f"rate limits on: a {settings.rate_window_seconds:g} s window of real time")
        # Inspection in the scan process: its engine is built before the first request, so the window
        # measures request pacing, not start-up (worker processes build their engines on first use).
        timed(
            "rate_limited",
            lambda: measure_scan(
                ScanRun(
                    label="rate-limited",
                    seed=settings.seed,
                    generator=scaled_config(settings.preset, settings.factor),
                    workers=0,
                    rate_limited=True,
                    window_seconds=settings.rate_window_seconds,
                    engine=settings.engine,
                ),
                progress,
            ),
        )
    if "rate_budget" in sections:
        # A long scan at the documented limits on a fake clock: the share of each route's allowance it uses.
        timed(
            "rate_budget",
            lambda: measure_rate_budget(
                settings.seed, scaled_config(settings.preset, settings.factor), settings.engine, progress
            ),
        )
    results["section_seconds"] = section_seconds
    results["goals"] = [goal.to_json() for goal in evaluate_goals(results)]
    machine_end = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    results["machine"]["load_average_at_end"] = machine_end
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def _end_to_end(
    settings: BenchSettings, scaling: dict[str, Any] | None, progress: Callable[[str], None]
) -> dict[str, Any]:
    """The full scan at the corpus scale; a scaling run at the same scale is reused rather than run twice."""
    if scaling is not None:
        for factor in settings.scaling_factors:
            if abs(settings.scaling_base * factor - settings.factor) < 1e-9:
                return {**scaling["runs"][f"{factor:g}x"], "shared_with": f"scaling {factor:g}x"}
    progress(f"end to end: full scan of {settings.preset} x{settings.factor:g}, rate limits off")
    return measure_scan(
        ScanRun(
            label="end-to-end",
            seed=settings.seed,
            generator=scaled_config(settings.preset, settings.factor),
            workers=settings.workers,
            engine=settings.engine,
        ),
        progress,
    )


def _external(settings: BenchSettings, progress: Callable[[str], None]) -> dict[str, Any]:
    """The external corpora section; skipped with a message when there are none (never in --tiny's way)."""
    folder = Path(settings.external_corpora) if settings.external_corpora else corpora_dir()
    result = evaluate_external(engines=settings.external_engines, folder=folder,
                               ner_model=settings.engine.ner_model, progress=progress)
    if "skipped" in result:
        progress(result["skipped"])
    return result


def _settings_json(settings: BenchSettings) -> dict[str, Any]:
    data = asdict(settings)
    data["engine"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in data["engine"].items()}
    return data


def command_line(argv: list[str]) -> str:
    return " ".join(["python -m bench", *argv]) if argv else "python -m bench"
