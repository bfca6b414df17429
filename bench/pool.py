"""Run one analyzer over texts in N worker processes, each holding its own loaded analyzer.

Both sides of a parallel comparison (our NER path, plain spaCy) go through the
same pool, chunking and result transfer, so the comparison is about the
analyzers. Workers load their models before timing starts, and the CPU time
each worker spends is read from outside (psutil), so that a busy shared
machine, where workers wait for a core, can be told from work that does not divide.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import psutil

from bench.engines import Analyze, build_analyzer, select
from detectors.engine import EngineSpec
from dlp.records import ScanContext

WARM_UP_ATTEMPTS = 20
_worker_analyze: Analyze | None = None  # one per worker process, set by the pool initializer


def _init_worker(name: str, spec: EngineSpec) -> None:
    global _worker_analyze
    _worker_analyze = build_analyzer(name, select(spec))


def _analyze_chunk(texts: list[str], contexts: list[ScanContext | None]) -> int:
    assert _worker_analyze is not None
    return sum(len(spans) for spans in _worker_analyze(texts, contexts))


def _loaded_worker_pid(linger_seconds: float) -> int:
    # lingering keeps this worker busy so that the next warm-up task reaches another worker
    time.sleep(linger_seconds)
    assert _worker_analyze is not None
    return os.getpid()


@dataclass(frozen=True)
class PoolSettings:
    analyzer: str
    processes: int
    spec: EngineSpec
    chunk_texts: int = 64  # a chunk ends at this many texts or at chunk_chars characters, whichever comes first
    chunk_chars: int = 8000  # small chunks keep every worker busy to the end (a few texts are whole files)


class AnalyzerPool:
    """`with AnalyzerPool(settings) as pool: pool.count_spans(texts, contexts)`; the processes live inside the block."""

    def __init__(self, settings: PoolSettings) -> None:
        self.settings = settings
        self._executor: ProcessPoolExecutor | None = None
        self.last_cpu_seconds: list[float] = []  # CPU seconds each busy worker spent in the last count_spans

    def __enter__(self) -> AnalyzerPool:
        self._executor = ProcessPoolExecutor(
            max_workers=self.settings.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.settings.analyzer, self.settings.spec),
        )
        # every worker must have loaded its model (its initializer ran) before any timing starts
        loaded: set[int] = set()
        try:
            for _ in range(WARM_UP_ATTEMPTS):
                tasks = [self._executor.submit(_loaded_worker_pid, 0.2) for _ in range(self.settings.processes)]
                loaded.update(task.result() for task in tasks)
                if len(loaded) >= self.settings.processes:
                    return self
            raise RuntimeError(f"only {len(loaded)} of {self.settings.processes} workers started")
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc_info: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def count_spans(self, texts: Sequence[str], contexts: Sequence[ScanContext | None]) -> int:
        """Analyze every text across the workers; the number of spans found (results stay in the workers)."""
        assert self._executor is not None, "use the pool inside `with`"
        before = _children_cpu()
        try:
            return self._count_spans(texts, contexts)
        finally:
            after = _children_cpu()
            self.last_cpu_seconds = sorted(
                (
                    round(after[pid] - before.get(pid, 0.0), 3)
                    for pid in after
                    if after[pid] - before.get(pid, 0.0) > 0.005
                ),
                reverse=True,
            )

    def _count_spans(self, texts: Sequence[str], contexts: Sequence[ScanContext | None]) -> int:
        assert self._executor is not None
        futures = [
            self._executor.submit(_analyze_chunk, list(texts[start:end]), list(contexts[start:end]))
            for start, end in chunk_bounds(texts, self.settings.chunk_texts, self.settings.chunk_chars)
        ]
        return sum(future.result() for future in futures)


def _children_cpu() -> dict[int, float]:
    """User + system CPU seconds of each child process of this one (the pool's workers)."""
    seconds: dict[int, float] = {}
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        seconds[child.pid] = times.user + times.system
    return seconds


def chunk_bounds(texts: Sequence[str], max_texts: int, max_chars: int) -> list[tuple[int, int]]:
    """Consecutive (start, end) ranges of at most `max_texts` texts and about `max_chars` characters."""
    bounds: list[tuple[int, int]] = []
    start, chars = 0, 0
    for index, text in enumerate(texts):
        chars += len(text)
        if index + 1 - start >= max_texts or chars >= max_chars:
            bounds.append((start, index + 1))
            start, chars = index + 1, 0
    if start < len(texts):
        bounds.append((start, len(texts)))
    return bounds
