"""Triage by id or fingerprint, findings_current, suppression in later scans, reviewed suppression files."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from typer.testing import CliRunner

from dlp.cli import app
from dlp.store.db import Batch, Store
from dlp.triage import SuppressionFileError, TriageError, TriageState, load_file, mark, parse_targets, render
from tests.soc_data import build, finding

runner = CliRunner()
NOW = datetime(2026, 7, 16, 9, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "findings.duckdb"
    build(path, routes=[("soc", ("low", "medium", "high", "critical"), None, None)])
    return path


def states(store: Store) -> dict[str, tuple]:
    rows = store.con.execute("SELECT finding_id, triage_state, triage_by, suppressed FROM findings_current").fetchall()
    return {r[0][0]: r[1:] for r in rows}


def test_a_finding_is_open_until_someone_decides(db):
    with Store(db) as store:
        assert {s for s, _, _ in states(store).values()} == {"open"}
        mark(store.con, parse_targets(store.con, ["a" * 32]), TriageState.RESOLVED, note="rotated", actor="ana", now=NOW)
        assert states(store)["a"] == ("resolved", "ana", False)
        assert states(store)["b"] == ("open", None, False)


def test_the_latest_decision_wins_whether_by_id_or_by_fingerprint(db):
    with Store(db) as store:
        mark(store.con, parse_targets(store.con, ["b" * 64]), TriageState.FALSE_POSITIVE, note="test card", actor="ana", now=NOW)
        assert states(store)["b"] == ("false_positive", "ana", True)
        mark(store.con, parse_targets(store.con, ["b" * 32]), TriageState.OPEN, note="real after all", actor="bo", now=NOW)
        assert states(store)["b"] == ("open", "bo", False)


def test_targets_are_checked_before_anything_is_recorded(db):
    with Store(db) as store:
        with pytest.raises(TriageError, match="no finding with id"):
            parse_targets(store.con, ["a" * 32, "9" * 32])
        with pytest.raises(TriageError, match="neither a finding id"):
            parse_targets(store.con, ["4111111111111111"])
        # a fingerprint of a value not seen yet is fine: it suppresses the value when it shows up
        assert parse_targets(store.con, ["e" * 64])[0].kind == "fingerprint"
        assert store.con.execute("SELECT count(*) FROM triage").fetchone() == (0,)


def commit_new(store: Store, fid: str, fingerprint: str) -> None:
    if not store.con.execute("SELECT 1 FROM scans WHERE scan_id = 'scan-9'").fetchall():
        store.start_scan("scan-9", api_url="u", workspace_id="ws", mode="forward")
    store.commit("scan-9", Batch(findings=[finding(fid, fingerprint=fingerprint, severity="critical", scan_id="scan-9")]))


def test_a_false_positive_fingerprint_is_recorded_as_suppressed_in_later_scans_and_queues_no_alert(db):
    with Store(db) as store:
        mark(store.con, parse_targets(store.con, ["b" * 64]), TriageState.FALSE_POSITIVE, note="test card", actor="ana", now=NOW)
        commit_new(store, "e" * 32, "b" * 64)  # the same value, somewhere new
        commit_new(store, "f" * 32, "f" * 64)  # another value
        suppressed = store.con.execute("SELECT finding_id, source, reason, scan_id FROM suppressed").fetchall()
        assert suppressed == [("e" * 32, "triage", "test card", "scan-9")]
        # the finding is kept, marked, and no alert was queued for it
        assert store.con.execute("SELECT count(*) FROM findings WHERE finding_id = ?", ["e" * 32]).fetchone() == (1,)
        assert states(store)["e"][0] == "false_positive"
        queued = {r[0] for r in store.con.execute("SELECT finding_id FROM outbox WHERE scan_id = 'scan-9'").fetchall()}
        assert queued == {"f" * 32}


def test_a_reviewed_file_suppresses_and_names_its_line(db, tmp_path):
    listing = tmp_path / "suppressions.yaml"
    listing.write_text(f"# reviewed in PR 12\n{'c' * 64}: sandbox key from the vendor docs\n")
    with Store(db) as store:
        store.load_suppression_list(load_file(listing))
        commit_new(store, "e" * 32, "c" * 64)
        source, reason = store.con.execute("SELECT source, reason FROM suppressed").fetchone()
        assert source == f"file:{listing}:2" and reason == "sandbox key from the vendor docs"
        # the file wins over a later decision in the database: to un-suppress, remove the line
        mark(store.con, parse_targets(store.con, ["c" * 64]), TriageState.OPEN, note=None, actor="bo", now=NOW)
        assert states(store)["c"] == ("false_positive", f"file:{listing}:2", True)
        store.load_suppression_list([])
        assert states(store)["c"] == ("open", "bo", False)


@pytest.mark.parametrize(
    "text, message",
    [
        ("4111111111111111: card\n", ":1: not a fingerprint"),
        (f"# ok\n{'a' * 64}:\n", ":2: give a reason"),
        (f"{'a' * 64}: x\n{'A' * 64}: y\n", ":2: fingerprint listed twice (first on line 1)"),
        ("- just a list\n", ":1: expected lines of `fingerprint: reason`"),
        (f"{'a' * 64}: [unclosed\n", ":2: not valid YAML"),  # where the parser gave up
    ],
)
def test_a_broken_suppression_file_names_the_file_and_line(tmp_path, text, message):
    listing = tmp_path / "s.yaml"
    listing.write_text(text)
    with pytest.raises(SuppressionFileError) as caught:
        load_file(listing)
    assert f"{listing}{message}" in str(caught.value)
    assert "4111111111111111" not in str(caught.value)


def test_suppressions_round_trip_through_a_file(tmp_path):
    listing = tmp_path / "s.yaml"
    listing.write_text(render([("a" * 64, 'it\'s "our" test card: #1'), ("b" * 64, "")]))
    assert [(fp, reason) for fp, reason, _ in load_file(listing)] == [
        ("a" * 64, 'it\'s "our" test card: #1'),
        ("b" * 64, "false positive"),
    ]


def test_the_triage_commands(db, tmp_path, monkeypatch):
    monkeypatch.setenv("DLP_ANALYST", "ana@example.com")
    result = runner.invoke(app, ["triage", "mark", "--db", str(db), "--as", "false_positive", "-m", "test card", "b" * 64])
    assert result.exit_code == 0, result.output
    assert "1 marked false_positive (1 by fingerprint); 1 stored findings covered" in result.output
    result = runner.invoke(app, ["triage", "mark", "--db", str(db), "--as", "resolved", "-"], input=f"{'a' * 32}\n{'c' * 32}\n")
    assert result.exit_code == 0 and "2 marked resolved" in result.output
    result = runner.invoke(app, ["triage", "mark", "--db", str(db), "--as", "wontfix", "a" * 32])
    assert result.exit_code == 2 and "--as must be one of" in result.output
    result = runner.invoke(app, ["triage", "show", "--db", str(db), "-f", "json", "b" * 32])
    assert '"state": "false_positive"' in result.output and '"actor": "ana@example.com"' in result.output
    result = runner.invoke(app, ["triage", "summary", "--db", str(db), "-f", "csv"])
    assert "resolved,2,2" in result.output and "false_positive,1,1" in result.output
    out = tmp_path / "rules" / "suppressions.yaml"
    out.parent.mkdir()
    result = runner.invoke(app, ["triage", "suppressions", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0 and load_file(out)[0][:2] == ("b" * 64, "test card")


def test_the_fingerprint_command_reads_the_value_from_stdin_with_the_database_key(tmp_path, monkeypatch):
    from dlp.evidence import Fingerprinter

    monkeypatch.delenv("DLP_FINGERPRINT_KEY", raising=False)
    db = tmp_path / "f.duckdb"
    result = runner.invoke(app, ["triage", "fingerprint", "--db", str(db)], input="4111 1111 1111 1111\n")
    assert result.exit_code == 2 and "no fingerprint key" in result.output
    key = Fingerprinter.key_for_database(db)
    result = runner.invoke(app, ["triage", "fingerprint", "--db", str(db)], input="4111 1111 1111 1111\n")
    assert result.exit_code == 0
    assert result.stdout.strip() == Fingerprinter(key)("4111 1111 1111 1111")


def test_a_scan_with_a_broken_suppression_file_stops_before_it_starts(tmp_path, monkeypatch):
    listing = tmp_path / "suppressions.yaml"
    listing.write_text("4111111111111111: our test card\n")
    config = tmp_path / "dlp.yaml"
    config.write_text(
        f"api: {{url: 'http://127.0.0.1:9/v1', workspace_id: 11bf645e-d5e8-4478-a70e-e5742ded2436}}\nstore: {{database: {tmp_path / 'f.duckdb'}}}\n"
        f"triage: {{suppression_files: ['{listing}']}}\nworkers: 0\n"
    )
    monkeypatch.setenv("DLP_API_KEY", "sk-test-0000000000000000")
    result = runner.invoke(app, ["scan", "-c", str(config)])
    assert result.exit_code == 2
    assert f"{listing}:1: not a fingerprint" in " ".join(result.output.split())
    assert "4111111111111111" not in result.output
