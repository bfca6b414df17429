"""The command line as scripts and people meet it: help, version, completion, environment, config discovery, output."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dlp.cli import app
from dlp.emulator.server import EmulatorServer
from tests.e2e.cli_support import scans, tiny_settings, write_config

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny_server():
    with EmulatorServer(tiny_settings()) as server:
        yield server


def command_paths(command, prefix=()):  # every command of the tree, as the words that call it
    yield prefix, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from command_paths(sub, (*prefix, name))


COMMANDS = [path for path, _ in command_paths(typer.main.get_command(app)) if path != ("bench",)]


def test_version_and_short_help():
    from importlib.metadata import version

    for flag in ("--version", "-V"):
        result = runner.invoke(app, [flag])
        assert result.exit_code == 0 and result.stdout == f"dlp {version('dlp-chatgpt')}\n"
    assert runner.invoke(app, ["-h"]).stdout == runner.invoke(app, ["--help"]).stdout
    assert "Usage: dlp scan [OPTIONS]" in runner.invoke(app, ["scan", "-h"], prog_name="dlp").stdout


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path) or "dlp")
def test_help_has_no_type_noise_and_describes_every_option(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert not re.search(r"<(str|int|float|bool|path|list\[[^\]]*\])>", result.stdout), result.stdout
    command = typer.main.get_command(app)
    for word in path:
        command = command.commands[word]
    undescribed = [p.name for p in command.params if not (p.help or "").strip()]
    assert not undescribed, f"dlp {' '.join(path)}: options without a description: {undescribed}"


def test_help_documents_the_exit_codes():
    for path in ((), ("scan",), ("inspect",)):
        text = " ".join(runner.invoke(app, [*path, "--help"]).stdout.split())
        assert "Exit codes: 0 done and complete; 1 findings at or above --fail-on; 2 usage or configuration error; " \
               "3 finished but incomplete; 4 failed; 130 Ctrl-C; 143 SIGTERM." in text  # fmt: skip


def test_shell_completion_is_offered_and_completes_commands_and_options():
    help_text = runner.invoke(app, ["--help"]).stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text
    for words, cword, expected in (("dlp sc", "1", "scan"), ("dlp scan --fail", "2", "--fail-on")):
        completed = runner.invoke(app, [], prog_name="dlp",
                                  env={"_DLP_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword})  # fmt: skip
        assert completed.stdout.split() == [expected]


def test_the_completion_script_is_shown_for_the_shell_it_runs_in():
    """`--show-completion` names no shell: Typer detects it from the parent processes (shellingham). The
    command runs as a child of bash here (`; exit` keeps bash from replacing itself with it), so the answer
    does not depend on how the test runner was started."""
    dlp = Path(sys.executable).parent / "dlp"
    shown = subprocess.run(["bash", "-c", f"'{dlp}' --show-completion; exit $?"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "complete -o default -F _dlp_completion dlp" in shown.stdout


def test_environment_variables_stand_in_for_flags(tiny_server, tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    monkeypatch.setenv("DLP_API_URL", tiny_server.base_url)
    monkeypatch.setenv("DLP_WORKSPACE_ID", tiny_server.workspace_id)
    monkeypatch.setenv("DLP_DB", str(tmp_path / "from-env.duckdb"))
    config = tmp_path / "settings" / "custom.yaml"
    config.parent.mkdir()
    config.write_text("api:\n  list_per_minute: 0\n  item_per_minute: 0\n  logs_per_minute: 0\nworkers: 0\n")
    monkeypatch.setenv("DLP_CONFIG", str(config))
    result = runner.invoke(app, ["scan", "-f", "json", "-q", "-v"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["database"] == str(tmp_path / "from-env.duckdb")
    assert f"config: {config}" in result.stderr
    counted = runner.invoke(app, ["query", "-f", "csv", "SELECT count(*) AS n FROM scans"])  # DLP_DB again
    assert counted.exit_code == 0 and counted.stdout.splitlines() == ["n", "1"]
    flag_wins = runner.invoke(app, ["query", "--db", str(tmp_path / "nope.duckdb"), "SELECT 1"])
    assert flag_wins.exit_code == 2 and "nope.duckdb" in flag_wins.output


def test_a_config_is_found_in_the_usual_places_and_its_paths_are_relative_to_it(tiny_server, tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    for name in ("DLP_CONFIG", "DLP_DB", "DLP_API_URL", "DLP_WORKSPACE_ID"):
        monkeypatch.delenv(name, raising=False)
    home, elsewhere = tmp_path / "xdg", tmp_path / "cwd"
    (home / "dlp").mkdir(parents=True)
    elsewhere.mkdir()
    rules = home / "dlp" / "rules" / "orders.yaml"
    rules.parent.mkdir()
    rules.write_text("rules:\n  - id: ORDER_REF\n    entity: ORDER\n    severity: high\n    score: 0.9\n"
                     "    patterns: ['ORD-[0-9]{6}']\n")  # fmt: skip
    write_config(tiny_server, home / "dlp", "detect:\n  rule_paths: [rules/orders.yaml]\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.chdir(elsewhere)
    result = runner.invoke(app, ["scan", "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["database"] == str(home / "dlp" / "findings.duckdb")  # not ./findings.duckdb
    assert not (elsewhere / "findings.duckdb").exists()
    assert scans(home / "dlp" / "findings.duckdb")[0][0] == "completed"
    # ./dlp.yaml comes first
    local_config = write_config(tiny_server, elsewhere)
    local_config.write_text(local_config.read_text().replace("findings.duckdb", "here.duckdb"))
    local = runner.invoke(app, ["scan", "-f", "json", "-q"])
    assert json.loads(local.stdout)["database"] == str(elsewhere / "here.duckdb")


def test_progress_goes_to_stderr_as_status_lines_when_not_a_terminal(tiny_server, tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    config = write_config(tiny_server, tmp_path)
    result = runner.invoke(app, ["scan", "-c", str(config), "--status-every", "0.001"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("progress: ")]
    assert any(re.match(r"progress: logs:CONVERSATION_MESSAGE: \d+ (of ~\d+ )?log files", line) for line in lines)
    assert all("elapsed" in line and "findings" in line for line in lines)
    assert "progress:" not in result.stdout and "new findings" in result.stdout


def test_verbose_names_streams_and_log_files_and_quiet_prints_nothing(tiny_server, tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    loud = runner.invoke(app, ["scan", "-c", str(write_config(tiny_server, tmp_path)), "--verbose"])
    assert loud.exit_code == 0, loud.output
    assert re.search(r"^logs:CONVERSATION_MESSAGE: log file \S+ \(20\d\d-", loud.stderr, re.M)
    assert re.search(r"^gpts: g-", loud.stderr, re.M) and "3 users" in loud.stderr
    (tmp_path / "again").mkdir()
    quiet = runner.invoke(app, ["scan", "-c", str(write_config(tiny_server, tmp_path / "again")), "--quiet"])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""


def test_piped_output_is_neither_wrapped_nor_coloured(tiny_server, tmp_path):
    db = tmp_path / "wide.duckdb"
    sql = "SELECT repeat('x', 150) AS wide, 'critical' AS severity"
    done = subprocess.run([sys.executable, "-m", "dlp.cli", "query", "--db", str(db), sql], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": ""})  # fmt: skip
    assert done.returncode == 2  # no database yet: the error is one unwrapped line
    assert done.stderr.count("\n") == 1 and "\x1b[" not in done.stderr
    import duckdb

    duckdb.connect(str(db)).close()
    done = subprocess.run([sys.executable, "-m", "dlp.cli", "query", "--db", str(db), sql], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert any("x" * 150 in line for line in done.stdout.splitlines())  # one line, not folded at 80 columns
    assert "\x1b[" not in done.stdout


def run_in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """`dlp ARGS` with a pseudo-terminal as stdout and stderr, as a person at a terminal runs it."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "dlp.cli", *args], stdin=subprocess.DEVNULL, stdout=terminal,
                               stderr=terminal, env={**os.environ, "TERM": "xterm-256color", **env})  # fmt: skip
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(), b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal_and_none_with_no_color(tiny_server):
    args = ["check", "--api-url", tiny_server.base_url, "--workspace-id", tiny_server.workspace_id]
    key = {"DLP_API_KEY": tiny_server.api_key}
    code, coloured = run_in_terminal(args, {**key, "NO_COLOR": ""})
    assert code == 0 and "\x1b[" in coloured and "users: allowed" in coloured
    code, plain = run_in_terminal(args, {**key, "NO_COLOR": "1"})
    assert code == 0 and "users: allowed" in plain
    assert not re.search(r"\x1b\[[0-9;]*m", plain)  # no colour codes (cursor movements may remain)


def test_a_scan_on_a_terminal_draws_a_live_display_then_prints_the_summary(tiny_server, tmp_path):
    config = write_config(tiny_server, tmp_path)
    code, screen = run_in_terminal(["scan", "-c", str(config)], {"DLP_API_KEY": tiny_server.api_key})
    assert code == 0, screen
    assert "log files" in screen and "elapsed" in screen  # the live display's lines
    assert "progress: " not in screen  # not the status lines meant for logs
    assert re.search(r"scan [0-9a-f]{32}: completed", screen)
    assert Path(tmp_path / "findings.duckdb").exists()
