"""End to end: a full scan of an emulated workspace over loopback, measured from outside.

The emulator serves from this process; the scan runs in a fresh child process
(spawned, so its memory is its own), exactly as `dlp scan` would run it: the
pipeline's `scan()` with its inspector worker processes and a DuckDB store in
a temporary directory. This process samples the child's memory (with its
workers) and, for the rate-limited run, reads the emulator's request log to
see how much of the allowed request budget the scan used.
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import queue
import re
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.routing import compile_path

from bench.memory import TreeMemorySampler
from detectors.engine import EngineSpec
from dlp.config import DetectConfig, ScanConfig
from dlp.emulator import routes_files, routes_logs, routes_stateful
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import EmulatorSettings, GeneratorConfig
from dlp.emulator.state import RequestRecord

RESULT_WAIT_SECONDS = 120  # after a stop, how long the scan may take to flush and close its workers


@dataclass(frozen=True)
class ScanRun:
    """One measured scan: the workspace to generate and how to scan it."""

    label: str
    seed: int
    generator: GeneratorConfig
    workers: int  # inspector processes (0: inspect in the scan process)
    rate_limited: bool = False  # emulator and client both limit requests per endpoint per minute
    window_seconds: float | None = None  # stop the scan this long after its first request (None: run to the end)
    timeout_seconds: float = 3600.0
    engine: EngineSpec = field(
        default_factory=EngineSpec
    )  # the rules the scan applies (the built-in default policy unless told)


def measure_scan(run: ScanRun, progress: Callable[[str], None] = print) -> dict[str, Any]:
    settings = EmulatorSettings(seed=run.seed, scale=run.generator, rate_limits_enabled=run.rate_limited)
    with EmulatorServer(settings) as server, tempfile.TemporaryDirectory(prefix="dlp-bench-") as scratch:
        config = _scan_config(server, Path(scratch) / "findings.duckdb", run)
        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        results = context.Queue()
        child = context.Process(
            target=_scan_child, args=(config, server.api_key, stop, results), name=f"bench-scan-{run.label}"
        )
        child.start()
        sampler = TreeMemorySampler(child.pid).start()  # type: ignore[arg-type]
        try:
            outcome = _wait(child, stop, results, server, run, progress)
        finally:
            memory = sampler.stop()
            if child.is_alive():
                child.terminate()
            child.join(timeout=30)
        outcome["memory"] = {**memory.to_json(), "scan_process_maxrss_mb": outcome.pop("maxrss_mb", None)}
        outcome["workspace"] = {"seed": run.seed, "conversations": run.generator.conversations,
                                "attachments": run.generator.attachments, "app_calls": run.generator.app_calls,
                                "users": run.generator.users}  # fmt: skip
        outcome["workers"] = run.workers
        started = outcome.pop("scan_started_epoch", None)
        if started is not None and server.state.request_log:
            # rules loaded, engine built and checked, pool set up: what the scan does before it asks for anything
            first = min(record.time for record in server.state.request_log)
            outcome["seconds_before_first_request"] = round(first.timestamp() - started, 2)
        if run.rate_limited:
            outcome["budget"] = request_budget(list(server.state.request_log), settings, run.window_seconds)
        return outcome


def _scan_config(server: EmulatorServer, database: Path, run: ScanRun) -> ScanConfig:
    config = ScanConfig(workers=run.workers)
    api = dataclasses.replace(config.api, url=server.base_url, workspace_id=server.workspace_id)
    if run.rate_limited:  # the client keeps to the same limits the emulator enforces
        settings = server.settings
        api = dataclasses.replace(
            api,
            list_per_minute=settings.list_rate_per_minute,
            item_per_minute=settings.item_rate_per_minute,
            logs_per_minute=settings.logs_rate_per_minute,
        )
    else:
        api = dataclasses.replace(api, list_per_minute=0, item_per_minute=0, logs_per_minute=0)
    spec = run.engine
    detect = DetectConfig(
        rule_paths=tuple(spec.rule_paths),
        policy=spec.policy_path,
        min_likelihood=spec.min_likelihood,
        ner_model=spec.ner_model,
    )
    return config.replace(api=api, detect=detect, store=dataclasses.replace(config.store, database=str(database)))


def _wait(
    child: Any, stop: Any, results: Any, server: EmulatorServer, run: ScanRun, progress: Callable[[str], None]
) -> dict[str, Any]:
    deadline = time.monotonic() + run.timeout_seconds
    window_ends: float | None = None
    while child.is_alive():
        now = time.monotonic()
        if run.window_seconds is not None and window_ends is None and server.state.request_log:
            window_ends = now + run.window_seconds
            progress(f"{run.label}: first request served; stopping the scan in {run.window_seconds:g} s")
        if (window_ends is not None and now >= window_ends) or now >= deadline:
            stop.set()
            break
        child.join(timeout=0.2)
    try:
        outcome: dict[str, Any] = results.get(timeout=RESULT_WAIT_SECONDS)
    except queue.Empty:  # the child died without a result: report that, keep the run going
        return {"status": "no_result", "error": f"no result from the scan process; exit code {child.exitcode}"}
    if not stop.is_set() or run.window_seconds is not None:
        return outcome
    outcome["status"] = "timed_out"
    return outcome


def _scan_child(config: ScanConfig, api_key: str, stop: Any, results: Any) -> None:
    """Runs in the child process: the scan, cancelled when `stop` is set; a summary goes back on `results`."""
    from dlp.pipeline import scan
    from dlp.store.db import query

    async def scan_until_stopped() -> tuple[Any, bool]:
        task = asyncio.create_task(scan(config, api_key))
        while not task.done():
            if stop.is_set():
                task.cancel()
                break
            await asyncio.wait({task}, timeout=0.1)
        try:
            return await task, False
        except asyncio.CancelledError:
            return None, True

    started = time.perf_counter()
    started_epoch = time.time()
    error = None
    try:
        report, stopped = asyncio.run(scan_until_stopped())
    except Exception as exc:  # noqa: BLE001 - a failed scan is a result too: say what failed, never the key
        report, stopped, error = None, False, type(exc).__name__
    elapsed = time.perf_counter() - started
    summary: dict[str, Any] = {
        "seconds": round(elapsed, 3),
        "status": "stopped" if stopped else "failed",
        "scan_started_epoch": started_epoch,
    }
    if report is not None:
        files = Counter(report.files)
        summary.update({
            "status": report.status, "items": report.items, "log_files": report.log_files,
            "files": sum(files.values()), "files_by_outcome": dict(files), "findings_new": report.findings_new,
            "errors": len(report.errors), "requests": dict(report.requests),
            "items_per_s": round(report.items / elapsed, 2),
            "files_per_s": round(sum(files.values()) / elapsed, 2),
            "findings_per_s": round(report.findings_new / elapsed, 2),
        })  # fmt: skip
        _, rows = query(config.store.database, "SELECT count(*) FROM findings")
        summary["findings_in_db"] = rows[0][0]
    if error is not None:
        summary["error"] = error
    summary["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    results.put(summary)


# -- the request budget ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Route:
    template: str
    limit_class: str
    pattern: re.Pattern[str]


def _routes() -> list[_Route]:
    endpoints = [*routes_logs.endpoints(), *routes_stateful.endpoints(), *routes_files.endpoints()]
    return [
        _Route(f"{e.method} {e.template}", e.limit_class, compile_path(e.path)[0])
        for e in endpoints
        if e.method == "GET"
    ]


_ROUTES = _routes()


def route_classes(record: RequestRecord) -> tuple[str, str] | None:
    """The emulator route that served a request and its rate class; None for signed URLs (not rate limited)."""
    route = next((r for r in _ROUTES if record.method == "GET" and r.pattern.match(record.path)), None)
    return (route.template, route.limit_class) if route is not None else None


@dataclass
class Tally:
    """Per emulator route: when requests were served, how many got a 429, and the route's rate class."""

    served: dict[str, list[datetime]] = field(default_factory=dict)
    throttled: Counter[str] = field(default_factory=Counter)
    classes: dict[str, str] = field(default_factory=dict)


