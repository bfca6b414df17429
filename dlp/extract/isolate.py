"""Run extraction in a child process that is killed when a parser hangs or runs away.

Trade-off: a process per file would cost an interpreter start (~0.3 s) per
file, so each `IsolatedExtractor` keeps `workers` reusable child processes
and replaces one only after it was killed or died. Children are started
with "spawn" (the parent may run threads: an HTTP server, asyncio, a
process pool), get an address-space cap (RLIMIT_AS, `max_memory_mb`), and
stream their parts back in batches, so text read before a kill is kept.
The child also keeps the same time limit cooperatively (between pages,
rows, members); the parent's kill, a little later, is the backstop for a
parser stuck inside one call.
"""

from __future__ import annotations

import atexit
import functools
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from dlp.extract.config import MB, ExtractConfig
from dlp.extract.core import Extraction, extract, iter_parts
from dlp.extract.model import ExtractResult, TextPart
from dlp.records import FileOutcome

# A function the child runs per file: (data, filename, config) -> an iterable Extraction.
Target = Callable[[bytes, "str | None", ExtractConfig], Extraction]

log = logging.getLogger(__name__)

BATCH_PARTS = 2000
BATCH_CHARS = 1_000_000
BATCH_SECONDS = 0.25  # parts are sent at least this often, so a kill loses at most this much work
START_TIMEOUT_SECONDS = 120.0  # a spawned interpreter importing its modules on a loaded machine


def kill_grace_seconds(timeout_seconds: float) -> float:
    """How long past the cooperative limit the parent waits before it kills the child."""
    return 1.0 + 0.1 * timeout_seconds


class _Worker:
    """One child process and the parent's end of its pipe."""

    def __init__(self, context: Any, target: Target) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(child_end, target), name="dlp-extract", daemon=True)
        self.process.start()
        child_end.close()
        self.conn: Connection = parent_end
        if not parent_end.poll(START_TIMEOUT_SECONDS):
            self.kill()
            raise RuntimeError("the extractor process did not start")
        parent_end.recv()  # "ready"

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(2)
        self.kill()


class IsolatedExtractor:
    """A small pool of reusable extraction processes; safe to call from several threads.

    Use as a context manager, or call `close()`. Calls block while all
    `workers` are busy.
    """

    def __init__(self, workers: int = 1, *, target: Target = iter_parts, start_method: str = "spawn") -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._context = multiprocessing.get_context(start_method)
        self._target = target
        self._slots: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(workers):
            self._slots.put(None)  # started on first use
        self._workers = workers
        self._closed = False
        self._lock = threading.Lock()

    def __enter__(self) -> IsolatedExtractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def extract(self, data: bytes, filename: str | None, config: ExtractConfig) -> ExtractResult:
        if self._closed:
            raise RuntimeError("the IsolatedExtractor is closed")
        if multiprocessing.current_process().daemon:
            # Daemonic processes may not have children: time is still kept between parts.
            return extract(data, filename, config)
        worker = self._slots.get()
        healthy: _Worker | None = None
        try:
            request = (data, filename, config)
            try:
                if worker is not None and not worker.alive():
                    worker.kill()  # reap it and close its pipe
                    worker = None
                if worker is None:
                    worker = _Worker(self._context, self._target)
                try:
                    worker.conn.send(request)
                except (OSError, ValueError):  # it died between two files: start another once
                    worker.kill()
                    worker = _Worker(self._context, self._target)
                    worker.conn.send(request)
            except (OSError, RuntimeError) as exc:
                log.warning("no extractor process could be started (%s); extracting in process", type(exc).__name__)
                worker = None
                return extract(data, filename, config)
            result, healthy = self._collect(worker, config)
            return result
        finally:
            if worker is not None and healthy is None:
                worker.kill()  # killed already, or interrupted mid-file: its pipe may hold a stale answer
            self._slots.put(healthy)

    def _collect(self, worker: _Worker, config: ExtractConfig) -> tuple[ExtractResult, _Worker | None]:
        """Read the child's answer to one request, killing it past the hard deadline."""
        deadline = time.monotonic() + config.timeout_seconds + kill_grace_seconds(config.timeout_seconds)
        file_type = "unknown"
        parts: list[TextPart] = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not worker.conn.poll(remaining):
                worker.kill()
                reason = (
                    f"extraction took longer than {config.timeout_seconds:g} s (timeout_seconds); "
                    "the extractor process was stopped"
                )
                return _partial(FileOutcome.TIMEOUT, reason, file_type, parts), None
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                worker.process.join(5)
                reason = f"the extractor process died while reading the file ({_exit_text(worker.process.exitcode)})"
                worker.kill()
                return _partial(FileOutcome.CORRUPT, reason, file_type, parts), None
            kind = message[0]
            if kind == "type":
                file_type = message[1]
            elif kind == "parts":
                parts.extend(message[1])
            else:  # "done"
                _, outcome, reason, file_type, chars, truncated = message
                return ExtractResult(outcome, reason, file_type, parts, chars, truncated), worker

    def worker_pids(self) -> list[int]:
        """Process ids of the idle, live workers (for monitoring and tests)."""
        with self._slots.mutex:
            return [w.process.pid for w in self._slots.queue if w is not None and w.alive() and w.process.pid]

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for _ in range(self._workers):
            worker = self._slots.get()
            if worker is not None:
                worker.stop()


def _partial(outcome: FileOutcome, reason: str, file_type: str, parts: list[TextPart]) -> ExtractResult:
    chars = sum(len(part.text) for part in parts)
    if parts:
        reason += f"; {len(parts):,} parts read before"
    return ExtractResult(outcome, reason, file_type, parts, chars, truncated=True)


def _exit_text(exitcode: int | None) -> str:
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def _serve(conn: Connection, target: Target) -> None:
    """The child's loop: one request at a time until told to stop or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Parsers warn about every oddity of a malformed file; the outcome and reason say what matters.
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    conn.send(("ready", os.getpid()))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        data, filename, config = request
        _cap_memory(config.max_memory_mb)
        run = target(data, filename, config)
        conn.send(("type", run.file_type))
        batch: list[TextPart] = []
        batch_chars = 0
        last_sent = float("-inf")  # the first part goes out at once
        for part in run:
            batch.append(part)
            batch_chars += len(part.text)
            now = time.monotonic()
            if len(batch) >= BATCH_PARTS or batch_chars >= BATCH_CHARS or now - last_sent >= BATCH_SECONDS:
                conn.send(("parts", batch))
                batch, batch_chars, last_sent = [], 0, now
        if batch:
            conn.send(("parts", batch))
        conn.send(("done", run.outcome, run.reason, run.file_type, run.chars, run.truncated))
        del request, data, run, batch  # let the file go before waiting for the next one


def _cap_memory(max_memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the time limit still holds
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = max_memory_mb * MB
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


@functools.lru_cache(maxsize=1)
def default_extractor() -> IsolatedExtractor:
    """The process-wide extractor `extract_isolated` uses unless given one; closed at exit."""
    extractor = IsolatedExtractor()
    atexit.register(extractor.close)
    return extractor


def extract_isolated(
    data: bytes, filename: str | None, config: ExtractConfig, *, extractor: IsolatedExtractor | None = None
) -> ExtractResult:
    """`extract()` in a child process with a hard wall-time limit (killed => TIMEOUT) and a memory cap.

    The pipeline calls this for untrusted files. Without `extractor`, one
    shared worker process per calling process is used (started on first use).
    """
    return (extractor or default_extractor()).extract(data, filename, config)
