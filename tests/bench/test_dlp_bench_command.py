"""`dlp bench` hands its arguments to `python -m bench` (mounted here on a bare app, as dlp/cli.py mounts it)."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from dlp.commands import bench as bench_command


def test_dlp_bench_passes_every_option_to_the_harness(capfd) -> None:  # type: ignore[no-untyped-def]
    app = typer.Typer()
    bench_command.register(app)

    @app.command()
    def other() -> None:  # a second command, so that `bench` is a sub-command as in the real CLI
        """Unused."""

    assert bench_command.harness_root() is not None
    result = CliRunner().invoke(app, ["bench", "--help"])
    assert result.exit_code == 0
    assert "usage: python -m bench" in capfd.readouterr().out  # the harness's own help, from its process
    result = CliRunner().invoke(app, ["bench", "--rounds", "0"])
    assert result.exit_code != 0  # the harness refused the option and its exit code came back
