"""The rate budget of a long scan: how much of each route's allowance a default scan uses, and its 429s.

The emulator runs at its documented defaults (100 requests per rolling minute per route, 50 on the stateful
lists) on a fake clock, and the scan runs with the default configuration, its waits moving that clock
(`VirtualTime`): a scan that would take many minutes of real time takes seconds, and every request is seen
at the virtual time it was sent. For each route the share is the requests served over the route's capacity
during its busy span (from its first to its last request): `per_minute x (span + 60 s) / 60`, since a
rolling window admits a full minute's worth at the start of the span. A route whose backlog outlasts a
minute shows how close the client keeps to the limit; every 429 is self-caused (nothing else calls the
emulator).
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.endtoend import rates, tally
from detectors.engine import EngineSpec
from dlp.config import DetectConfig, ScanConfig
from dlp.emulator.clock import FakeClock, VirtualTime
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import EmulatorSettings, GeneratorConfig
from dlp.emulator.state import RequestRecord
from dlp.pipeline import scan

WINDOW = timedelta(seconds=60)


def measure_rate_budget(
    seed: int, generator: GeneratorConfig, engine: EngineSpec, progress: Callable[[str], None] = print
) -> dict[str, Any]:
    clock = FakeClock(datetime.now(timezone.utc).replace(microsecond=0))
    settings = EmulatorSettings(seed=seed, scale=generator)  # the documented defaults: rate limits on
    with EmulatorServer(settings, clock=clock) as server, tempfile.TemporaryDirectory(prefix="dlp-bench-") as scratch:
        config = ScanConfig(workers=0)
        config = config.replace(
            api=dataclasses.replace(config.api, url=server.base_url, workspace_id=server.workspace_id),
            store=dataclasses.replace(config.store, database=str(Path(scratch) / "findings.duckdb")),
            detect=DetectConfig(rule_paths=tuple(engine.rule_paths), policy=engine.policy_path,
                                min_likelihood=engine.min_likelihood, ner_model=engine.ner_model),
        )  # fmt: skip
        progress(f"rate budget: a default scan of {generator.conversations} conversations on a fake clock")
        virtual = VirtualTime(clock)
        started = time.perf_counter()
        report = virtual.run(scan(config, server.api_key, transport=virtual.transport(), clock=virtual.now,
                                  sleep=virtual.sleep))
        wall = time.perf_counter() - started
        budget = rolling_budget(list(server.state.request_log), settings)
    return {
        "status": str(report.status), "virtual_seconds": round(virtual.now(), 1), "wall_seconds": round(wall, 1),
        "log_files": report.log_files, "findings_new": report.findings_new, "client_throttled": report.throttled,
        **budget,
    }  # fmt: skip


def rolling_budget(log: list[RequestRecord], settings: EmulatorSettings) -> dict[str, Any]:
    """Per route: served, 429s, busiest rolling minute, and the share of the capacity of its busy span."""
    per_minute = rates(settings)
    counted = tally(log)
    served, throttled, classes = counted.served, counted.throttled, counted.classes
    routes: dict[str, dict[str, Any]] = {}
    for template, limit_class in sorted(classes.items()):
        times = sorted(served.get(template, []))
        limit = per_minute[limit_class]
        span = (times[-1] - times[0]).total_seconds() if times else 0.0
        capacity = limit * (span + WINDOW.total_seconds()) / 60.0
        routes[template] = {"class": limit_class, "per_minute": limit, "served": len(times),
                            "throttled_429": throttled.get(template, 0), "busy_span_s": round(span, 1),
                            "busiest_rolling_minute": _busiest(times), "share": round(len(times) / capacity, 3)}
    long = {t: r for t, r in routes.items() if r["served"] > r["per_minute"]}  # backlogged past one minute
    busiest = max(long or routes, key=lambda t: routes[t]["served"]) if routes else None
    return {"routes": routes, "busiest": busiest,
            "busiest_share": routes[busiest]["share"] if busiest else None,
            "self_caused_429": sum(throttled.values()),
            "over_limit_routes": [t for t, r in routes.items() if r["busiest_rolling_minute"] > r["per_minute"]]}


def _busiest(times: list[datetime]) -> int:
    best = first = 0
    for last, moment in enumerate(times):
        while times[first] <= moment - WINDOW:
            first += 1
        best = max(best, last - first + 1)
    return best
