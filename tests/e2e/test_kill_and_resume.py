"""A scan killed with SIGKILL at any point and restarted ends with exactly the findings of an uninterrupted
scan, none twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import pytest

from dlp.pipeline import scan
from dlp.store.db import query

from .conftest import scan_config


def finding_ids(db) -> list[str]:
    return sorted(r[0] for r in query(db, "SELECT finding_id FROM findings")[1])


@pytest.fixture(scope="module")
def clean_findings(emulator, tmp_path_factory):
    db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    report = asyncio.run(scan(scan_config(emulator, db), emulator.api_key))
    assert report.status == "completed"
    return finding_ids(db)


def start_scan_process(emulator, db, env_extra=None) -> subprocess.Popen:
    env = dict(os.environ, DLP_API_KEY=emulator.api_key, **(env_extra or {}))
    config = db.with_suffix(".yaml")  # the emulator runs without rate limits here, so does the client
    config.write_text("api:\n  list_per_minute: 0\n  item_per_minute: 0\n  logs_per_minute: 0\n")
    command = [
        sys.executable, "-m", "dlp.cli", "scan", "--api-url", emulator.base_url, "--config", str(config),
        "--workspace-id", emulator.workspace_id, "--db", str(db), "--workers", "0",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_after_requests(process: subprocess.Popen, emulator, requests: int) -> bool:
    """SIGKILL the scan once the emulator has served `requests` more requests. False if it finished first."""
    target = len(emulator.state.request_log) + requests
    while len(emulator.state.request_log) < target:
        try:
            process.wait(timeout=0.002)
            return False
        except subprocess.TimeoutExpired:
            continue
    process.send_signal(signal.SIGKILL)
    process.wait()
    return True


@pytest.mark.parametrize(
    "kill_at",
    [
        3,  # during the user list / first log listing
        25,  # mid log stream, with staged and committed work
        pytest.param(60, marks=pytest.mark.slow),
        pytest.param(215, marks=pytest.mark.slow),  # users' library files, then the other log categories
        pytest.param(330, marks=pytest.mark.slow),  # GPT and project configs and knowledge files
    ],
)
def test_killed_scan_resumes_to_the_same_findings(emulator, clean_findings, tmp_path, kill_at):
    db = tmp_path / "killed.duckdb"
    killed = kill_after_requests(start_scan_process(emulator, db), emulator, kill_at)
    assert killed, f"the scan finished before {kill_at} requests: choose earlier kill points"
    resumed = start_scan_process(emulator, db)
    _, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr.decode()[-2000:]
    ids = finding_ids(db)
    assert len(ids) == len(set(ids))
    assert ids == clean_findings
    # The killed scan is not left `running`: the next one recorded it interrupted, ended when last seen alive.
    (killed_status, message, finished, seen), (resumed_status, *_) = query(
        db, "SELECT status, message, finished_at, last_seen_at FROM scans ORDER BY started_at")[1]  # fmt: skip
    assert (killed_status, resumed_status) == ("interrupted", "completed")
    assert "last seen alive at" in message and finished == seen
