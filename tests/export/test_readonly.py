"""`dlp query` reads the findings database and nothing else; readers never make a scan fail."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
from typer.testing import CliRunner

from dlp.cli import app
from dlp.store.db import Store, StoreBusyError, query
from dlp.store.readonly import publish_snapshot, snapshot_path
from tests.soc_data import FINDINGS, build

runner = CliRunner()


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "findings.duckdb"
    build(path)
    return path


@pytest.mark.parametrize(
    "sql",
    [
        "COPY findings TO '{out}/leak.csv'",
        "COPY (SELECT * FROM findings) TO '{out}/leak.parquet' (FORMAT parquet)",
        "SELECT * FROM read_text('{out}/other.txt')",
        "SELECT * FROM read_csv('{out}/other.txt')",
        "ATTACH '{out}/other.duckdb' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET autoinstall_known_extensions = true",
    ],
)
def test_query_refuses_files_extensions_and_other_databases(db, tmp_path, sql):
    (tmp_path / "other.txt").write_text("a,b\n1,2\n")
    result = runner.invoke(app, ["query", "--db", str(db), sql.format(out=tmp_path)])
    assert result.exit_code == 2
    assert "query failed" in result.output
    assert "read the findings database and nothing else" in " ".join(result.output.split())
    assert not (tmp_path / "leak.csv").exists() and not (tmp_path / "leak.parquet").exists()
    assert not (tmp_path / "other.duckdb").exists()


def test_query_still_reads_the_findings_and_the_views(db):
    columns, rows = query(db, "SELECT triage_state, count(*) FROM findings_current GROUP BY ALL")
    assert rows == [("open", len(FINDINGS))]


def _holder(db, *, read_only: bool) -> subprocess.Popen:
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
        "print('ready', flush=True); sys.stdin.readline()"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(db), "ro" if read_only else "rw"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    return process


class FakeTime:
    def __init__(self, on_sleep=None):
        self.t = 0.0
        self.slept: list[float] = []
        self.on_sleep = on_sleep

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds
        if self.on_sleep:
            self.on_sleep()


def test_a_scan_waits_for_a_notebook_to_let_go_of_the_database(db):
    notebook = _holder(db, read_only=True)
    said: list[str] = []

    def notebook_closes():
        notebook.communicate("\n", timeout=30)

    time = FakeTime(notebook_closes)
    with Store(db, lock_wait_seconds=300, on_wait=said.append, sleep=time.sleep, clock=time.clock) as store:
        assert store.con.execute("SELECT count(*) FROM findings").fetchone() == (len(FINDINGS),)
    assert len(time.slept) == 1
    assert said and f"PID {notebook.pid}" in said[0] and "waiting up to 300 s" in said[0]


def test_the_wait_is_bounded_and_the_error_says_what_to_do(db):
    notebook = _holder(db, read_only=True)
    try:
        time = FakeTime()
        with pytest.raises(StoreBusyError) as caught:
            Store(db, lock_wait_seconds=10, sleep=time.sleep, clock=time.clock)
        assert sum(time.slept) == pytest.approx(10)
        message = str(caught.value)
        assert f"PID {notebook.pid}" in message and "after waiting 10 s" in message and "snapshot" in message
    finally:
        notebook.communicate("\n", timeout=30)


def test_readers_of_the_snapshot_never_block_the_writer(db):
    with Store(db) as store:
        snapshot = publish_snapshot(store.con, db)
    assert snapshot == snapshot_path(db) == db.with_name("findings.snapshot.duckdb")
    assert oct(snapshot.stat().st_mode & 0o777) == "0o600"
    notebook = _holder(snapshot, read_only=True)
    try:
        with Store(db) as store:  # no wait needed: the notebook holds the snapshot, not the database
            store.con.execute("DELETE FROM findings WHERE finding_id = ?", ["a" * 32])
            publish_snapshot(store.con, db)  # replaced under the reader's feet, atomically
        reader = duckdb.connect(str(snapshot), read_only=True)
        assert reader.execute("SELECT count(*) FROM findings").fetchone() == (len(FINDINGS) - 1,)
        assert reader.execute("SELECT count(*) FROM findings_current").fetchone() == (len(FINDINGS) - 1,)
        reader.close()
    finally:
        notebook.communicate("\n", timeout=30)


def test_a_query_during_a_scan_points_at_the_snapshot(db):
    with Store(db) as store:
        publish_snapshot(store.con, db)
    scan = _holder(db, read_only=False)
    try:
        result = runner.invoke(app, ["query", "--db", str(db), "SELECT 1"])
        assert result.exit_code == 4  # busy: try again later (dlp.exitcodes)
        assert f"PID {scan.pid}" in result.output and "findings.snapshot.duckdb" in result.output
        result = runner.invoke(app, ["query", "--db", str(snapshot_path(db)), "-f", "csv", "SELECT count(*) AS n FROM findings"])
        assert result.exit_code == 0 and result.output.splitlines()[1] == str(len(FINDINGS))
    finally:
        scan.communicate("\n", timeout=30)
