"""Clocks: the real UTC clock and a fake one that tests move by hand.

Everything in the emulator that depends on time (log file visibility,
retention, upload expiry, signed-URL expiry, rate-limit windows) reads the
clock it was given, so tests can jump ahead 49 hours without sleeping.
"""

from __future__ import annotations

import asyncio
import heapq
import math
import threading
from collections.abc import AsyncIterator, Awaitable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


class Clock:
    """The real clock: `now()` is the current UTC time."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FakeClock(Clock):
    """A clock that only moves when told to (thread-safe: the server reads it from its own thread)."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 7, 15, 12, 0, 0, tzinfo=timezone.utc)
        self._now = _require_aware(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now = self._now + delta
            return self._now

    def set(self, when: datetime) -> datetime:
        with self._lock:
            self._now = _require_aware(when)
            return self._now


def _require_aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("FakeClock needs a timezone-aware datetime (UTC)")
    return when.astimezone(timezone.utc)


class VirtualTime:
    """Drives a FakeClock for a client that waits on it: `sleep` never sleeps, time jumps instead.

    A scan against the emulator can then run an hour of rate-limited traffic in
    seconds. Time jumps to the earliest waiter's wake-up only when the event
    loop is idle and no HTTP request is in flight (wrap the client's transport
    with `transport()`), so the server sees each request at the virtual time
    the client sent it, and no waiter wakes early.

        virtual = VirtualTime(clock)
        report = virtual.run(scan(config, key, transport=virtual.transport(), clock=virtual.now,
                                  sleep=virtual.sleep))
    """

    def __init__(self, clock: FakeClock, idle_yields: int = 20) -> None:
        self.clock = clock
        self._origin = clock.now()
        self._sleepers: list[tuple[float, int, "asyncio.Future[None]"]] = []
        self._counter = 0
        self._idle_yields = idle_yields
        self.in_flight = 0

    def now(self) -> float:
        """Seconds since this object was made, on the fake clock (a monotonic clock for the client)."""
        return (self.clock.now() - self._origin).total_seconds()

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._counter += 1
        # The fake clock counts whole microseconds: wake at the first one not before the target.
        wake_at = math.ceil(round((self.now() + seconds) * 1e6, 3)) / 1e6
        heapq.heappush(self._sleepers, (wake_at, self._counter, future))
        await future

    def transport(self, inner: "httpx.AsyncBaseTransport | None" = None) -> "httpx.AsyncBaseTransport":
        return _CountingTransport(inner or httpx.AsyncHTTPTransport(), self)

    def run(self, main: Awaitable[T]) -> T:
        """Run `main` in a new event loop, moving time whenever everything waits on it."""
        return asyncio.run(self._drive(main))

    async def _drive(self, main: Awaitable[T]) -> T:
        task = asyncio.ensure_future(main)
        while not task.done():
            for _ in range(self._idle_yields):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
                if task.done():
                    break
            if task.done():
                break
            self._sleepers = [s for s in self._sleepers if not s[2].done()]  # cancelled waiters
            heapq.heapify(self._sleepers)
            if self.in_flight or not self._sleepers:
                await asyncio.sleep(0.001)  # real work is going on (a request, a worker thread)
                continue
            wake_at = self._sleepers[0][0]
            if wake_at > self.now():
                self.clock.advance(timedelta(microseconds=round((wake_at - self.now()) * 1e6)))
            while self._sleepers and self._sleepers[0][0] <= self.now() + 1e-9:
                _, _, future = heapq.heappop(self._sleepers)
                if not future.done():
                    future.set_result(None)
        return task.result()


class _CountingTransport(httpx.AsyncBaseTransport):
    """Counts requests in flight (until their body is read) so virtual time stands still meanwhile."""

    def __init__(self, inner: httpx.AsyncBaseTransport, virtual: VirtualTime) -> None:
        self._inner = inner
        self._virtual = virtual
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._virtual.in_flight += 1
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            self._virtual.in_flight -= 1
            raise
        response.stream = _CountedStream(response.stream, self._virtual)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        if not self._closed:  # one transport may serve two clients (the API and the signed URLs)
            self._closed = True
            await self._inner.aclose()


class _CountedStream(httpx.AsyncByteStream):
    def __init__(self, inner: Any, virtual: VirtualTime) -> None:
        self._inner = inner
        self._virtual = virtual
        self._open = True

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        if self._open:
            self._open = False
            self._virtual.in_flight -= 1
        await self._inner.aclose()
