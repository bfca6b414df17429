"""What the command-line tests share: the tiny sample workspace, a config file for a server, `dlp` as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import EmulatorSettings, load_settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WORKSPACE_ID = "11bf645e-d5e8-4478-a70e-e5742ded2436"  # a well-formed id no server knows


def tiny_settings(**changes: object) -> EmulatorSettings:
    """fixtures/workspace/emulator.yaml: a workspace that scans in a few seconds."""
    settings = load_settings(FIXTURES / "workspace" / "emulator.yaml")
    return settings.replace(**changes) if changes else settings


def write_config(server: EmulatorServer, folder: Path, extra: str = "", *, name: str = "dlp.yaml") -> Path:
    """A config for `server` with client-side limits off, in-process inspection and findings.duckdb beside it."""
    config = folder / name
    config.write_text(
        f"api:\n  url: {server.base_url}\n  workspace_id: {server.workspace_id}\n"
        "  list_per_minute: 0\n  item_per_minute: 0\n  logs_per_minute: 0\n"
        "store:\n  database: findings.duckdb\nworkers: 0\n" + extra,
        encoding="utf-8",
    )
    return config


def scans(db: Path) -> list[tuple[str, str]]:
    """(status, message) of every scan recorded in a findings database."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [(str(s), str(m or "")) for s, m in con.execute("SELECT status, message FROM scans ORDER BY started_at").fetchall()]
    finally:
        con.close()


def start_dlp(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """`dlp ARGS` as a real process in its own process group (a terminal's Ctrl-C goes to the whole group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "dlp.cli", *args], cwd=cwd, env={**os.environ, **env}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
