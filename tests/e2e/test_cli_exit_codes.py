"""Exit codes a script can act on, each through the real CLI against the emulator over loopback."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from dlp.cli import app
from dlp.emulator.server import EmulatorServer
from tests.e2e.cli_support import scans, tiny_settings, write_config

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny_server():
    with EmulatorServer(tiny_settings()) as server:
        yield server


def test_fail_on_exits_1_for_new_findings_at_the_severity_and_0_when_a_later_scan_finds_nothing_new(
    tiny_server, tmp_path, monkeypatch
):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    config = write_config(tiny_server, tmp_path)
    first = runner.invoke(app, ["scan", "-c", str(config), "--fail-on", "critical", "-f", "json", "-q"])
    assert first.exit_code == 1, first.output
    report = json.loads(first.stdout)
    assert report["status"] == "completed" and report["exit_code"] == 1
    assert report["findings_by_severity"]["critical"] > 0
    again = runner.invoke(app, ["scan", "-c", str(config), "--fail-on", "critical"])
    assert again.exit_code == 0, again.output  # nothing new since the first scan
    assert "0 new findings" in again.stdout


def test_without_fail_on_findings_do_not_change_the_exit_code(tiny_server, tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    result = runner.invoke(app, ["scan", "-c", str(write_config(tiny_server, tmp_path)), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # --quiet: no summary


def test_a_scan_that_skipped_log_files_after_hash_mismatches_exits_3(tmp_path, monkeypatch):
    settings = tiny_settings()
    settings = settings.replace(faults=dataclasses.replace(settings.faults, sha_mismatch_rate=1.0))
    with EmulatorServer(settings) as server:
        monkeypatch.setenv("DLP_API_KEY", server.api_key)
        result = runner.invoke(app, ["scan", "-c", str(write_config(server, tmp_path))])
    assert result.exit_code == 3, result.output
    assert "incomplete" in result.stdout and "sha256 mismatch" in result.stderr
    assert scans(tmp_path / "findings.duckdb")[0][0] == "incomplete"


def test_a_scan_stopped_by_server_errors_past_the_retries_exits_4_and_is_recorded_failed(tmp_path, monkeypatch):
    settings = tiny_settings()
    settings = settings.replace(faults=dataclasses.replace(settings.faults, server_error_rate=1.0))
    with EmulatorServer(settings) as server:
        monkeypatch.setenv("DLP_API_KEY", server.api_key)
        config = write_config(server, tmp_path, "")
        config.write_text(config.read_text().replace("api:\n", "api:\n  max_retries: 0\n"))
        result = runner.invoke(app, ["scan", "-c", str(config)])
    assert result.exit_code == 4, result.output
    assert result.stderr.count("error:") == 1 and "gave up after 0 retries" in result.stderr
    assert "Traceback" not in result.output
    assert scans(tmp_path / "findings.duckdb")[0][0] == "failed"


def test_check_exits_2_when_a_check_fails_and_prints_json_for_scripts(tiny_server, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", "sk-wrong-key-000000000000000000009876")
    args = ["check", "--api-url", tiny_server.base_url, "--workspace-id", tiny_server.workspace_id, "-f", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["exit_code"] == 2
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    assert failed and "401" in failed[0]["detail"] and "sk-...9876" in failed[0]["detail"]
    assert "sk-wrong-key-000000000000000000009876" not in result.output


def test_check_json_lists_every_check_with_its_status_and_advice(tiny_server, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    args = ["check", "--api-url", tiny_server.base_url, "--workspace-id", tiny_server.workspace_id, "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["workspace_id"] == tiny_server.workspace_id
    by_check = {c["check"]: c for c in report["checks"]}
    assert by_check["users"]["status"] == "ok" and "3 users, 3 in scope" in by_check["users"]["detail"]
    assert by_check["logs CONVERSATION_MESSAGE"]["status"] == "ok"


def test_check_warns_when_the_scope_filters_select_no_user_and_no_gpt(tiny_server, tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", tiny_server.api_key)
    config = write_config(tiny_server, tmp_path, "scope:\n  users:\n    include: [nobody@example.com]\n"
                                                 "  gpts:\n    name_regex: '^no GPT is called this$'\n")
    result = runner.invoke(app, ["check", "-c", str(config)])
    assert result.exit_code == 0, result.output  # a warning, not a failure
    assert "warn user scope: scope.users selects none of the workspace's users" in result.stdout
    assert "warn GPT scope: scope.gpts selects none of the workspace's GPTs" in result.stdout


def test_inspect_fail_on_judges_the_printed_findings(tmp_path):
    card = "card 4111 1111 1111 1111"
    assert runner.invoke(app, ["inspect", "-"], input=card).exit_code == 0
    assert runner.invoke(app, ["inspect", "-", "--fail-on", "high"], input=card).exit_code == 1
    assert runner.invoke(app, ["inspect", "-", "--fail-on", "critical"], input=card).exit_code == 0
    assert runner.invoke(app, ["inspect", "-", "--fail-on", "HIGH"], input="nothing here").exit_code == 0
    bad = runner.invoke(app, ["inspect", "-", "--fail-on", "severe"], input=card)
    assert bad.exit_code == 2 and "'severe' is not a severity; choose one of low, medium, high, critical" in bad.output


def test_rules_test_and_lint_print_json_for_scripts():
    tested = runner.invoke(app, ["rules", "test", "--rule", "CREDIT_CARD", "--format", "json"])
    assert tested.exit_code == 0, tested.output
    report = json.loads(tested.stdout)
    assert report["failed"] == 0 and report["passed"] > 0 and report["results"] == []
    verbose = json.loads(runner.invoke(app, ["rules", "test", "--rule", "CREDIT_CARD", "-f", "json", "-v"]).stdout)
    assert {r["rule_id"] for r in verbose["results"]} == {"CREDIT_CARD"} and all(r["passed"] for r in verbose["results"])
    assert {"file", "line", "should_match", "message"} <= verbose["results"][0].keys()
    linted = json.loads(runner.invoke(app, ["rules", "lint", "-f", "json"]).stdout)
    assert linted["errors"] == 0 and linted["rules"] > 100