def rates(settings: EmulatorSettings) -> dict[str, int]:
    """Requests per minute of each rate class the emulator enforces."""
    return {"list": settings.list_rate_per_minute, "item": settings.item_rate_per_minute,
            "logs": settings.logs_rate_per_minute}


def tally(log: list[RequestRecord], end: datetime | None = None) -> Tally:
    counted = Tally()
    for record in log:
        match = route_classes(record)
        if match is None or (end is not None and record.time > end):
            continue
        template, limit_class = match
        counted.classes[template] = limit_class
        if record.status == 429:
            counted.throttled[template] += 1
        else:
            counted.served.setdefault(template, []).append(record.time)
    return counted


def request_budget(
    log: list[RequestRecord], settings: EmulatorSettings, window_seconds: float | None
) -> dict[str, Any]:
    """Requests the emulator answered in the window after the first one, per endpoint, against its allowance.

    The allowance of an endpoint is its class's rate times the window (with
    the `bucket` rate-limit style a burst can take a share above 1).
    Signed blob downloads (the target of file redirects) are not rate limited
    and are left out.
    """
    if not log:
        return {"window_seconds": window_seconds, "endpoints": {}, "busiest": None}
    first = min(record.time for record in log)
    window = window_seconds if window_seconds is not None else (max(r.time for r in log) - first).total_seconds()
    end = first + timedelta(seconds=window)
    per_minute = rates(settings)
    counted = tally(log, end)
    served = Counter({template: len(times) for template, times in counted.served.items()})
    limited, classes = counted.throttled, counted.classes
    endpoints = {}
    for template, limit_class in sorted(classes.items()):
        allowed = per_minute[limit_class] * window / 60.0
        endpoints[template] = {"class": limit_class, "per_minute": per_minute[limit_class], "served": served[template],
                               "throttled_429": limited[template], "allowance": round(allowed, 1),
                               "share": round(served[template] / allowed, 3) if allowed else None}  # fmt: skip
    busiest = max(endpoints, key=lambda t: endpoints[t]["share"] or 0.0) if endpoints else None
    return {"window_seconds": window, "endpoints": endpoints, "busiest": busiest,
            "busiest_share": endpoints[busiest]["share"] if busiest else None,
            "throttled_429": sum(limited.values())}  # fmt: skip
