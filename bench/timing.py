"""Repeated timing rounds and the throughput figures derived from them."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Rounds:
    """Wall-clock seconds of each round of one measurement, over a workload of `texts` texts and `nbytes` bytes."""

    seconds: tuple[float, ...]
    texts: int
    nbytes: int

    @property
    def min(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def max(self) -> float:
        return max(self.seconds)

    def texts_per_second(self, seconds: float | None = None) -> float:
        return self.texts / (seconds if seconds is not None else self.median)

    def mb_per_second(self, seconds: float | None = None) -> float:
        return self.nbytes / 1e6 / (seconds if seconds is not None else self.median)

    def to_json(self) -> dict[str, object]:
        """Seconds as min/median/max, and throughput at each (the fastest round gives the highest rate)."""
        return {
            "rounds": len(self.seconds), "seconds": [round(s, 4) for s in self.seconds],
            "seconds_min": round(self.min, 4), "seconds_median": round(self.median, 4),
            "seconds_max": round(self.max, 4),
            "texts": self.texts, "mb": round(self.nbytes / 1e6, 4),
            "texts_per_s": {"min": round(self.texts_per_second(self.max), 2),
                            "median": round(self.texts_per_second(self.median), 2),
                            "max": round(self.texts_per_second(self.min), 2)},
            "mb_per_s": {"min": round(self.mb_per_second(self.max), 4),
                         "median": round(self.mb_per_second(self.median), 4),
                         "max": round(self.mb_per_second(self.min), 4)},
        }  # fmt: skip


def time_rounds(work: Callable[[], T], rounds: int, texts: int, nbytes: int) -> tuple[Rounds, T]:
    """Run `work` `rounds` times (garbage collected between rounds); the result of the last round comes back."""
    if rounds < 1:
        raise ValueError("at least one round is needed")
    seconds: list[float] = []
    result: T | None = None
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - started)
    return Rounds(tuple(seconds), texts, nbytes), result  # type: ignore[return-value]


def ratio(ours: Rounds, theirs: Rounds) -> dict[str, float]:
    """Ours / theirs in MB/s: at the median rounds, and the lowest and highest the round spreads allow."""
    return {
        "median": round(ours.mb_per_second(ours.median) / theirs.mb_per_second(theirs.median), 2),
        "low": round(ours.mb_per_second(ours.max) / theirs.mb_per_second(theirs.min), 2),
        "high": round(ours.mb_per_second(ours.min) / theirs.mb_per_second(theirs.max), 2),
    }
