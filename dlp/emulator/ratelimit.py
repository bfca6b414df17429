"""Token buckets per (API key, endpoint template), refilled by the emulator's clock."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime


@dataclass
class _Bucket:
    tokens: float
    updated: datetime


class RateLimiter:
    def __init__(self) -> None:
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str, template: str, per_minute: int, now: datetime) -> int:
        """Take one token; 0 when allowed, else the seconds to wait (the Retry-After value)."""
        rate = per_minute / 60.0
        with self._lock:
            bucket = self._buckets.get((key, template))
            if bucket is None:
                bucket = self._buckets[(key, template)] = _Bucket(float(per_minute), now)
            elapsed = max(0.0, (now - bucket.updated).total_seconds())
            bucket.tokens = min(float(per_minute), bucket.tokens + elapsed * rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0
            return max(1, math.ceil((1.0 - bucket.tokens) / rate))
