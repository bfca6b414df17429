"""`dlp daemon ...`: start, stop and check the resident `dlp inspect` server (dlp/inspectd.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import typer

app = typer.Typer(help="A resident process that answers `dlp inspect` with its rules and NER model loaded.",
                  no_args_is_help=True, rich_markup_mode=None)


def _socket() -> Path:
    from dlp.inspectd import socket_path

    path = socket_path()
    if path is None:
        typer.echo("error: caching is off (DLP_NO_CACHE): the daemon's socket lives in the private cache folder; "
                   "unset DLP_NO_CACHE to use it",
                   err=True)
        raise typer.Exit(2)
    return path


@app.command()
def start(
    idle_minutes: float = typer.Option(60.0, "--idle-minutes", min=0.1, help="Exit after this long without a request."),
) -> None:
    """Start the daemon in the background and wait until it answers; `dlp inspect` then uses it."""
    from dlp.inspectd import ask

    path = _socket()
    if ask({"op": "ping"}, path, timeout=2.0) is not None:
        typer.echo(f"already running at {path}")
        return
    log = path.parent / "daemon.log"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(log, "ab") as errors:
        # the server prints one line once it listens, then nothing more on stdout
        process = subprocess.Popen([sys.executable, "-m", "dlp.inspectd", str(idle_minutes * 60)],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
                                   start_new_session=True)  # fmt: skip
    assert process.stdout is not None
    with process.stdout:
        ready = process.stdout.readline().decode("utf-8", "replace").strip()
    if not ready.startswith("ready") or ask({"op": "ping"}, path, timeout=5.0) is None:
        process.kill()
        typer.echo(f"error: the daemon did not start; see {log}", err=True)
        raise typer.Exit(1)
    typer.echo(f"started (pid {process.pid}) at {path}")


@app.command()
def run(
    idle_minutes: float = typer.Option(60.0, "--idle-minutes", min=0.1, help="Exit after this long without a request."),
) -> None:
    """Run the daemon in the foreground (for a service manager)."""
    from dlp.inspectd import DaemonError, InspectServer

    path = _socket()
    try:
        server = InspectServer(path, idle_seconds=idle_minutes * 60)
        server.warm()
        server.serve(on_ready=lambda: typer.echo(f"ready at {path} (pid {os.getpid()})"))
    except DaemonError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def stop() -> None:
    """Stop the running daemon."""
    from dlp.inspectd import ask

    answer = ask({"op": "stop"}, _socket(), timeout=10.0)
    typer.echo(f"stopped (pid {answer['pid']})" if answer else "not running")


@app.command()
def status() -> None:
    """Print the daemon's pid, requests served and engines loaded as JSON; exit 1 when none runs."""
    from dlp.inspectd import ask

    path = _socket()
    answer = ask({"op": "ping"}, path, timeout=5.0)
    if answer is None:
        typer.echo(json.dumps({"running": False, "socket": str(path)}))
        raise typer.Exit(1)
    typer.echo(json.dumps({"running": True, "socket": str(path), "pid": answer["pid"], "served": answer["served"],
                           "engines": answer["engines"]}))  # fmt: skip
