"""The DuckDB findings store: idempotent writes, one transaction per unit of progress.

A unit of progress (one log file, one GPT config, one knowledge file) is
committed together with the cursor that covers it, so a scan killed at any
moment restarts from the last committed unit and rewrites nothing twice.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa

from dlp.errors import DlpError, Transient
from dlp.records import Finding, Item
from dlp.retry import QueueRow
from dlp.store.readonly import connect_read_only, snapshot_path


@dataclass(frozen=True)
class FileRecord:
    file_id: str
    outcome: str
    reason: str = ""
    name: str | None = None
    owner_kind: str | None = None
    user_id: str | None = None
    gpt_id: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    file_type: str | None = None
    chars: int = 0
    segments: int = 0
    truncated: bool = False


@dataclass(frozen=True)
class ItemRecord:
    item: Item
    chars: int
    findings: int


@dataclass(frozen=True)
class LogFileRecord:
    log_file_id: str
    event_type: str
    end_time: str | None
    sha256: str | None
    events: int
    status: str
    reason: str = ""


class Container(NamedTuple):
    name: str | None
    owner_id: str | None
    owner_email: str | None


@dataclass
class Batch:
    """Everything one unit of progress writes, committed atomically with its cursor."""

    items: list[ItemRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    event_ids: list[tuple[str, str, str | None]] = field(default_factory=list)  # (event_id, type, log file)
    log_files: list[LogFileRecord] = field(default_factory=list)
    errors: list[tuple[str, str | None, str]] = field(default_factory=list)  # (stage, object id, message)
    cursors: dict[str, dict[str, Any]] = field(default_factory=dict)  # stream -> value
    retries: list[QueueRow] = field(default_factory=list)  # retry-queue rows (later ones for a unit win)

    def extend(self, other: "Batch") -> None:
        """Fold a later batch into this one (its cursors win): many units, one transaction."""
        self.items.extend(other.items)
        self.findings.extend(other.findings)
        self.files.extend(other.files)
        self.event_ids.extend(other.event_ids)
        self.log_files.extend(other.log_files)
        self.errors.extend(other.errors)
        self.cursors.update(other.cursors)
        self.retries.extend(other.retries)

    def __len__(self) -> int:
        return (len(self.items) + len(self.findings) + len(self.files) + len(self.event_ids) + len(self.log_files)
                + len(self.retries))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _owner_only(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        if candidate.exists():
            os.chmod(candidate, 0o600)


class StoreBusyError(DlpError, Transient, RuntimeError):
    """The database file is locked by another process (a scan, or a reader such as a notebook)."""


LOCK_POLL_SECONDS = 2.0
_QUEUE_COLUMNS = ("unit_kind, unit_id, stream, state, outcome, attempts, first_failed_at, last_attempt_at, "
                  "next_attempt_at, last_error, payload, scan_id")
_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


def lock_holder(exc: BaseException) -> str:
    """`another process (PID 123: /usr/bin/python3)`, from DuckDB's lock error where it says."""
    found = _HOLDER.search(str(exc))
    return f"another process (PID {found.group(2)}: {found.group(1)})" if found else "another process"


def _is_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


