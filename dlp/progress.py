"""Progress of a running scan: the snapshot the scanner sends, and the two ways a person sees it.

The scanner calls its `on_progress` callback with a `ScanProgress` after each
unit of work (a log file, a GPT), and its `progress` callback with a note
("12 users"); a display takes both.
On a terminal `LiveProgress` redraws a two-line display; anywhere else (cron,
CI, a pipe into a log file) `StatusLines` writes one status line every
`interval` seconds, so a long scan is never silent and a log is never flooded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class ScanProgress:
    """Where a scan is: the stage it is in and the scan's running totals."""

    stage: str  # "logs:CONVERSATION_MESSAGE", "gpts", "projects", ...
    done: int = 0  # units of this stage committed: log files, GPTs or projects
    total: int | None = None  # units of this stage, when known up front (GPTs, projects)
    covered: float | None = None  # share of a log stream's time window read so far (0..1): drives its ETA
    log_files: int = 0  # log files committed, all streams
    items: int = 0  # items inspected and stored
    findings: int = 0  # new findings stored
    files: int = 0  # files given an outcome
    retries: int = 0  # requests retried after a 429, a 5xx or a timeout
    throttled_seconds: float = 0.0  # time spent waiting for the client-side rate limit
    note: str = ""  # what just happened, shown with --verbose ("log file eclf_1: 120 events")

    @property
    def unit(self) -> str:
        return "log files" if self.stage.startswith("logs:") else self.stage

    def fraction(self) -> float | None:
        """How much of this stage is done, 0..1, when that can be told."""
        if self.total:
            return min(1.0, self.done / self.total)
        if self.covered is not None:
            return max(0.0, min(1.0, self.covered))
        return None

    def estimated_total(self) -> int | None:
        """Units of this stage: known, or for a log stream extrapolated from the share of its window read."""
        if self.total is not None:
            return self.total
        if self.covered and self.covered >= 0.02 and self.done:
            return max(self.done, round(self.done / min(1.0, self.covered)))
        return None


def eta_seconds(fraction: float | None, stage_elapsed: float) -> float | None:
    """Time left in a stage at the pace so far; None until there is a pace to go by."""
    if fraction is None or fraction < 0.01 or stage_elapsed <= 0:
        return None
    return stage_elapsed * (1.0 - fraction) / fraction


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class _Tracker:
    """The latest snapshot, and when its stage began (for the ETA)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.started = clock()
        self.latest: ScanProgress | None = None
        self._stage_started = self.started

    def update(self, progress: ScanProgress) -> None:
        if self.latest is None or progress.stage != self.latest.stage:
            self._stage_started = self.clock()
        self.latest = progress

    def stage_line(self) -> str:
        p = self.latest
        if p is None:
            return "starting"
        total = p.estimated_total()
        if total is None:
            counted = f"{p.done} {p.unit}"
        else:
            approx = "" if p.total is not None else "~"
            counted = f"{p.done} of {approx}{total} {p.unit}"
        fraction = p.fraction()
        if fraction is not None:
            counted += f" ({fraction:.0%}"
            eta = eta_seconds(fraction, self.clock() - self._stage_started)
            counted += f", ETA {duration(eta)})" if eta is not None and fraction < 1 else ")"
        return f"{p.stage}: {counted}"

    def totals_line(self) -> str:
        p = self.latest or ScanProgress("")
        parts = [f"{p.log_files} log files", f"{p.items} items", f"{p.findings} findings", f"{p.files} files"]
        if p.retries:
            parts.append(f"{p.retries} retries")
        if p.throttled_seconds >= 1:
            parts.append(f"{duration(p.throttled_seconds)} waiting for the rate limit")
        parts.append(f"elapsed {duration(self.clock() - self.started)}")
        return ", ".join(parts)


class ProgressDisplay(Protocol):
    def __call__(self, update: ScanProgress | str) -> None: ...

    def close(self) -> None: ...


class QuietProgress:
    """--quiet: nothing."""

    def __call__(self, update: ScanProgress | str) -> None:
        pass

    def close(self) -> None:
        pass


class StatusLines:
    """One line on stderr every `interval` seconds (not a terminal): a cron log shows a long scan moving.

    A line is written when an update arrives and `interval` has passed since the last line, and by
    `start()`'s ticker when nothing arrived for that long (a scan waiting on the rate limit). Notes go
    out at once with `verbose`.
    """

    def __init__(self, write: Callable[[str], None], *, interval: float = 30.0, verbose: bool = False,
                 clock: Clock = time.monotonic) -> None:
        self._write = write
        self._interval = interval
        self._verbose = verbose
        self._tracker = _Tracker(clock)
        self._last_line = self._tracker.started
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, update: ScanProgress | str) -> None:
        with self._lock:
            note = update if isinstance(update, str) else update.note
            if not isinstance(update, str):
                self._tracker.update(update)
            if note and self._verbose:
                self._write(note)
        self.tick()

    def tick(self) -> None:
        """Write the status line if `interval` has passed since the last one."""
        with self._lock:
            if self._tracker.latest is None or self._tracker.clock() - self._last_line < self._interval:
                return
            self._line()

    def _line(self) -> None:
        self._last_line = self._tracker.clock()
        self._write(f"progress: {self._tracker.stage_line()}; {self._tracker.totals_line()}")

    def start(self) -> "StatusLines":
        if self._interval > 0:
            self._thread = threading.Thread(target=self._run, name="dlp-status", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(min(self._interval, 5.0)):
            self.tick()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


class LiveProgress:
    """A live two-line display on a terminal (rich), redrawn four times a second; notes print above it."""

    def __init__(self, console: Any, *, verbose: bool = False, clock: Clock = time.monotonic) -> None:
        from rich.live import Live

        self._console = console
        self._verbose = verbose
        self._tracker = _Tracker(clock)
        self._live = Live(get_renderable=self._render, console=console, refresh_per_second=4, transient=True)
        self._live.start()

    def _render(self) -> Any:
        from rich.spinner import Spinner
        from rich.table import Table

        grid = Table.grid(padding=(0, 1))
        grid.add_row(Spinner("dots"), self._tracker.stage_line())
        grid.add_row("", f"[dim]{self._tracker.totals_line()}[/]")
        return grid

    def __call__(self, update: ScanProgress | str) -> None:
        note = update if isinstance(update, str) else update.note
        if not isinstance(update, str):
            self._tracker.update(update)
        if note and self._verbose:
            self._console.print(note, highlight=False, markup=False)

    def close(self) -> None:
        self._live.stop()
