"""Peak resident memory of a process and its descendants, sampled from outside (psutil)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import psutil

SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class MemoryPeaks:
    process_mb: float  # the watched process alone
    tree_mb: float  # the watched process plus every descendant alive at the same sample (workers)

    def to_json(self) -> dict[str, float]:
        return {"process_peak_mb": round(self.process_mb, 1), "tree_peak_mb": round(self.tree_mb, 1)}


class TreeMemorySampler:
    """Samples RSS of `pid` and its descendants on a background thread until `stop()`.

    Sampling misses spikes shorter than the interval; the watched process's own
    high-water mark (`ru_maxrss`, reported by the process itself) covers those
    for the main process.
    """

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        self._process = psutil.Process(pid)
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-sampler-{pid}", daemon=True)
        self._process_peak = 0
        self._tree_peak = 0

    def start(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def stop(self) -> MemoryPeaks:
        self._stopped.set()
        self._thread.join()
        return MemoryPeaks(self._process_peak / 2**20, self._tree_peak / 2**20)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                own = self._process.memory_info().rss
                children = self._process.children(recursive=True)
            except psutil.Error:  # the process has exited
                return
            total = own
            for child in children:
                try:
                    total += child.memory_info().rss
                except psutil.Error:  # a worker that ended between the listing and the read
                    continue
            self._process_peak = max(self._process_peak, own)
            self._tree_peak = max(self._tree_peak, total)
            self._stopped.wait(self._interval)