class Store:
    """One writer connection to the findings database.

    A writer needs the file to itself: a notebook's read-only connection blocks it too. With
    `lock_wait_seconds` the store retries the lock for that long (saying so through `on_wait`)
    before it gives up with StoreBusyError; readers that must never block a scan read the
    snapshot a scan publishes (`dlp.store.readonly`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        lock_wait_seconds: float = 0.0,
        on_wait: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self._last_found_at: datetime | None = None
        if read_only:
            try:
                self.con = connect_read_only(self.path)
            except duckdb.IOException as exc:
                if not _is_lock_error(exc):
                    raise
                snapshot = snapshot_path(self.path)
                hint = f"; read the snapshot instead: {snapshot}" if snapshot.exists() else ""
                raise StoreBusyError(f"{self.path} is being written by {lock_holder(exc)}{hint}") from None
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        old_umask = os.umask(0o077)  # the database holds evidence metadata: owner only, from birth
        try:
            self.con = self._connect_waiting(lock_wait_seconds, on_wait, sleep, clock)
            self.con.execute(resources.files("dlp.store").joinpath("schema.sql").read_text())
        finally:
            os.umask(old_umask)
        _owner_only(self.path)

    def _connect_waiting(
        self,
        wait_seconds: float,
        on_wait: Callable[[str], None] | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> duckdb.DuckDBPyConnection:
        deadline = clock() + wait_seconds
        told = False
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as exc:
                if not _is_lock_error(exc):
                    raise
                holder = lock_holder(exc)
                left = deadline - clock()
                if left <= 0:
                    waited = f" after waiting {wait_seconds:g} s" if wait_seconds > 0 else ""
                    raise StoreBusyError(
                        f"{self.path} is open in {holder}{waited}: a writer needs the file to itself. Another "
                        "dlp scan, or a notebook or BI tool holding a connection, has it; readers should open "
                        "the snapshot a scan publishes (store.snapshot) instead of the live database"
                    ) from None
                if on_wait is not None and not told:
                    on_wait(f"{self.path} is open in {holder}; waiting up to {left:.0f} s for it")
                    told = True
                sleep(min(LOCK_POLL_SECONDS, left))

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- scans -------------------------------------------------------------------------------
    def start_scan(self, scan_id: str, *, api_url: str, workspace_id: str, mode: str) -> list[tuple[str, datetime]]:
        """Record a new running scan. Scans still `running` are dead (a writer has the file to itself):
        they become `interrupted`, ended when last seen alive. Returns those (scan id, last seen)."""
        now = _now()
        self.con.execute("BEGIN TRANSACTION")
        try:
            abandoned = self.con.execute(
                """UPDATE scans SET status = 'interrupted', finished_at = coalesce(last_seen_at, started_at),
                          message = 'stopped without a word (killed, or the machine went down); found still running '
                                    || 'by scan ' || ? || '; last seen alive at '
                                    || strftime(coalesce(last_seen_at, started_at) AT TIME ZONE 'UTC',
                                                '%Y-%m-%d %H:%M:%S UTC')
                   WHERE status = 'running' RETURNING scan_id, coalesce(last_seen_at, started_at)""",
                [scan_id],
            ).fetchall()
            self.con.execute(
                """INSERT INTO scans (scan_id, started_at, status, api_url, workspace_id, mode, last_seen_at)
                   VALUES (?, ?, 'running', ?, ?, ?, ?)""",
                [scan_id, now, api_url, workspace_id, mode, now],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return [(r[0], r[1]) for r in abandoned]

    def finish_scan(self, scan_id: str, status: str, message: str = "") -> None:
        now = _now()
        self.con.execute(
            "UPDATE scans SET finished_at = ?, status = ?, message = ?, last_seen_at = ? WHERE scan_id = ?",
            [now, status, message, now, scan_id],
        )

    # -- reads used to skip work -------------------------------------------------------------
    def get_cursor(self, stream: str) -> dict[str, Any] | None:
        rows = self.con.execute("SELECT value FROM cursors WHERE stream = ?", [stream]).fetchall()
        return json.loads(rows[0][0]) if rows else None

    def _existing(self, table: str, column: str, ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return set()
        rows = self.con.execute(f"SELECT {column} FROM {table} WHERE {column} IN (SELECT UNNEST(?))", [ids]).fetchall()
        return {r[0] for r in rows}

    def known_items(self, item_ids: Iterable[str]) -> set[str]:
        return self._existing("items", "item_id", item_ids)

    def known_files(self, file_ids: Iterable[str]) -> set[str]:
        """Files with a final outcome; one waiting in the retry queue is not final."""
        ids = list(dict.fromkeys(file_ids))
        if not ids:
            return set()
        rows = self.con.execute(
            "SELECT file_id FROM files WHERE outcome <> 'pending_retry' AND file_id IN (SELECT UNNEST(?))", [ids]
        ).fetchall()
        return {r[0] for r in rows}

    def queued(self, state: str = "pending", kind: str | None = None) -> list[QueueRow]:
        """The retry queue's rows in one state (of one unit kind), oldest failure first."""
        rows = self.con.execute(
            f"""SELECT {_QUEUE_COLUMNS} FROM retry_queue WHERE state = ? AND (? IS NULL OR unit_kind = ?)
                ORDER BY first_failed_at, unit_kind, unit_id""",
            [state, kind, kind],
        ).fetchall()
        return [QueueRow(*row) for row in rows]

    def container(self, table: str, container_id: str | None) -> Container | None:
        """A stored GPT or project (`table`: gpts | projects), as the latest listing described it."""
        if container_id is None:
            return None
        key = "gpt_id" if table == "gpts" else "project_id"
        row = self.con.execute(
            f"SELECT name, owner_id, owner_email FROM {table} WHERE {key} = ?", [container_id]
        ).fetchone()
        return Container(*row) if row else None

    def queue_summary(self, scan_id: str) -> dict[str, Any]:
        """What the retry queue holds after a scan: pending units by kind, the next due time, and the
        units this scan gave up on or finished."""
        pending = dict(self.con.execute(
            "SELECT unit_kind, count(*) FROM retry_queue WHERE state = 'pending' GROUP BY ALL"
        ).fetchall())  # fmt: skip
        next_at = self.con.execute("SELECT min(next_attempt_at) FROM retry_queue WHERE state = 'pending'").fetchone()
        ended = dict(self.con.execute(
            "SELECT state, count(*) FROM retry_queue WHERE scan_id = ? AND state <> 'pending' GROUP BY ALL", [scan_id]
        ).fetchall())  # fmt: skip
        return {"pending": pending, "next_attempt_at": next_at[0] if next_at else None,
                "done": ended.get("done", 0), "given_up": ended.get("given_up", 0)}

    def known_file_hashes(self, hashes: Iterable[str]) -> set[str]:
        return self._existing("files", "sha256", hashes)

    def file_with_content(self, sha256: str) -> dict[str, Any] | None:
        """A file already inspected whose bytes have this digest, with how it went."""
        cursor = self.con.execute(
            """SELECT file_id, file_type, outcome, reason, chars, segments, truncated FROM files
               WHERE sha256 = ? AND outcome NOT IN ('fetch_failed', 'pending_retry', 'expired')
               ORDER BY recorded_at LIMIT 1""",
            [sha256],
        )
        rows = cursor.fetchall()
        return dict(zip([d[0] for d in cursor.description], rows[0])) if rows else None

    def findings_of_item(self, item_id: str) -> list[dict[str, Any]]:
        cursor = self.con.execute("SELECT * FROM findings WHERE item_id = ?", [item_id])
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def seen_events(self, event_ids: Iterable[str]) -> set[str]:
        return self._existing("events", "event_id", event_ids)

    def processed_log_files(self, log_file_ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(log_file_ids))
        if not ids:
            return set()
        rows = self.con.execute(
            "SELECT log_file_id FROM log_files WHERE status = 'processed' AND log_file_id IN (SELECT UNNEST(?))", [ids]
        ).fetchall()
        return {r[0] for r in rows}

    # -- the one write path ------------------------------------------------------------------
    def _bulk(self, verb: str, table: str, rows: Sequence[Sequence[Any]], key: int | None = 0) -> None:
        """Insert many rows in one statement through an Arrow table (row-at-a-time inserts cost ms each).

        Rows are in the table's column order. With `key`, later rows replace earlier ones with the
        same key first, since one statement may not touch a key twice.
        """
        if not rows:
            return
        if key is not None:
            rows = list({row[key]: row for row in rows}.values())
        width = len(rows[0])
        staging = pa.table({f"c{i}": [row[i] for row in rows] for i in range(width)})
        name = f"staging_{table}"
        self.con.register(name, staging)
        try:
            self.con.execute(f"{verb} INTO {table} SELECT * FROM {name}")
        finally:
            self.con.unregister(name)

    def commit(self, scan_id: str, batch: Batch) -> int:
        """Write a batch and its cursors in one transaction. Returns how many findings are new.

        The same transaction records which new findings are suppressed (their fingerprint is in a
        reviewed file or marked false_positive) and queues an alert for each of the others that a
        receiver's route accepts, so an alert exists exactly when its finding does.
        """
        con = self.con
        now = self._commit_time()
        con.execute("BEGIN TRANSACTION")
        try:
            new_ids = {f.finding_id for f in batch.findings} - self._existing(
                "findings", "finding_id", (f.finding_id for f in batch.findings)
            )
            # one id may repeat inside a batch (overlapping windows): keep the first
            first: dict[str, Finding] = {}
            for f in batch.findings:
                if f.finding_id in new_ids:
                    first.setdefault(f.finding_id, f)
            self._bulk("INSERT OR IGNORE", "findings", [self._finding_row(f, now) for f in first.values()])
            self._bulk("INSERT OR REPLACE", "items", [self._item_row(r, scan_id, now) for r in batch.items])
            self._bulk(
                "INSERT OR REPLACE", "files",
                [
                    (f.file_id, f.name, f.owner_kind, f.user_id, f.gpt_id, f.sha256, f.size_bytes, f.file_type,
                     f.outcome, f.reason, f.chars, f.segments, f.truncated, scan_id, now)
                    for f in batch.files
                ],
            )  # fmt: skip
            self._bulk("INSERT OR IGNORE", "events", [(eid, etype, lf, scan_id) for eid, etype, lf in batch.event_ids])
            self._bulk(
                "INSERT OR REPLACE", "log_files",
                [
                    (l.log_file_id, l.event_type, l.end_time, l.sha256, l.events, l.status, l.reason, scan_id, now)
                    for l in batch.log_files
                ],
            )  # fmt: skip
            self._bulk(
                "INSERT", "scan_errors", [(scan_id, now, stage, obj, msg) for stage, obj, msg in batch.errors], key=None
            )
            self._bulk(
                "INSERT OR REPLACE", "cursors",
                [(stream, json.dumps(value, sort_keys=True), scan_id, now) for stream, value in batch.cursors.items()],
            )  # fmt: skip
            queue = {(r.kind, r.unit_id): r for r in batch.retries}  # a unit's latest state in this batch
            self._bulk("INSERT OR REPLACE", "retry_queue",
                       [dataclasses.replace(r, scan_id=scan_id).as_tuple() for r in queue.values()], key=None)
            con.execute(
                """UPDATE scans SET items_scanned = items_scanned + ?, files_scanned = files_scanned + ?,
                   findings_new = findings_new + ?, errors = errors + ?, last_seen_at = ? WHERE scan_id = ?""",
                [
                    len(batch.items),
                    sum(1 for f in batch.files if f.outcome == "scanned"),
                    len(first),
                    len(batch.errors),
                    now,
                    scan_id,
                ],
            )
            if first:
                self._suppress_and_queue(scan_id, now)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return len(first)

    def _commit_time(self) -> datetime:
        """Strictly later than every earlier commit's, even if the wall clock steps back.

        So `found_at` names one commit: the commit hooks select this commit's new findings by it,
        and an export cursor that stops at a `found_at` never splits a commit.
        """
        if self._last_found_at is None:
            self._last_found_at = self.con.execute("SELECT max(found_at) FROM findings").fetchone()[0]  # type: ignore[index]
        now = _now()
        if self._last_found_at is not None and now <= self._last_found_at:
            now = self._last_found_at + timedelta(microseconds=1)
        self._last_found_at = now
        return now

    def _suppress_and_queue(self, scan_id: str, now: datetime) -> None:
        self.con.execute(
            """INSERT OR IGNORE INTO suppressed
               SELECT f.finding_id, f.fingerprint, s.reason, s.source, ?, ?
               FROM findings f JOIN suppression_rules s USING (fingerprint) WHERE f.found_at = ?""",
            [scan_id, now, now],
        )
        self.con.execute(
            """INSERT OR IGNORE INTO outbox (receiver, finding_id, state, attempts, next_attempt_at, enqueued_at, scan_id)
               SELECT r.receiver, f.finding_id, 'pending', 0, ?, ?, ?
               FROM findings f JOIN alert_routes r
                 ON list_contains(r.severities, f.severity)
                AND (r.entities IS NULL OR list_contains(r.entities, f.entity))
                AND (r.rules IS NULL OR list_contains(r.rules, f.rule_id))
               WHERE f.found_at = ? AND f.finding_id NOT IN (SELECT finding_id FROM suppressed WHERE suppressed_at = ?)""",
            [now, now, scan_id, now, now],
        )

    # -- what a scan loads from its configuration ----------------------------------------------
    def load_suppression_list(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Replace the reviewed suppression files' entries: (fingerprint, reason, file:line)."""
        rows = [(fp, reason, source, _now()) for fp, reason, source in entries]
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM suppression_list")
            self._bulk("INSERT", "suppression_list", rows)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def load_alert_routes(self, routes: Iterable[tuple[str, Sequence[str], Sequence[str] | None, Sequence[str] | None]]) -> None:
        """Replace the alert routes: (receiver, accepted severities, entities or None, rules or None)."""
        rows = [(name, list(sev), list(ent) if ent else None, list(rules) if rules else None) for name, sev, ent, rules in routes]
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM alert_routes")
            for row in rows:  # a handful of receivers; Arrow cannot infer a list column that is all NULL
                self.con.execute("INSERT INTO alert_routes VALUES (?, ?, ?, ?)", list(row))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def upsert_users(self, rows: Sequence[tuple[str, str | None, str | None, str | None, str | None, bool]]) -> None:
        self._bulk("INSERT OR REPLACE", "users", rows)

    def upsert_projects(self, rows: Sequence[tuple[str, str | None, str | None, str | None, str | None, bool]]) -> None:
        self._bulk("INSERT OR REPLACE", "projects", rows)

    def upsert_gpts(self, rows: Sequence[tuple[str, str | None, str | None, str | None, str | None, bool]]) -> None:
        self._bulk("INSERT OR REPLACE", "gpts", rows)

    @staticmethod
    def _finding_row(f: Finding, now: datetime) -> tuple[Any, ...]:
        return (
            f.finding_id, f.scan_id, now, f.rule_id, f.entity, f.severity, f.score, f.likelihood, f.detector,
            f.item_id, f.item_kind, f.workspace_id, f.user_id, f.user_email, f.gpt_id, f.project_id,
            f.conversation_id, f.message_id, f.file_id, f.file_name, f.location, f.start, f.end, f.snippet,
            f.fingerprint, f.decoded, list(f.tags), f.item_created_at,
        )  # fmt: skip

    @staticmethod
    def _item_row(r: ItemRecord, scan_id: str, now: datetime) -> tuple[Any, ...]:
        i = r.item
        return (
            i.item_id, i.kind.value, i.source, i.workspace_id, i.user_id, i.user_email, i.gpt_id, i.project_id,
            i.conversation_id, i.message_id, i.file_id, i.file_name, i.role, i.created_at, scan_id, now,
            r.chars, r.findings,
        )  # fmt: skip


def query(path: str | Path, sql: str, params: Sequence[Any] = ()) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run read-only SQL on a findings database; returns (column names, rows)."""
    with Store(path, read_only=True) as store:
        try:
            cursor = store.con.execute(sql, list(params))
        except (duckdb.PermissionException, duckdb.InvalidInputException) as exc:
            if isinstance(exc, duckdb.InvalidInputException) and "locked" not in str(exc):
                raise
            raise type(exc)(
                f"{exc}\n(queries read the findings database and nothing else: no files, no extensions, "
                "no other databases; `dlp export` writes findings to files)"
            ) from None
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall()


def as_dicts(columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row)) for row in rows]


