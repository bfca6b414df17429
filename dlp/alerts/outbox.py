"""The alert outbox: one row per (receiver, finding), moved between explicit states in the database.

    pending ──claim──► sending ──► sent                         (2xx)
       ▲                  │──────► pending, later               (certainly not delivered: backoff)
       │                  │──────► failed                       (rejected, or attempts/age used up)
       │                  └──────► unknown                      (in doubt: no answer, or a crash)
       └── requeue (`dlp alerts retry`) ◄── failed | unknown
    pending ──► suppressed   (its finding was marked false_positive before it went out)

Rows are written by `Store.commit` in the transaction that stores their findings, so an alert
exists exactly when its finding does. A claim (state `sending`, attempts + 1, an `alert_attempts`
row) is committed before the request leaves, so a crash mid-request is found at the next start as
a `sending` row: in doubt, it is not sent again unless the receiver is configured to accept repeats.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import duckdb

IN_FLIGHT_LOST = "in doubt: the process stopped while this request was in flight"


def _transaction(con: duckdb.DuckDBPyConnection, statements: Sequence[tuple[str, list[Any]]]) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        for sql, params in statements:
            con.execute(sql, params)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def recover_in_flight(con: duckdb.DuckDBPyConnection, resend: Sequence[str], now: datetime) -> int:
    """Rows left `sending` by a process that stopped mid-request. Returns how many were found.

    For receivers in `resend` (they drop repeated finding ids) the alert goes out again;
    for the others it is recorded as unknown and never sent again automatically.
    """
    rows = con.execute("SELECT receiver, attempt_id FROM outbox WHERE state = 'sending'").fetchall()
    if not rows:
        return 0
    _transaction(
        con,
        [
            ("UPDATE alert_attempts SET outcome = 'in_doubt', finished_at = ?, error = ? "
             "WHERE attempt_id IN (SELECT attempt_id FROM outbox WHERE state = 'sending') AND outcome IS NULL",
             [now, IN_FLIGHT_LOST]),
            ("UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ? "
             "WHERE state = 'sending' AND list_contains(?, receiver)", [now, IN_FLIGHT_LOST, list(resend)]),
            ("UPDATE outbox SET state = 'unknown', finished_at = ?, last_error = ? WHERE state = 'sending'",
             [now, IN_FLIGHT_LOST]),
        ],
    )  # fmt: skip
    return len(rows)


def suppress_triaged(con: duckdb.DuckDBPyConnection, now: datetime) -> int:
    """Pending alerts whose finding is now a false positive: never sent."""
    row = con.execute(
        """UPDATE outbox SET state = 'suppressed', finished_at = ?, last_error = 'marked false_positive before delivery'
           WHERE state = 'pending' AND finding_id IN (SELECT finding_id FROM findings_current WHERE suppressed)
           RETURNING 1""",
        [now],
    ).fetchall()
    return len(row)


def give_up_stale(con: duckdb.DuckDBPyConnection, older_than: datetime, now: datetime, hours: float) -> int:
    rows = con.execute(
        """UPDATE outbox SET state = 'failed', finished_at = ?,
                  last_error = coalesce(last_error || '; ', '') || ?
           WHERE state = 'pending' AND enqueued_at < ? RETURNING 1""",
        [now, f"given up: not delivered within {hours:g} h", older_than],
    ).fetchall()
    return len(rows)


def due(con: duckdb.DuckDBPyConnection, receiver: str, now: datetime, limit: int) -> list[str]:
    rows = con.execute(
        """SELECT finding_id FROM outbox WHERE receiver = ? AND state = 'pending' AND next_attempt_at <= ?
           ORDER BY enqueued_at, finding_id LIMIT ?""",
        [receiver, now, limit],
    ).fetchall()
    return [r[0] for r in rows]


def next_due(con: duckdb.DuckDBPyConnection, receivers: Sequence[str]) -> datetime | None:
    row = con.execute(
        "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending' AND list_contains(?, receiver)",
        [list(receivers)],
    ).fetchone()
    return row[0] if row else None


def attempts_since(con: duckdb.DuckDBPyConnection, receiver: str, since: datetime) -> list[datetime]:
    rows = con.execute(
        "SELECT started_at FROM alert_attempts WHERE receiver = ? AND started_at > ? ORDER BY started_at",
        [receiver, since],
    ).fetchall()
    return [r[0] for r in rows]


def claim(con: duckdb.DuckDBPyConnection, receiver: str, finding_ids: Sequence[str], attempt_id: str, now: datetime) -> None:
    """Committed before the request leaves: a crash from here on leaves the rows `sending`."""
    _transaction(
        con,
        [
            ("INSERT INTO alert_attempts (attempt_id, receiver, started_at, findings) VALUES (?, ?, ?, ?)",
             [attempt_id, receiver, now, len(finding_ids)]),
            ("UPDATE outbox SET state = 'sending', attempts = attempts + 1, attempt_id = ? "
             "WHERE receiver = ? AND state = 'pending' AND list_contains(?, finding_id)",
             [attempt_id, receiver, list(finding_ids)]),
        ],
    )  # fmt: skip


def finish(
    con: duckdb.DuckDBPyConnection,
    attempt_id: str,
    *,
    outcome: str,
    http_status: int | None,
    error: str | None,
    state: str,
    now: datetime,
    retry_at: datetime | None = None,
    max_attempts: int = 0,
) -> None:
    """Record an attempt's result on its rows. A retry past `max_attempts` is given up as failed."""
    statements: list[tuple[str, list[Any]]] = [
        ("UPDATE alert_attempts SET outcome = ?, http_status = ?, error = ?, finished_at = ? WHERE attempt_id = ?",
         [outcome, http_status, error, now, attempt_id]),
    ]  # fmt: skip
    if state == "pending":
        statements += [
            ("UPDATE outbox SET state = 'failed', finished_at = ?, last_error = ? "
             "WHERE attempt_id = ? AND state = 'sending' AND attempts >= ?",
             [now, f"given up after {max_attempts} attempts: {error}", attempt_id, max_attempts]),
            ("UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ? "
             "WHERE attempt_id = ? AND state = 'sending'", [retry_at, error, attempt_id]),
        ]  # fmt: skip
    else:
        statements.append(
            ("UPDATE outbox SET state = ?, finished_at = ?, last_error = ? WHERE attempt_id = ? AND state = 'sending'",
             [state, now, error, attempt_id])
        )  # fmt: skip
    _transaction(con, statements)


