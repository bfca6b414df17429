"""Client-side rate limits: one sliding-window log per route, shared by every task of a scan.

The API allows "100 requests per minute per workspace, per method and route"
(compliance-api.md, Update 2026-12 item 2, N1), and 50/min on the stateful
list endpoints (§4, S2). A server may count that minute as a rolling window,
so a token bucket that starts full lets up to twice the limit through in the
first rolling minute. Here each route (method + path template) keeps the times
its last N requests *ended*, and the next request waits until the oldest of
them is a full window old: a request the server counted can then never fall
within one window of the N-th request after it, whatever the network latency
(the server saw it before its answer reached us).

A 429 pauses its route for every task until its `Retry-After` has passed and,
if the server evidently allows fewer requests than we assumed (vendors report
50/min where the description says 100), lowers that route's limit for the rest
of the scan. The clock and the sleep are injected so tests and the bench drive
time by hand (aiolimiter reads the event loop's clock and starts full).
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

WINDOW_SECONDS = 60.0
# Added to the window: a server that counts a request exactly one window old as still inside must not 429 us.
WINDOW_MARGIN_SECONDS = 0.25
_EPSILON = 1e-6


class RouteClass(str, enum.Enum):
    """Which configured rate a route gets (`api.list_per_minute`, `item_per_minute`, `logs_per_minute`)."""

    LIST = "list"  # workspace-level lists and per-GPT/project lists: 50/min (S2 §4)
    ITEM = "item"  # single objects, file content, per-user lists: 100/min (S2 §4, N1)
    LOGS = "logs"  # Logs Platform list, download and freshness: 100/min per route (N1)


# Path segments that name a sub-route although they sit where an id would (`/logs/max_event_time`).
_NAMED_SEGMENTS = frozenset({"max_event_time"})


def endpoint_template(path: str) -> str:
    """The route a path belongs to, with every id replaced by `{id}`.

    Compliance paths alternate collection and id after `/compliance`
    (`workspaces/{id}/users/{id}/files/{id}`), so position decides, not the
    look of the id (a log file id may be any string).
    """
    segments = path.split("?")[0].split("/")
    try:
        start = segments.index("compliance") + 1
    except ValueError:
        start = len(segments)
    out = list(segments[:start])
    for offset, segment in enumerate(segments[start:]):
        is_id_position = offset % 2 == 1
        out.append("{id}" if is_id_position and segment and segment not in _NAMED_SEGMENTS else segment)
    return "/".join(out)


def route_key(method: str, path: str) -> str:
    """`GET /compliance/workspaces/{id}/logs`: the unit the API limits ("per method and route")."""
    return f"{method.upper()} {endpoint_template(path)}"


@dataclass
class _Route:
    limit: int
    ended: deque[float] = field(default_factory=deque)  # end times of the latest requests, oldest first
    in_flight: int = 0
    paused_until: float = 0.0
    granted: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    released: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class RouteStats:
    route: str
    limit: int
    granted: int


class RateLimiter:
    """Grants request slots per route so that no window of `window` seconds holds more than the route's limit."""

    def __init__(
        self,
        per_minute: Mapping[RouteClass, int],
        *,
        window: float = WINDOW_SECONDS,
        margin: float = WINDOW_MARGIN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._per_minute = {cls: rate for cls, rate in per_minute.items() if rate > 0}  # 0 = no limit
        self._window = window
        self._margin = margin
        self._clock = clock
        self._sleep = sleep
        self._routes: dict[str, _Route] = {}
        self.waited_seconds = 0.0  # time spent waiting for a slot (planned pacing, not 429s)
        self.lowered: dict[str, int] = {}  # routes whose limit a 429 lowered, and the new limit

    def limit_of(self, route_class: RouteClass) -> int | None:
        return self._per_minute.get(route_class)

    @asynccontextmanager
    async def slot(self, route_class: RouteClass, route: str) -> AsyncIterator[None]:
        """Hold a slot of `route` for the duration of one request (wait first if the window is full)."""
        limit = self._per_minute.get(route_class)
        if limit is None:
            yield
            return
        state = self._routes.get(route)
        if state is None:
            state = self._routes[route] = _Route(limit)
        await self._acquire(state)
        try:
            yield
        finally:
            self._release(state)

    def throttled(self, route_class: RouteClass, route: str, retry_after: float) -> None:
        """A 429 on `route` (called while its slot is held): every task waits, and the limit may come down."""
        state = self._routes.get(route)
        if state is None:
            return
        now = self._clock()
        state.paused_until = max(state.paused_until, now + retry_after)
        self._expire(state, now)
        # What the server let through before refusing this one, at least: the requests that ended in the
        # window (those still in flight may be refused too, so they do not count).
        accepted = len(state.ended)
        if accepted < state.limit:
            state.limit = max(1, accepted, state.limit // 2)
            self.lowered[route] = state.limit

    def stats(self) -> list[RouteStats]:
        return [RouteStats(route, s.limit, s.granted) for route, s in sorted(self._routes.items())]

    # -- internals --------------------------------------------------------------------------------
    def _expire(self, state: _Route, now: float) -> None:
        horizon = now - self._window - self._margin + _EPSILON  # a wake-up at the exact time counts as after it
        while state.ended and state.ended[0] <= horizon:
            state.ended.popleft()

    async def _acquire(self, state: _Route) -> None:
        async with state.lock:  # one waiter per route at a time: first come, first served
            while True:
                now = self._clock()
                if now + _EPSILON < state.paused_until:
                    await self._wait(state.paused_until - now)
                    continue
                self._expire(state, now)
                if len(state.ended) + state.in_flight < state.limit:
                    state.in_flight += 1
                    state.granted += 1
                    return
                if state.ended:  # the oldest counted request leaves the window at this time
                    await self._wait(state.ended[0] + self._window + self._margin - now)
                else:  # every counted request is still in flight: its end starts the clock
                    state.released.clear()
                    await state.released.wait()

    async def _wait(self, seconds: float) -> None:
        seconds = max(seconds, 0.0)
        self.waited_seconds += seconds
        await self._sleep(seconds)

    def _release(self, state: _Route) -> None:
        state.in_flight -= 1
        state.ended.append(self._clock())
        while len(state.ended) > state.limit:
            state.ended.popleft()
        state.released.set()
