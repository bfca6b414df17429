"""Emulators served over real loopback HTTP, with fake clocks, for the emulator's own tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

import httpx
import pytest

from dlp.emulator.clock import FakeClock
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import EmulatorSettings, GeneratorConfig

START = datetime(2026, 7, 15, 12, 0, 0, tzinfo=timezone.utc)
SMALL = GeneratorConfig(users=6, gpts=2, projects=1, conversations=12, days=5, attachments=4, app_calls=6,
                        auth_events_per_user=1, admin_audit_events=2)


class Api:
    """A thin client for tests: paths relative to the workspace, the emulator's key by default."""

    def __init__(self, server: EmulatorServer, key: str | None = None) -> None:
        self.server = server
        self.prefix = f"{server.base_url}/compliance/workspaces/{server.workspace_id}"
        headers = {"Authorization": f"Bearer {key or server.api_key}"}
        self.http = httpx.Client(headers=headers, timeout=10)
        self.anonymous = httpx.Client(timeout=10)  # for signed URLs: they must work without credentials

    def get(self, path: str, **params) -> httpx.Response:
        return self.http.get(self.prefix + path, params=params)

    def delete(self, path: str) -> httpx.Response:
        return self.http.delete(self.prefix + path)

    def follow(self, response: httpx.Response) -> httpx.Response:
        """Fetch a 307's Location the way a careful client does: without the Authorization header."""
        assert response.status_code == 307, response.text
        return self.anonymous.get(response.headers["location"])

    def all_logs(self, event_type: str, after: datetime, limit: int = 100) -> list[dict]:
        files: dict[str, dict] = {}
        cursor = after.isoformat()
        for _ in range(10_000):  # bounded: a server that never ends its listing fails the test, not hangs it
            page = self.get("/logs", event_type=event_type, after=cursor, limit=limit).json()
            for entry in page["data"]:
                files[entry["id"]] = entry
            if page["last_end_time"] is not None:
                cursor = page["last_end_time"]
            if not page["has_more"]:
                return sorted(files.values(), key=lambda f: f["end_time"])
        raise AssertionError("the log listing never reported has_more = false")


@pytest.fixture(scope="module")
def clean_server() -> Iterator[EmulatorServer]:
    """The default demo workspace, never mutated or time-shifted by tests that use it."""
    # Rate limits off: the clock is frozen, so a rolling minute would never end for these many requests.
    with EmulatorServer(EmulatorSettings(seed=7, rate_limits_enabled=False), clock=FakeClock(START)) as server:
        yield server


@pytest.fixture(scope="module")
def api(clean_server: EmulatorServer) -> Api:
    return Api(clean_server)


@pytest.fixture
def make_server() -> Iterator[Callable[..., EmulatorServer]]:
    """Start a small emulator with the given setting changes and its own fake clock; stopped at teardown.

    Rate limits are off unless a test turns them on (the fake clock stands still).
    """
    started: list[EmulatorServer] = []

    def make(**changes) -> EmulatorServer:
        changes.setdefault("scale", SMALL)
        changes.setdefault("rate_limits_enabled", False)
        server = EmulatorServer(EmulatorSettings(**changes), clock=FakeClock(START)).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def month_ago() -> datetime:
    return START - timedelta(days=30)
