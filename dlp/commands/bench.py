"""`dlp bench ...`: run the benchmark harness (bench/ in a source checkout), same options as `python -m bench`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

REPO_ROOT = Path(__file__).resolve().parents[2]

# every option, --help included, belongs to the harness
CONTEXT_SETTINGS = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


def harness_root() -> Path | None:
    """The checkout holding bench/, or None when dlp was installed without it (a wheel)."""
    return REPO_ROOT if (REPO_ROOT / "bench" / "__main__.py").is_file() else None


def bench(context: typer.Context) -> None:
    """Run the benchmarks (needs bench/ of a source checkout).

    Detection, accuracy, extraction, end-to-end, rate-limit and scaling benchmarks.

    Every option goes to the harness: `dlp bench --help` lists them; `dlp bench --tiny` is a quick smoke run.
    Results print as tables and go to bench-results.json in the current directory.
    """
    root = harness_root()
    if root is None:
        typer.echo(
            "error: dlp bench runs the harness in bench/ of a source checkout of this project; "
            "this installation does not include it",
            err=True,
        )
        raise typer.Exit(2)
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), environment.get("PYTHONPATH", "")) if p)
    done = subprocess.run([sys.executable, "-m", "bench", *context.args], env=environment, check=False)
    raise typer.Exit(done.returncode)


def register(app: typer.Typer) -> None:
    """Mount `dlp bench` on the main CLI: `bench_commands.register(app)` in dlp/cli.py."""
    app.command("bench", context_settings=CONTEXT_SETTINGS)(bench)
