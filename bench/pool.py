"""Run one analyzer over texts in N worker processes, each holding its own loaded analyzer.

Both sides of a parallel comparison (our NER path, plain spaCy) go through the
same pool, chunking and result transfer, so the comparison is about the
analyzers. Workers load their model before timing starts (`warm_up`).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

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
    chunk_texts: int = 64


class AnalyzerPool:
    """`with AnalyzerPool(settings) as pool: pool.count_spans(texts, contexts)`; the processes live as long as the block."""

    def __init__(self, settings: PoolSettings) -> None:
        self.settings = settings
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> "AnalyzerPool":
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
        size = self.settings.chunk_texts
        futures = [
            self._executor.submit(_analyze_chunk, list(texts[i : i + size]), list(contexts[i : i + size]))
            for i in range(0, len(texts), size)
        ]
        return sum(future.result() for future in futures)
