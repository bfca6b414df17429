"""Reading the findings database without being able to do anything else, and without blocking scans.

`connect_read_only(path)` opens the database read-only with DuckDB's external access and
extension auto-install/auto-load turned off and the configuration locked, so SQL run through it
(`dlp query`, the summary) reads the findings database and nothing else: no `COPY ... TO`, no
`read_text`/`read_csv` of other files, no `ATTACH`, no `INSTALL`/`LOAD`, no way to turn these back on.
Writing files is `dlp export`'s job.

DuckDB lets one process write a database file, and only while no other process has it open, even
read-only. A notebook or BI tool that keeps a connection would therefore make the next scan fail.
Two remedies, both on by configuration: the scan waits for the lock for a bounded time
(`store.lock_wait_seconds`), and a scan can publish a consistent read-only copy,
`<db>.snapshot.duckdb` (`store.snapshot`), which readers open instead of the live file. The copy is
written beside it and renamed into place, so a reader holding the old copy keeps reading it and
never blocks the writer.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

READ_ONLY_CONFIG: dict[str, str | bool] = {
    "enable_external_access": False,  # no files but the database itself: no COPY TO, read_text, ATTACH
    "autoinstall_known_extensions": False,  # never download an extension
    "autoload_known_extensions": False,
    "lock_configuration": True,  # and no SET to turn any of it back on
}


def connect_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no findings database here (run `dlp scan` or `dlp demo` first)")
    return duckdb.connect(str(path), read_only=True, config=dict(READ_ONLY_CONFIG))


def snapshot_path(db_path: str | Path) -> Path:
    """`findings.duckdb` -> `findings.snapshot.duckdb`: where readers find the published copy."""
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.snapshot{db_path.suffix or '.duckdb'}")


def publish_snapshot(con: duckdb.DuckDBPyConnection, db_path: str | Path) -> Path:
    """Copy the committed state of the database `con` writes to its snapshot path, atomically.

    COPY FROM DATABASE reads one consistent transaction; the copy is fsynced and renamed over
    the previous snapshot, so a reader sees the old snapshot or the new one, never half of one.
    """
    target = snapshot_path(db_path)
    partial = target.with_name(target.name + ".partial")
    for stale in (partial, partial.with_name(partial.name + ".wal")):
        stale.unlink(missing_ok=True)
    catalog = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    old_umask = os.umask(0o077)
    try:
        con.execute(f"ATTACH '{_sql_string(partial)}' AS dlp_snapshot")
        try:
            con.execute(f'COPY FROM DATABASE "{catalog}" TO dlp_snapshot')
        finally:
            con.execute("DETACH dlp_snapshot")
    finally:
        os.umask(old_umask)
    fd = os.open(partial, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(partial, 0o600)
    os.replace(partial, target)
    return target


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")
