"""Triage decisions: an analyst marks findings, by id or by fingerprint, with a state, a note and a name.

Decisions are appended, never updated: the latest about a finding (directly, or through its
value's fingerprint) is its state in `findings_current`, and the rest is its history. Marking a
fingerprint covers every finding of that value, past and future; `false_positive` on a fingerprint
suppresses it in later scans and alerts.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from dlp.errors import DlpError, Terminal


class TriageState(enum.StrEnum):
    OPEN = "open"
    FALSE_POSITIVE = "false_positive"  # not sensitive data; suppressed from now on when marked by fingerprint
    ACCEPTED_RISK = "accepted_risk"  # real, and allowed (a test card, a shared sandbox key)
    RESOLVED = "resolved"  # real, and dealt with (key rotated, file removed)


class TriageError(DlpError, Terminal):
    """A decision that cannot be recorded (an unknown finding id, a malformed fingerprint)."""


FINDING_ID = re.compile(r"^[0-9a-f]{32}$")
FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Target:
    kind: str  # finding | fingerprint
    value: str


def parse_targets(con: duckdb.DuckDBPyConnection, values: Iterable[str]) -> list[Target]:
    """Finding ids (32 hex digits) must exist; fingerprints (64) may be of values not seen yet."""
    targets: list[Target] = []
    for raw in values:
        value = raw.strip().lower()
        if FINDING_ID.match(value):
            targets.append(Target("finding", value))
        elif FINGERPRINT.match(value):
            targets.append(Target("fingerprint", value))
        else:
            raise TriageError(f"{raw[:70]!r} is neither a finding id (32 hex digits) nor a fingerprint (64 hex digits)")
    ids = [t.value for t in targets if t.kind == "finding"]
    if ids:
        rows = con.execute("SELECT finding_id FROM findings WHERE finding_id IN (SELECT UNNEST(?))", [ids]).fetchall()
        missing = sorted(set(ids) - {r[0] for r in rows})
        if missing:
            raise TriageError(f"no finding with id {', '.join(missing[:5])} in this database; nothing was recorded")
    return list(dict.fromkeys(targets))


def mark(
    con: duckdb.DuckDBPyConnection,
    targets: list[Target],
    state: TriageState,
    *,
    note: str | None,
    actor: str,
    now: datetime,
) -> int:
    """Record one decision per target, all in one transaction. Returns how many stored findings they cover."""
    con.execute("BEGIN TRANSACTION")
    try:
        for t in targets:
            con.execute(
                "INSERT INTO triage (target_kind, target, state, note, actor, decided_at) VALUES (?, ?, ?, ?, ?, ?)",
                [t.kind, t.value, state.value, note, actor, now],
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return covered(con, targets)


def covered(con: duckdb.DuckDBPyConnection, targets: list[Target]) -> int:
    ids = [t.value for t in targets if t.kind == "finding"]
    fps = [t.value for t in targets if t.kind == "fingerprint"]
    row = con.execute(
        "SELECT count(*) FROM findings WHERE finding_id IN (SELECT UNNEST(?)) OR fingerprint IN (SELECT UNNEST(?))",
        [ids, fps],
    ).fetchone()
    return int(row[0]) if row else 0


def history(con: duckdb.DuckDBPyConnection, value: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every decision about a finding (directly or through its fingerprint), or about a fingerprint, oldest first."""
    cursor = con.execute(
        """SELECT t.decided_at, t.target_kind, t.target, t.state, t.actor, t.note FROM triage t
           WHERE (t.target_kind = 'finding' AND t.target = $v)
              OR (t.target_kind = 'fingerprint' AND (t.target = $v
                  OR t.target IN (SELECT fingerprint FROM findings WHERE finding_id = $v)))
           ORDER BY t.triage_id""",
        {"v": value.strip().lower()},
    )
    return [d[0] for d in cursor.description], cursor.fetchall()


def summary(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Findings and distinct values per current triage state."""
    cursor = con.execute(
        """SELECT triage_state, count(*) AS findings, count(DISTINCT fingerprint) AS "values"
           FROM findings_current GROUP BY ALL ORDER BY findings DESC, triage_state"""
    )
    return [d[0] for d in cursor.description], cursor.fetchall()


def false_positive_fingerprints(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(fingerprint, note) of every fingerprint whose latest decision is false_positive: a suppression file's lines."""
    return con.execute(
        """SELECT fingerprint, coalesce(reason, '') FROM suppression_rules WHERE source = 'triage' ORDER BY fingerprint"""
    ).fetchall()
