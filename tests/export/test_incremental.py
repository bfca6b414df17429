"""Selections, named cursors that move only after the output is out, and atomic files."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlp.cli import app
from dlp.config import LinkTemplates
from dlp.export import ExportError, Selection, export, get_cursor, parse_since
from dlp.store.db import Batch, Store
from tests.soc_data import FINDINGS, build, finding

runner = CliRunner()


def ids(data: bytes) -> list[str]:
    return [json.loads(line)["finding_id"] for line in data.splitlines()]


def run(db: Path, *, cursor: str | None = None, out: str = "-", selection: Selection = Selection()) -> tuple[bytes, object]:
    sink = io.BytesIO()
    with Store(db) as store:
        result = export(store.con, "jsonl", out, selection, LinkTemplates(), cursor=cursor, stdout=sink)
    return sink.getvalue(), result


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "findings.duckdb"
    build(path)
    return path


def commit_more(db: Path, *fids: str) -> None:
    with Store(db) as store:
        store.start_scan("scan-2", api_url="u", workspace_id="ws", mode="forward")
        store.commit("scan-2", Batch(findings=[finding(fid, severity="high", scan_id="scan-2") for fid in fids]))


def test_selections_by_time_scan_and_sql(db):
    commit_more(db, "e" * 32)
    assert ids(run(db, selection=Selection(scan_id="scan-2"))[0]) == ["e" * 32]
    assert len(ids(run(db, selection=Selection(where="severity = 'critical'"))[0])) == 2
    assert ids(run(db, selection=Selection(since=datetime.now(timezone.utc) - timedelta(hours=1)))[0]) == ["e" * 32]


def test_since_accepts_dates_times_and_durations():
    now = datetime(2026, 7, 15, 12, tzinfo=timezone.utc)
    assert parse_since("24h", now) == now - timedelta(hours=24)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("2026-07-01", now) == datetime(2026, 7, 1, tzinfo=timezone.utc)
    assert parse_since("2026-07-01T10:00:00+02:00", now) == datetime(2026, 7, 1, 8, tzinfo=timezone.utc)
    with pytest.raises(ExportError, match="ISO date"):
        parse_since("yesterday", now)


def test_a_named_cursor_ships_each_finding_once(db):
    first, result = run(db, cursor="siem")
    assert len(ids(first)) == len(FINDINGS) and result.cursor is not None
    assert ids(run(db, cursor="siem")[0]) == []
    commit_more(db, "e" * 32, "f" * 32)
    assert ids(run(db, cursor="siem")[0]) == ["e" * 32, "f" * 32]
    assert ids(run(db, cursor="siem")[0]) == []
    # another cursor name is independent
    assert len(ids(run(db, cursor="archive")[0])) == len(FINDINGS) + 2


def test_the_cursor_does_not_move_when_the_output_cannot_be_written(db, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(ExportError, match="cursor not moved"):
        run(db, cursor="siem", out=str(blocker / "out.jsonl"))
    with Store(db) as store:
        assert get_cursor(store.con, "siem") is None
    assert len(ids(run(db, cursor="siem")[0])) == len(FINDINGS)


def test_a_writer_that_fails_midway_leaves_the_old_file_and_the_cursor(db, tmp_path, monkeypatch):
    out = tmp_path / "findings.jsonl"
    run(db, cursor="siem", out=str(out))
    before = out.read_bytes()
    commit_more(db, "e" * 32)

    def broken(findings, handle):
        handle.write(b"half a line")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(__import__("dlp.export.formats", fromlist=["_WRITERS"])._WRITERS, "jsonl", "tests.export.broken_writer")
    import tests.export.broken_writer as module

    monkeypatch.setattr(module, "write", broken)
    with pytest.raises(ExportError, match="No space left"):
        run(db, cursor="siem", out=str(out))
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []
    monkeypatch.undo()
    assert ids(run(db, cursor="siem")[0]) == ["e" * 32]


def test_false_positives_are_left_out_unless_asked_for(db):
    with Store(db) as store:
        store.con.execute(
            "INSERT INTO triage (target_kind, target, state, note, actor, decided_at) VALUES ('fingerprint', ?, 'false_positive', 'test card', 'ana', now())",
            ["b" * 64],
        )
    assert "b" * 32 not in ids(run(db)[0])
    assert "b" * 32 in ids(run(db, selection=Selection(include_suppressed=True))[0])


def test_the_where_condition_reads_the_database_and_nothing_else(db, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    result = runner.invoke(
        app, ["export", "--db", str(db), "--since-last", "x", "--where", f"EXISTS (SELECT * FROM read_text('{secret}'))"]
    )
    assert result.exit_code == 2
    assert "file system operations are disabled" in result.output and "top secret" not in result.output
    with Store(db) as store:
        assert get_cursor(store.con, "x") is None


def test_the_export_command_writes_a_file_and_reports_the_cursor(db, tmp_path):
    out = tmp_path / "siem" / "findings.ocsf.jsonl"
    result = runner.invoke(app, ["export", "--db", str(db), "-f", "ocsf", "--since-last", "siem", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{len(FINDINGS)} findings exported as ocsf" in result.output and "cursor 'siem' now at" in result.output
    assert len(out.read_text().splitlines()) == len(FINDINGS)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    result = runner.invoke(app, ["export", "--db", str(db), "-f", "ocsf", "--since-last", "siem", "--out", str(out)])
    assert "0 findings exported" in result.output and out.read_text() == ""
    result = runner.invoke(app, ["export", "--db", str(db), "-f", "xml"])
    assert result.exit_code == 2 and "--format must be one of" in result.output


def test_a_spool_directory_gets_a_new_file_per_run_and_none_when_nothing_is_new(db, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    _, first = run(db, cursor="siem", out=str(spool))
    assert first.count == len(FINDINGS) and Path(first.path).parent == spool
    assert Path(first.path).name.startswith("siem-") and first.path.endswith(".jsonl")
    _, second = run(db, cursor="siem", out=str(spool))
    assert second.count == 0 and second.path == "" and len(list(spool.iterdir())) == 1
    commit_more(db, "e" * 32)
    _, third = run(db, cursor="siem", out=str(spool) + "/")
    assert ids(Path(third.path).read_bytes()) == ["e" * 32]
    assert sorted(p.name for p in spool.iterdir()) == sorted(Path(r.path).name for r in (first, third))
