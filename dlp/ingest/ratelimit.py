"""Client-side rate limits shared by every concurrent task of one scan.

The API limits each endpoint per key ("per endpoint per API key"): 50/min for
lists, 100/min for single objects and file content. So there is one token
bucket per endpoint template (`/compliance/workspaces/{id}/users/{id}/files/{id}`),
refilled at the rate of its class. The clock and the sleep are injected so
tests drive time by hand; that is also why this is not aiolimiter, which reads
the event loop's clock.
"""

from __future__ import annotations

import asyncio
import enum
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


class EndpointClass(str, enum.Enum):
    LIST = "list"  # 50/min on the real API
    ITEM = "item"  # single objects and file content: 100/min
    LOGS = "logs"  # undocumented; configurable


_NAME_SEGMENT = re.compile(r"^[a-z_]+$")


def endpoint_template(path: str) -> str:
    """The endpoint a path belongs to: every segment that is not a plain lowercase name is an id."""
    return "/".join(seg if _NAME_SEGMENT.match(seg) or not seg else "{id}" for seg in path.split("?")[0].split("/"))


@dataclass
class _Bucket:
    rate_per_second: float
    capacity: float
    tokens: float
    updated: float


class RateLimiter:
    """Waits until a request of the given class may go out.

    The bucket starts with a burst of `burst` tokens (not a full minute's
    worth) so that a client never front-loads a minute of requests into a
    server whose own window may already be partly used.
    """

    def __init__(
        self,
        per_minute: dict[EndpointClass, int],
        *,
        burst: int = 5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._per_minute = {cls: rate for cls, rate in per_minute.items() if rate > 0}
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[tuple[EndpointClass, str], _Bucket] = {}
        self._lock = asyncio.Lock()
        self.waited_seconds = 0.0

    async def acquire(self, endpoint: EndpointClass, template: str = "") -> None:
        rate = self._per_minute.get(endpoint)
        if rate is None:  # unlimited
            return
        async with self._lock:  # one waiter at a time keeps the order fair and the buckets consistent
            bucket = self._buckets.get((endpoint, template))
            if bucket is None:
                capacity = float(min(self._burst, rate))
                bucket = self._buckets[(endpoint, template)] = _Bucket(rate / 60.0, capacity, capacity, self._clock())
            while True:
                now = self._clock()
                bucket.tokens = min(bucket.capacity, bucket.tokens + (now - bucket.updated) * bucket.rate_per_second)
                bucket.updated = now
                if bucket.tokens >= 1.0:
                    bucket.tokens -= 1.0
                    return
                wait = (1.0 - bucket.tokens) / bucket.rate_per_second
                self.waited_seconds += wait
                await self._sleep(wait)
