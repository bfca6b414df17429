"""Rate limits per (workspace or organization, method and route), read off the emulator's clock.

"rolling" (the default): at most N accepted requests in any 60-second window,
the strictest reading of "100 requests per minute per workspace, per method
and route" (N1). "bucket": a token bucket that starts full and refills at N per
minute, our older guess, which lets up to 2N through in the first rolling minute.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WINDOW = timedelta(seconds=60)


@dataclass
class _Route:
    accepted: deque[datetime] = field(default_factory=deque)  # rolling: accepted request times, oldest first
    tokens: float = -1.0  # bucket: tokens left (-1: not started)
    updated: datetime | None = None


class RateLimiter:
    def __init__(self, style: str = "rolling") -> None:
        self.style = style
        self._routes: dict[tuple[str, str], _Route] = {}
        self._lock = threading.Lock()

    def acquire(self, owner: str, route: str, per_minute: int, now: datetime) -> int:
        """Admit one request: 0 when allowed, else the seconds to wait (the Retry-After value)."""
        with self._lock:
            state = self._routes.setdefault((owner, route), _Route())
            if self.style == "bucket":
                return _bucket(state, per_minute, now)
            while state.accepted and state.accepted[0] <= now - WINDOW:
                state.accepted.popleft()
            if len(state.accepted) < per_minute:
                state.accepted.append(now)
                return 0
            return max(1, math.ceil((state.accepted[0] + WINDOW - now).total_seconds()))


def _bucket(state: _Route, per_minute: int, now: datetime) -> int:
    rate = per_minute / 60.0
    if state.updated is None:
        state.tokens, state.updated = float(per_minute), now
    elapsed = max(0.0, (now - state.updated).total_seconds())
    state.tokens = min(float(per_minute), state.tokens + elapsed * rate)
    state.updated = now
    if state.tokens >= 1.0:
        state.tokens -= 1.0
        return 0
    return max(1, math.ceil((1.0 - state.tokens) / rate))
