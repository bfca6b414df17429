"""Ctrl-C and SIGTERM end a scan with one line and 130/143, record it as interrupted, and lose nothing committed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import EmulatorSettings
from tests.e2e.cli_support import scans, start_dlp, write_config


@pytest.fixture(scope="module")
def server():
    # The demo workspace: over a hundred log files, read here at one per second (see throttled_config).
    with EmulatorServer(EmulatorSettings(seed=5)) as server:
        yield server


def throttled_config(server: EmulatorServer, folder: Path) -> Path:
    """A scan slowed by the client's own rate limit, so it is surely still running when the signal comes."""
    config = write_config(server, folder)
    config.write_text(config.read_text().replace("logs_per_minute: 0", "logs_per_minute: 60"))
    return config


def wait_for_line(stream, marker: str) -> list[str]:
    seen = []
    for line in stream:
        seen.append(line)
        if marker in line:
            return seen
    raise AssertionError(f"{marker!r} never came; the process wrote: {''.join(seen)}")


@pytest.mark.parametrize("signum, code, whole_group", [
    (signal.SIGINT, 130, True),  # Ctrl-C at a terminal reaches the scan and its worker processes
    (signal.SIGTERM, 143, False),  # kill, systemd, Kubernetes
])  # fmt: skip
def test_a_signal_ends_a_scan_with_one_line_its_exit_code_and_an_interrupted_record(server, tmp_path, signum, code,
                                                                                     whole_group):
    config = throttled_config(server, tmp_path)
    process = start_dlp(["scan", "-c", str(config), "--verbose", "--workers", "1"], {"DLP_API_KEY": server.api_key},
                        tmp_path)  # fmt: skip
    before = wait_for_line(process.stderr, "logs:CONVERSATION_MESSAGE: log file ")  # one log file committed
    (os.killpg if whole_group else os.kill)(process.pid, signum)
    stdout, rest = process.communicate(timeout=120)
    stderr = "".join(before) + rest
    name = signal.Signals(signum).name
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr and "Task exception" not in stderr and stdout == ""
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: interrupted by {name}: committed work is kept, the scan is recorded as interrupted, "
                      "and the next scan resumes from it"]  # fmt: skip
    assert scans(tmp_path / "findings.duckdb") == [("interrupted", f"interrupted by {name}")]


def test_a_signal_between_scheduled_scans_stops_the_scheduler_cleanly(tmp_path):
    from tests.e2e.cli_support import tiny_settings

    with EmulatorServer(tiny_settings()) as tiny:
        config = write_config(tiny, tmp_path)
        process = start_dlp(["scan", "-c", str(config), "--every", "60"], {"DLP_API_KEY": tiny.api_key}, tmp_path)
        before = wait_for_line(process.stderr, "next scan in")
        process.send_signal(signal.SIGTERM)
        stdout, rest = process.communicate(timeout=60)
    assert process.returncode == 0, "".join(before) + rest
    assert "stopped between scans; nothing was interrupted" in rest and "Traceback" not in rest
    assert "completed" in stdout
    assert scans(tmp_path / "findings.duckdb") == [("completed", "")]
