"""A generated workspace served over loopback, scanned once per test module."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from dlp.config import ScanConfig
from dlp.emulator.clock import FakeClock
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import EmulatorSettings
from dlp.pipeline import scan

NOW = datetime.now(timezone.utc).replace(microsecond=0)  # when the fault tests' workspaces are generated


def scan_config(server: EmulatorServer, db: Path, **changes) -> ScanConfig:
    config = ScanConfig(workers=0)
    config = config.replace(
        api=dataclasses.replace(
            config.api, url=server.base_url, workspace_id=server.workspace_id,
            list_per_minute=0, item_per_minute=0, logs_per_minute=0,
        ),
        store=dataclasses.replace(config.store, database=str(db)),
    )
    return config.replace(**changes) if changes else config


@pytest.fixture(scope="package")
def emulator():
    # Rate limits off: these tests run in real time against a client without limits.
    with EmulatorServer(EmulatorSettings(seed=7, rate_limits_enabled=False)) as server:
        yield server


@pytest.fixture(scope="package")
def clean_db(tmp_path_factory) -> Path:
    """A clean scan of the seed-7 workspace generated at NOW, an hour later (every log file closed): what
    the fault tests must end with. Rate limits off: it runs in real time with a client without limits."""
    clock = FakeClock(NOW)
    with EmulatorServer(EmulatorSettings(seed=7, rate_limits_enabled=False), clock=clock) as server:
        clock.advance(timedelta(hours=1))
        db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
        report = asyncio.run(scan(scan_config(server, db), server.api_key, now=clock.now))
        assert report.status == "completed", report.errors
        return db
