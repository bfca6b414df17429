from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.alerts.receiver import Receiver


class FakeClock:
    """Wall-clock time that moves only when the code under test sleeps (or the test says so)."""

    def __init__(self) -> None:
        # starts at the real time: Store.commit stamps queued alerts with it
        self.t = datetime.now(timezone.utc) + timedelta(seconds=1)
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += timedelta(seconds=seconds)

    def advance(self, **kw) -> None:
        self.t += timedelta(**kw)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
