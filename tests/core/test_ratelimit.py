"""The client's rate limiter: no rolling window ever holds more than a route's limit, on a fake clock."""

from __future__ import annotations

import asyncio
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from dlp.emulator.clock import FakeClock, VirtualTime
from dlp.ingest.ratelimit import WINDOW_SECONDS, RateLimiter, RouteClass, endpoint_template, route_key

ROUTE = "GET /compliance/workspaces/{id}/logs/{id}"


def limiter_on(virtual: VirtualTime, **per_minute: int) -> RateLimiter:
    rates = {RouteClass(name): rate for name, rate in per_minute.items()}
    return RateLimiter(rates, clock=virtual.now, sleep=virtual.sleep)


async def request(virtual, limiter, log, duration=0.0, route=ROUTE, route_class=RouteClass.LOGS):
    async with limiter.slot(route_class, route):
        start = virtual.now()
        await virtual.sleep(duration)
        log.append((start, virtual.now()))


def max_in_any_window(times: list[float], window: float = WINDOW_SECONDS) -> int:
    """The most events any half-open window (t - window, t] holds."""
    times = sorted(times)
    best = 0
    first = 0
    for last, t in enumerate(times):
        while times[first] <= t - window:
            first += 1
        best = max(best, last - first + 1)
    return best


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(1, 12),
    requests=st.integers(1, 60),
    workers=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_no_rolling_minute_ever_holds_more_than_the_limit_whatever_the_latency(limit, requests, workers, seed):
    rng = random.Random(seed)
    durations = [rng.choice((0.0, 0.01, 0.5, 3.0, 20.0)) for _ in range(requests)]
    # The server counts a request at some moment between our grant and its answer.
    seen_at = [rng.random() for _ in range(requests)]
    virtual = VirtualTime(FakeClock())
    limiter = limiter_on(virtual, logs=limit)
    log: list[tuple[float, float]] = []

    async def worker(queue):
        while not queue.empty():
            duration = queue.get_nowait()
            await request(virtual, limiter, log, duration)

    async def main():
        queue: asyncio.Queue[float] = asyncio.Queue()
        for d in durations:
            queue.put_nowait(d)
        await asyncio.gather(*(worker(queue) for _ in range(workers)))

    virtual.run(main())
    assert len(log) == requests  # every worker waited for its turn; nothing was refused or dropped
    received = [start + fraction * (end - start) for (start, end), fraction in zip(log, seen_at)]
    assert max_in_any_window(received) <= limit


def test_the_first_rolling_minute_holds_the_limit_and_no_start_up_burst_above_it():
    virtual = VirtualTime(FakeClock())
    limiter = limiter_on(virtual, logs=100)
    log: list[tuple[float, float]] = []

    async def main():
        for _ in range(250):
            await request(virtual, limiter, log)

    virtual.run(main())
    starts = [start for start, _ in log]
    assert sum(1 for t in starts if t < 60.0) == 100  # a token bucket starting full would let 105+ through
    assert max_in_any_window(starts) == 100


def test_a_long_backlog_uses_the_whole_budget_with_four_workers():
    virtual = VirtualTime(FakeClock())
    limiter = limiter_on(virtual, logs=100)
    log: list[tuple[float, float]] = []

    async def main():
        async def worker():
            for _ in range(150):
                await request(virtual, limiter, log, duration=0.05)

        await asyncio.gather(*(worker() for _ in range(4)))

    virtual.run(main())
    elapsed = max(end for _, end in log)
    # 600 requests at 100 per rolling minute: five full windows and the start of a sixth
    assert 300.0 <= elapsed < 304.0  # each window waits out the last one plus a quarter-second margin
    assert max_in_any_window([s for s, _ in log]) == 100


def test_classes_are_independent_and_unlimited_when_zero():
    virtual = VirtualTime(FakeClock())
    limiter = limiter_on(virtual, list=1, item=0)
    log: list[tuple[float, float]] = []

    async def main():
        await request(virtual, limiter, log, route="GET /users", route_class=RouteClass.LIST)
        for _ in range(300):
            await request(virtual, limiter, log, route="GET /gpt_files/{id}", route_class=RouteClass.ITEM)

    virtual.run(main())
    assert virtual.now() == 0.0


def test_each_route_has_its_own_window():
    virtual = VirtualTime(FakeClock())
    limiter = limiter_on(virtual, item=1)
    log: list[tuple[float, float]] = []

    async def main():
        await request(virtual, limiter, log, route="GET /a/{id}", route_class=RouteClass.ITEM)
        await request(virtual, limiter, log, route="GET /b/{id}", route_class=RouteClass.ITEM)  # no wait
        first = virtual.now()
        await request(virtual, limiter, log, route="GET /a/{id}", route_class=RouteClass.ITEM)  # a full window
        return first, virtual.now()

    first, second = virtual.run(main())
    assert first == 0.0 and 60.0 <= second <= 61.0


def test_a_429_pauses_the_route_for_every_task_and_lowers_its_limit_to_what_the_server_took():
    virtual = VirtualTime(FakeClock())
    limiter = limiter_on(virtual, logs=100)
    log: list[tuple[float, float]] = []

    async def main():
        for _ in range(50):
            await request(virtual, limiter, log)
        async with limiter.slot(RouteClass.LOGS, ROUTE):  # the 51st: a server allowing 50/min refuses it
            limiter.throttled(RouteClass.LOGS, ROUTE, retry_after=30.0)
        waiters = [request(virtual, limiter, log) for _ in range(3)]
        await asyncio.gather(*waiters)

    virtual.run(main())
    assert limiter.lowered == {ROUTE: 50}
    after_pause = [start for start, _ in log[50:]]
    assert all(t >= 30.0 for t in after_pause)  # every task waited out the Retry-After
    assert max_in_any_window([s for s, _ in log]) <= 51


def test_route_templates_take_ids_by_position():
    ws = "/compliance/workspaces/6c1d8a4e-2f0b-4a7e-9c35-0e5b7d9f1a22"
    assert endpoint_template(f"{ws}/users/user-abc/files/file-XYZ") == "/compliance/workspaces/{id}/users/{id}/files/{id}"
    assert endpoint_template(f"{ws}/gpt_files/file-1") == "/compliance/workspaces/{id}/gpt_files/{id}"
    assert endpoint_template(f"{ws}/logs/eclf_a1") == "/compliance/workspaces/{id}/logs/{id}"
    assert endpoint_template(f"{ws}/logs/logfile") == "/compliance/workspaces/{id}/logs/{id}"  # any id shape
    assert endpoint_template(f"{ws}/logs") == "/compliance/workspaces/{id}/logs"
    assert endpoint_template(f"{ws}/logs/max_event_time") == "/compliance/workspaces/{id}/logs/max_event_time"
    assert endpoint_template(f"{ws}/users/user-1/library_files") == "/compliance/workspaces/{id}/users/{id}/library_files"
    assert route_key("get", "/compliance/organizations/org-1/logs") == "GET /compliance/organizations/{id}/logs"
