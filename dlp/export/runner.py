"""One export: select findings, write them in a format, and move a named cursor only once they are out.

Output to a file is written beside it, flushed to disk and renamed into place, so a reader never
sees half a file. Output to a directory (a spool a log shipper watches) is a new file per run, named
after the cursor and the time, and no file at all when the cursor has nothing new. With `cursor`, the export covers the findings committed since that cursor's last
run, up to the newest commit at the start of this one; the cursor moves to that commit in the
database only after the output is complete. A crash before that point ships the same findings
again next time (every record carries its `finding_id` for de-duplication); none is skipped.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO

import duckdb

from dlp.config import LinkTemplates
from dlp.errors import DlpError, Terminal
from dlp.export.formats import writer
from dlp.export.records import EXPORT_SQL, iter_records


class ExportError(DlpError, Terminal):
    """The export could not be written; its cursor did not move."""


@dataclass(frozen=True)
class Selection:
    since: datetime | None = None  # found at or after
    scan_id: str | None = None  # first found by this scan
    where: str | None = None  # a SQL condition on the export columns
    include_suppressed: bool = False


@dataclass(frozen=True)
class ExportResult:
    count: int
    path: str  # the file written, "-" for stdout, "" when a spool directory got nothing new
    cursor: dict[str, Any] | None  # the cursor's new value, when one moved


SUFFIXES = {"ocsf": "ocsf.jsonl", "jsonl": "jsonl", "csv": "csv", "parquet": "parquet", "sarif": "sarif.json"}
_RELATIVE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """`2026-07-01`, `2026-07-01T12:00:00Z` (UTC unless a zone is given), or `30m`, `24h`, `7d`, `2w` before now."""
    relative = _RELATIVE.match(text)
    if relative:
        return now - timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ExportError(f"--since {text!r}: give an ISO date or time (2026-07-01, 2026-07-01T12:00Z) or 30m, 24h, 7d") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _query(selection: Selection, after: datetime | None, upto: datetime | None) -> tuple[str, list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    if not selection.include_suppressed:
        conditions.append("NOT suppressed")
    for sql, value in (
        ("found_at >= ?", selection.since),
        ("scan_id = ?", selection.scan_id),
        ("found_at > ?", after),
        ("found_at <= ?", upto),
    ):
        if value is not None:
            conditions.append(sql)
            params.append(value)
    if selection.where:
        conditions.append(f"({selection.where})")
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    return f"SELECT * FROM ({EXPORT_SQL}) AS finding{where} ORDER BY found_at, finding_id", params


def get_cursor(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, Any] | None:
    row = con.execute("SELECT value FROM export_cursors WHERE name = ?", [name]).fetchone()
    return json.loads(row[0]) if row else None


def export(
    con: duckdb.DuckDBPyConnection,
    fmt: str,
    out: str,
    selection: Selection,
    links: LinkTemplates,
    *,
    cursor: str | None = None,
    stdout: BinaryIO | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> ExportResult:
    """Write the selected findings to `out` (a path, or "-"); with `cursor`, only those not yet exported under that name.

    With a cursor, `con` must be a writer connection (the cursor is stored in the database).
    """
    write = writer(fmt)
    after = upto = None
    if cursor is not None:
        saved = get_cursor(con, cursor)
        after = datetime.fromisoformat(saved["found_at"]) if saved else None
        upto = con.execute("SELECT max(found_at) FROM findings").fetchone()[0]  # type: ignore[index]
    sql, params = _query(selection, after, upto)
    if out != "-" and (out.endswith(("/", os.sep)) or Path(out).is_dir()):
        # a spool directory: a new file per run, none when there is nothing new, never one replaced
        if cursor is not None and (upto is None or (after is not None and upto <= after)):
            return ExportResult(0, "", None)
        stamp = now().astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        out = str(Path(out) / f"{cursor or 'findings'}-{stamp}.{SUFFIXES[fmt]}")
    try:
        records = iter_records(con, sql, params, links)
        if out == "-":
            sink = stdout or sys.stdout.buffer
            count = write(records, sink)
            sink.flush()
        else:
            count = _write_file(Path(out), lambda handle: write(records, handle))
    except duckdb.Error as exc:
        raise ExportError(f"the export query failed (nothing written, cursor not moved): {exc}") from None
    except OSError as exc:
        raise ExportError(f"could not write {out} (cursor not moved): {exc.strerror or exc}") from None
    moved = None
    if cursor is not None and upto is not None:
        moved = {"found_at": upto.astimezone(timezone.utc).isoformat()}
        con.execute(
            "INSERT OR REPLACE INTO export_cursors VALUES (?, ?, ?, ?, ?)",
            [cursor, json.dumps(moved), fmt, count, now()],
        )
    return ExportResult(count, out, moved)


def _write_file(path: Path, fill: Callable[[BinaryIO], int]) -> int:
    """Write beside `path`, fsync, rename over it: the file is the old one or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # findings metadata: owner only
    try:
        with os.fdopen(fd, "wb") as handle:
            count = fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut before the cursor moves
    finally:
        os.close(directory)
    return count
