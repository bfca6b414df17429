"""The Logs Platform: list JSONL log files per event type and scope, download, verify, parse.

`after` is strictly later than the given time in the newest description
(compliance-api.md, Update 2026-12 item 3, N1) and inclusive in an older
integration (S9, S8). The cursor is right under both: it holds the `end_time`
it may resume from plus the ids of files already stored that the server may
list again, and it only moves to a time once every listed file up to that
time is stored (a same-time file not yet stored would be lost under an
exclusive `after`). Listing entries without `end_time` (psoxy's sample has
only `id`) are processed and remembered by id, never dropped.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from dlp.errors import DlpError, Transient
from dlp.ingest.events import parse_time
from dlp.ingest.http import ApiError, ComplianceClient
from dlp.ingest.ratelimit import RouteClass

PAGE_LIMIT = 100


class LogScope(str, enum.Enum):
    """Where a log category is read: the workspace route, or the organization route (`api.organization_id`)."""

    WORKSPACE = "workspace"
    ORGANIZATION = "organization"

    def stream(self, event_type: str) -> str:
        """The cursor name: `logs:TYPE` for the workspace (as before), `org-logs:TYPE` for the organization."""
        return f"logs:{event_type}" if self is LogScope.WORKSPACE else f"org-logs:{event_type}"


def scope_path(client: ComplianceClient, scope: LogScope) -> str:
    if scope is LogScope.ORGANIZATION:
        if client.organization_path is None:
            raise ApiError("the organization scope needs api.organization_id")
        return client.organization_path
    return client.workspace_path


@dataclass(frozen=True)
class LogFile:
    id: str
    event_type: str
    end_time: str | None
    file_name: str | None
    file_size: int | None
    file_sha256: str | None
    # The cursor may not move to this file's end_time once it is stored: it has none, or the next listed
    # file shares it (under an exclusive `after`, moving there would skip that file).
    hold: bool = False
    peers: frozenset[str] = frozenset()  # listed before it on its page with the same end_time


@dataclass(frozen=True)
class PageEnd:
    """Every file of a listed page: once they are stored, the cursor may continue from `last_end_time`."""

    last_end_time: str | None
    at_end: frozenset[str]  # ids on the page whose end_time is last_end_time (or that have none)


@dataclass(frozen=True)
class LogCursor:
    after: str  # ISO-8601: the time the next listing starts from
    boundary_ids: frozenset[str] = frozenset()  # stored files the server may list again from `after`

    def to_json(self) -> dict[str, Any]:
        return {"after": self.after, "boundary_ids": sorted(self.boundary_ids)}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "LogCursor":
        return cls(after=value["after"], boundary_ids=frozenset(value.get("boundary_ids", ())))

    def advanced_past(self, log_file: LogFile) -> "LogCursor":
        """The cursor once `log_file` is stored."""
        if log_file.hold or log_file.end_time is None or _time_key(log_file.end_time) <= _time_key(self.after):
            return LogCursor(self.after, self.boundary_ids | {log_file.id})
        return LogCursor(log_file.end_time, log_file.peers | {log_file.id})

    def at_page_end(self, page: PageEnd) -> "LogCursor":
        """The cursor once every file of a page is stored."""
        if page.last_end_time is None or _time_key(page.last_end_time) <= _time_key(self.after):
            return self
        return LogCursor(page.last_end_time, page.at_end)


class LogFileError(DlpError, Transient):
    """A log file that could not be read intact (checksum mismatch, not JSONL); the platform may serve it
    intact later, so its stream tries it again next scan (within `retry.max_attempts`)."""


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _time_key(value: str) -> datetime:
    return parse_time(value) or datetime.min.replace(tzinfo=timezone.utc)


async def list_log_files(
    client: ComplianceClient, event_type: str, cursor: LogCursor, scope: LogScope = LogScope.WORKSPACE
) -> AsyncIterator[LogFile | PageEnd]:
    """Every listed file after the cursor, in listed order, once; each page closed by a PageEnd."""
    path = f"{scope_path(client, scope)}/logs"
    after = cursor.after
    seen: set[str] = set(cursor.boundary_ids)
    while True:
        params = {"event_type": event_type, "after": after, "limit": PAGE_LIMIT}
        page = await client.get_json(path, params, RouteClass.LOGS)
        documents = _documents(page)
        entries = [e for d in documents for raw in (d.get("data") or []) if (e := _log_file(raw, event_type))]
        new_on_page = 0
        for index, entry in enumerate(entries):
            following = entries[index + 1] if index + 1 < len(entries) else None
            peers = frozenset(e.id for e in entries[:index] if e.end_time is not None and e.end_time == entry.end_time)
            hold = entry.end_time is None or (following is not None and following.end_time == entry.end_time)
            if entry.id in seen:
                continue
            seen.add(entry.id)
            new_on_page += 1
            yield LogFile(entry.id, entry.event_type, entry.end_time, entry.file_name, entry.file_size,
                          entry.file_sha256, hold, peers)  # fmt: skip
        last = documents[-1] if documents else {}
        next_after = last.get("last_end_time")
        if not isinstance(next_after, str) or not next_after:
            next_after = None
        at_end = frozenset(e.id for e in entries if e.end_time is None or e.end_time == next_after)
        yield PageEnd(next_after, at_end)
        if not last.get("has_more"):
            return
        if next_after is None or _time_key(next_after) < _time_key(after):
            raise ApiError(f"logs list for {event_type}: has_more is true but last_end_time does not advance")
        if next_after == after and new_on_page == 0:
            # A full page of files all at the boundary time, all seen: an inclusive `after` cannot move past
            # them, so more pages would repeat this one.
            raise ApiError(f"logs list for {event_type}: more than {PAGE_LIMIT} files share end_time {after}")
        after = next_after


def _documents(page: Any) -> list[dict[str, Any]]:
    """The list response; tolerate the occasional multi-document body seen in production (S8)."""
    if isinstance(page, dict):
        return [page]
    if isinstance(page, list):
        return [p for p in page if isinstance(p, dict)]
    return []


def _log_file(raw: Any, event_type: str) -> LogFile | None:
    if not isinstance(raw, dict) or not raw.get("id"):
        return None
    end_time = raw.get("end_time")
    size = raw.get("file_size")
    return LogFile(
        id=str(raw["id"]),
        event_type=str(raw.get("event_type") or event_type),
        end_time=str(end_time) if end_time else None,
        file_name=raw.get("file_name") if isinstance(raw.get("file_name"), str) else None,
        file_size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        file_sha256=(raw.get("file_sha256") or None) if isinstance(raw.get("file_sha256"), (str, type(None))) else None,
    )


async def download_log_file(
    client: ComplianceClient, log_file: LogFile, scope: LogScope = LogScope.WORKSPACE, attempts: int = 3
) -> bytes:
    """The file's bytes, checked against its sha256; a mismatch is fetched again, then reported.

    A spent signed URL is the client's to renew (`ComplianceClient.download`); a 410 from the API
    (GoneError) means the file is past the platform's retention and is raised as is.
    """
    last_problem = ""
    path = f"{scope_path(client, scope)}/logs/{log_file.id}"
    for _ in range(attempts):
        data = await client.download(path, None, RouteClass.LOGS)
        if not log_file.file_sha256 or hashlib.sha256(data).hexdigest() == log_file.file_sha256.lower():
            return data
        last_problem = f"sha256 mismatch ({len(data)} bytes received)"
    raise LogFileError(f"log file {log_file.id}: {last_problem}")


def parse_jsonl(data: bytes) -> list[dict[str, Any]]:
    """One JSON object per line; also objects concatenated without newlines (S8). Bad lines raise."""
    text = data.decode("utf-8")
    decoder = json.JSONDecoder()
    events: list[dict[str, Any]] = []
    position = 0
    length = len(text)
    while position < length:
        while position < length and text[position] in " \t\r\n":
            position += 1
        if position >= length:
            break
        try:
            obj, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise LogFileError(f"not valid JSONL at character {exc.pos}: {exc.msg}") from None
        if isinstance(obj, dict):
            events.append(obj)
    return events
