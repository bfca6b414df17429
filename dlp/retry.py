"""The retry queue: units of work that failed for a transient reason, tried again by later scans.

    failure ──► pending ──(later scans, first thing, once due)──► done      a final outcome: scanned, expired...
                 ▲   │                                        └──► given_up  retry.max_attempts spent
                 └───┘ failed again: attempts + 1, the next attempt after a doubling wait

A unit is a file (an upload, a GPT's or project's knowledge file), a log file, or a GPT or project
whose configs could not be listed. Its row lives in the `retry_queue` table and is written by
`Store.commit` in the transaction that stores the attempt's result (the file's outcome and findings,
the log stream's cursor), as dlt keeps its load jobs' states: a kill loses nothing and the queue is
never ahead of the data or behind it. Whether a failure queues the unit or is final is decided by the
error's class (`dlp.errors.is_transient`), not by lists of exception types.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dlp.config import RetryConfig
from dlp.records import FileRef, Item, ItemKind

UPLOAD_RETENTION = timedelta(hours=48)  # chat uploads are gone 48 h after upload (compliance-api.md)


class UnitKind(str, enum.Enum):
    FILE = "file"
    LOG_FILE = "log_file"
    GPT = "gpt"
    PROJECT = "project"


class QueueState(str, enum.Enum):
    PENDING = "pending"  # tried again by a later scan once next_attempt_at has passed
    DONE = "done"  # reached a final outcome (scanned, expired, a 404...): see `outcome`
    GIVEN_UP = "given_up"  # retry.max_attempts spent; `outcome` and `last_error` say what it ended as and why


@dataclass(frozen=True)
class QueueRow:
    """One unit's row in `retry_queue`, in the table's column order."""

    kind: str
    unit_id: str
    stream: str | None
    state: str
    outcome: str | None
    attempts: int
    first_failed_at: datetime
    last_attempt_at: datetime
    next_attempt_at: datetime | None
    last_error: str
    payload: str | None
    scan_id: str = ""

    @property
    def pending(self) -> bool:
        return self.state == QueueState.PENDING.value

    def due(self, now: datetime) -> bool:
        return self.pending and (self.next_attempt_at is None or self.next_attempt_at <= now)

    def as_tuple(self) -> tuple[Any, ...]:
        return dataclasses.astuple(self)


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed unit is tried again, and when it is given up."""

    config: RetryConfig = RetryConfig()

    def wait_after(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failure: none after the first (the next scan tries at once)."""
        if attempts <= 1:
            return timedelta(0)
        seconds = self.config.backoff_seconds * 2 ** (attempts - 2)
        return timedelta(seconds=min(self.config.backoff_cap_seconds, seconds))

    def failed(
        self, previous: QueueRow | None, kind: UnitKind, unit_id: str, *, stream: str | None, error: str,
        payload: str | None, now: datetime, scan_id: str, spends: bool = True,
    ) -> QueueRow:  # fmt: skip
        """The row after a failed attempt: pending again, or given up once the budget is spent.

        `spends=False` (a 403: waiting for a permission, not failing) keeps the unit pending, due at
        every scan, and counts no attempt. A given-up row's `outcome` is left for the caller to set.
        """
        attempts = (previous.attempts if previous else 0) + (1 if spends else 0)
        first = previous.first_failed_at if previous else now
        if not spends:
            return QueueRow(kind.value, unit_id, stream, QueueState.PENDING.value, None, attempts, first, now, now,
                            error[:500], payload, scan_id)  # fmt: skip
        if spends and attempts >= self.config.max_attempts:
            return QueueRow(kind.value, unit_id, stream, QueueState.GIVEN_UP.value, None, attempts, first, now, None,
                            error[:500], payload, scan_id)  # fmt: skip
        return QueueRow(kind.value, unit_id, stream, QueueState.PENDING.value, None, attempts, first, now,
                        now + self.wait_after(attempts), error[:500], payload, scan_id)  # fmt: skip

    @staticmethod
    def finished(previous: QueueRow, outcome: str, now: datetime, scan_id: str, reason: str = "") -> QueueRow:
        """The row of a queued unit that reached a final outcome on a retry."""
        return dataclasses.replace(
            previous, state=QueueState.DONE.value, outcome=outcome, attempts=previous.attempts + 1,
            last_attempt_at=now, next_attempt_at=None, last_error=reason[:500] or previous.last_error,
            scan_id=scan_id,
        )  # fmt: skip


def gave_up_reason(row: QueueRow) -> str:
    return (f"gave up after {row.attempts} attempts (retry.max_attempts) since "
            f"{row.first_failed_at:%Y-%m-%d %H:%M} UTC; the last one: {row.last_error}")  # fmt: skip


def upload_past_retention(item: Item, now: datetime) -> bool:
    """A chat upload older than the 48 h the platform keeps uploads: gone, whatever the last error said."""
    ref = item.file_ref
    return ref is not None and ref.owner_kind == "user" and item.created_at is not None and \
        now - item.created_at > UPLOAD_RETENTION


# -- what a retry needs, as JSON -----------------------------------------------------------------


def item_payload(item: Item) -> str:
    """An item as JSON, so a later scan rebuilds it exactly (the same ids, so the same finding ids)."""
    value = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    value["kind"] = item.kind.value
    value["created_at"] = item.created_at.isoformat() if item.created_at else None
    value["parts"] = [list(p) for p in item.parts]
    value["file_ref"] = dataclasses.asdict(item.file_ref) if item.file_ref else None
    return json.dumps(value, sort_keys=True)


def item_from_payload(payload: str) -> Item:
    known = {f.name for f in dataclasses.fields(Item)}
    value = {k: v for k, v in json.loads(payload).items() if k in known}  # written by an older or newer version
    value["kind"] = ItemKind(value["kind"])
    value["created_at"] = datetime.fromisoformat(value["created_at"]) if value["created_at"] else None
    value["parts"] = tuple(tuple(p) for p in value["parts"])
    value["file_ref"] = FileRef(**value["file_ref"]) if value["file_ref"] else None
    return Item(**value)