def hold_receiver(con: duckdb.DuckDBPyConnection, receiver: str, until: datetime) -> None:
    """A receiver that just failed: its other pending alerts wait too, instead of each failing in turn."""
    con.execute(
        "UPDATE outbox SET next_attempt_at = greatest(next_attempt_at, ?) WHERE receiver = ? AND state = 'pending'",
        [until, receiver],
    )


def requeue(con: duckdb.DuckDBPyConnection, states: Sequence[str], receiver: str | None, now: datetime) -> int:
    """An operator's decision: send failed or in-doubt alerts again (attempts start over)."""
    rows = con.execute(
        """UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, enqueued_at = ?, finished_at = NULL,
                  last_error = 'requeued by an operator after: ' || coalesce(last_error, state)
           WHERE list_contains(?, state) AND (? IS NULL OR receiver = ?) RETURNING 1""",
        [now, now, list(states), receiver, receiver],
    ).fetchall()
    return len(rows)


def status(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple[Any, ...]]]:
    cursor = con.execute(
        """SELECT receiver, state, count(*) AS alerts, max(attempts) AS max_attempts,
                  min(next_attempt_at) FILTER (WHERE state = 'pending') AS next_attempt_at,
                  any_value(last_error) FILTER (WHERE last_error IS NOT NULL) AS an_error
           FROM outbox GROUP BY ALL ORDER BY receiver, state"""
    )
    return [d[0] for d in cursor.description], cursor.fetchall()


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))
