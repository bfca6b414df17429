"""The command line as a user meets it: demo, query, inspect, scan errors, check."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dlp.cli import app
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import DEFAULT_API_KEY, EmulatorSettings

runner = CliRunner()
CARD = "4111 1111 1111 1111"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "demo.duckdb"
    result = runner.invoke(app, ["demo", "--db", str(db), "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert "Findings by rule" in result.output and "Findings by user" in result.output
    assert "Findings by GPT" in result.output and "Findings by source" in result.output
    assert "dlp query" in result.output
    return db


def test_query_formats(demo_db):
    result = runner.invoke(app, ["query", "--db", str(demo_db), "--format", "json",
                                 "SELECT entity, count(*) AS n FROM findings GROUP BY ALL ORDER BY n DESC"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows and {"entity", "n"} <= rows[0].keys()
    result = runner.invoke(app, ["query", "--db", str(demo_db), "-f", "csv", "SELECT count(*) AS n FROM findings"])
    assert result.output.splitlines()[0] == "n" and int(result.output.splitlines()[1]) > 0


def test_query_is_read_only_and_errors_are_plain(demo_db):
    result = runner.invoke(app, ["query", "--db", str(demo_db), "DELETE FROM findings"])
    assert result.exit_code != 0 and "query failed" in result.output
    result = runner.invoke(app, ["query", "--db", str(demo_db) + ".nope", "SELECT 1"])
    assert result.exit_code != 0 and "no findings database" in result.output


def test_inspect_stdin_gives_character_offsets():
    text = f"Ünïcödé first: my card is {CARD}, thanks"
    result = runner.invoke(app, ["inspect", "-"], input=text)
    assert result.exit_code == 0, result.output
    findings = [json.loads(line) for line in result.output.splitlines()]
    card = next(f for f in findings if f["entity"] == "CREDIT_CARD")
    assert text[card["start"] : card["end"]] == CARD
    assert {"start", "end", "entity", "rule_id", "score"} == card.keys()


def test_inspect_jsonl_records(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "a", "text": f"pay with {CARD}"}) + "\n" + json.dumps({"id": 2, "text": "nothing here"}) + "\n"
    )
    result = runner.invoke(app, ["inspect", "--jsonl", str(source)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["id"] for r in records] == ["a", 2]
    assert records[0]["findings"][0]["entity"] == "CREDIT_CARD" and records[1]["findings"] == []
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n')
    result = runner.invoke(app, ["inspect", "--jsonl", str(bad)])
    assert result.exit_code != 0 and "bad.jsonl:1" in result.output


def test_inspect_a_docx_reports_locations(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Quarterly notes.")
    document.add_paragraph(f"Customer card: {CARD}")
    path = tmp_path / "notes.docx"
    document.save(path)
    result = runner.invoke(app, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    card = next(json.loads(line) for line in result.output.splitlines() if "CREDIT_CARD" in line)
    assert card["location"] == "paragraph 2"


@pytest.fixture(scope="module")
def scoped_emulator():
    keys = {DEFAULT_API_KEY: frozenset({"read", "delete"}), "sk-deleteonly-key-0000000000001234": frozenset({"delete"})}
    with EmulatorServer(EmulatorSettings(seed=3, api_keys=keys)) as server:
        yield server


def test_scan_without_a_key_says_where_keys_come_from(scoped_emulator, monkeypatch, tmp_path):
    monkeypatch.delenv("DLP_API_KEY", raising=False)
    result = runner.invoke(app, ["scan", "--api-url", scoped_emulator.base_url, "--workspace-id",
                                 scoped_emulator.workspace_id, "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code != 0 and "DLP_API_KEY" in result.output


def test_scan_with_a_wrong_key_never_prints_it(scoped_emulator, monkeypatch, tmp_path):
    wrong = "sk-proj-WRONGWRONGWRONGWRONG9876"
    monkeypatch.setenv("DLP_API_KEY", wrong)
    result = runner.invoke(app, ["scan", "--api-url", scoped_emulator.base_url, "--workspace-id",
                                 scoped_emulator.workspace_id, "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code != 0
    assert "401" in result.output and "sk-...9876" in result.output and wrong not in result.output


def test_scan_with_a_bad_config_names_the_key(tmp_path):
    config = tmp_path / "dlp.yaml"
    config.write_text("scope:\n  user:\n    exclude: [a]\n")
    result = runner.invoke(app, ["scan", "--config", str(config)])
    assert result.exit_code != 0 and "unknown key 'scope.user'" in result.output


def test_check_reports_each_stream_and_sends_no_write(scoped_emulator, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", scoped_emulator.api_key)
    start = len(scoped_emulator.state.request_log)
    args = ["check", "--api-url", scoped_emulator.base_url, "--workspace-id", scoped_emulator.workspace_id]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "users: allowed" in output and "delete permission: not tested" in output
    assert "logs CONVERSATION_MESSAGE: allowed (workspace scope)" in output and "min behind" in output
    assert "logs CODEX_LOG: allowed" in output and "library files: allowed" in output
    assert "conversations: not served (HTTP 404)" in output
    assert {r.method for r in scoped_emulator.state.request_log[start:]} == {"GET"}
    assert scoped_emulator.api_key not in result.output


def test_check_explains_a_missing_read_scope(scoped_emulator, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", "sk-deleteonly-key-0000000000001234")
    args = ["check", "--api-url", scoped_emulator.base_url, "--workspace-id", scoped_emulator.workspace_id]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "FAIL" in output and "users: forbidden" in output and "logs CONVERSATION_MESSAGE: forbidden" in output
    assert output.index("Admin keys") < output.index("OpenAI support")  # admin keys first, the legacy flow second
    assert "sk-deleteonly-key-0000000000001234" not in result.output


def test_check_names_an_unknown_workspace(scoped_emulator, monkeypatch):
    monkeypatch.setenv("DLP_API_KEY", scoped_emulator.api_key)
    args = ["check", "--api-url", scoped_emulator.base_url, "--workspace-id", "00000000-0000-4000-8000-000000000000"]
    result = runner.invoke(app, args)
    output = " ".join(result.output.split())
    assert result.exit_code == 2 and "workspace" in output and "not found or the key is not authorized" in output
