"""Clocks: the real UTC clock and a fake one that tests move by hand.

Everything in the emulator that depends on time (log file visibility,
retention, upload expiry, signed-URL expiry, rate-limit windows) reads the
clock it was given, so tests can jump ahead 49 hours without sleeping.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


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
