import os
import stat

import pytest

from dlp.records import Finding, Item, ItemKind
from dlp.store.db import Batch, FileRecord, ItemRecord, Store, query


def finding(fid: str, **kw) -> Finding:
    base = dict(
        finding_id=fid, scan_id="s1", rule_id="email", entity="EMAIL_ADDRESS", severity="medium", score=0.8,
        likelihood="LIKELY", detector="regex", item_id="msg:1", item_kind="message", workspace_id="ws",
        location="", start=0, end=5, snippet="*****", fingerprint="ab" * 32,
    )  # fmt: skip
    base.update(kw)
    return Finding(**base)


def item(item_id="msg:1") -> Item:
    return Item(item_id=item_id, kind=ItemKind.MESSAGE, workspace_id="ws", source="test", text=None)


def test_commit_is_idempotent_and_counts_only_new(tmp_path):
    db = tmp_path / "f.duckdb"
    with Store(db) as store:
        store.start_scan("s1", api_url="u", workspace_id="ws", mode="forward")
        batch = Batch(items=[ItemRecord(item(), 10, 2)], findings=[finding("a"), finding("b"), finding("a")])
        assert store.commit("s1", batch) == 2
        assert store.commit("s1", batch) == 0
        assert store.known_items(["msg:1", "msg:2"]) == {"msg:1"}
    columns, rows = query(db, "SELECT count(*) AS n FROM findings")
    assert rows == [(2,)]


def test_cursor_moves_with_its_data_or_not_at_all(tmp_path):
    db = tmp_path / "f.duckdb"
    with Store(db) as store:
        store.start_scan("s1", api_url="u", workspace_id="ws", mode="forward")
        store.commit("s1", Batch(findings=[finding("a")], cursors={"logs:X": {"after": "t1"}}))
        # The file row violates NOT NULL after the finding "b" was inserted in the same transaction.
        broken = Batch(
            findings=[finding("b")], files=[FileRecord("file-x", None)], cursors={"logs:X": {"after": "t2"}}
        )
        with pytest.raises(Exception):
            store.commit("s1", broken)
        assert store.get_cursor("logs:X") == {"after": "t1"}
    # the failed batch left nothing behind
    assert query(db, "SELECT finding_id FROM findings")[1] == [("a",)]


def test_a_file_waiting_in_the_retry_queue_is_not_final_and_a_given_up_one_is(tmp_path):
    with Store(tmp_path / "f.duckdb") as store:
        store.start_scan("s1", api_url="u", workspace_id="ws", mode="forward")
        files = [FileRecord("file-1", "pending_retry"), FileRecord("file-2", "expired"),
                 FileRecord("file-3", "fetch_failed")]
        store.commit("s1", Batch(files=files))
        assert store.known_files(["file-1", "file-2", "file-3"]) == {"file-2", "file-3"}


def test_database_is_owner_only_and_queries_are_read_only(tmp_path):
    db = tmp_path / "f.duckdb"
    Store(db).close()
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    with pytest.raises(Exception):
        query(db, "DELETE FROM findings")
    with pytest.raises(FileNotFoundError, match="no findings database"):
        query(tmp_path / "missing.duckdb", "SELECT 1")


def test_a_second_writer_is_told_the_database_is_busy(tmp_path):
    import subprocess
    import sys

    from dlp.store.db import StoreBusyError

    db = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"from dlp.store.db import Store; s = Store({str(db)!r}); print('ready', flush=True); input()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreBusyError, match="open in another process"):
            Store(db)
    finally:
        holder.communicate("\n", timeout=30)
