"""A generated workspace served over loopback, scanned once per test module."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from dlp.config import ScanConfig
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import EmulatorSettings


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
