"""The Logs Platform: events rolled into immutable JSONL files per event type.

Each event lands in the file of the roll window that contains its delivery
time (its timestamp, plus a delay in late-delivery mode). A file's `end_time`
is its window's end plus a small flush lag; it is listed once the clock has
passed its end_time and until it is older than the retention. File bytes
are rendered on demand from the workspace, so a 100,000-message workspace
keeps only small references in memory.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from dlp.emulator import events, randomness
from dlp.emulator.settings import EmulatorSettings
from dlp.emulator.workspace import Workspace

EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)
WORKSPACE_EVENT_TYPES = frozenset({
    "CONVERSATION_MESSAGE", "APP_LOG", "APP_AUTH_LOG", "AUTH_LOG", "AUDIT_LOG", "CODEX_LOG",
    "CODEX_SECURITY_LOG", "CUSTOM_AGENTS_LOG", "CHATGPT_PLUGIN_SPREADSHEET", "MEMORY_CONTEXT",
})
ORGANIZATION_EVENT_TYPES = frozenset({"COSTS", "APP_ORGANIZATION_LOG", "APP_AUTH_ORGANIZATION_LOG"})


@dataclass(order=False)
class LogFile:
    id: str
    event_type: str
    window: int
    end_time: datetime
    refs: list[tuple] = field(default_factory=list)  # (timestamp, kind, *payload)

    @property
    def file_name(self) -> str:
        return f"{self.event_type}_{self.end_time.isoformat()}.jsonl"


class LogStore:
    def __init__(self, workspace: Workspace, settings: EmulatorSettings) -> None:
        self.workspace = workspace
        self.settings = settings
        self.roll = timedelta(seconds=settings.log_roll_seconds)
        self._files: dict[str, dict[int, LogFile]] = {}
        self._by_id: dict[str, LogFile] = {}
        self._sorted: dict[str, list[LogFile]] = {}
        self._sorted_ends: dict[str, list[datetime]] = {}
        self._digests: dict[str, tuple[int, str]] = {}
        self._lock = threading.RLock()
        self._render_cached = lru_cache(maxsize=64)(self._render)
        self._index_generated()

    # -- building ---------------------------------------------------------------------------
    def _index_generated(self) -> None:
        ws = self.workspace
        for stub in ws.conversations:
            from dlp.emulator.conversations import timeline

            for number, slot in enumerate(timeline(ws.seed, stub.index, stub.turns, bool(stub.attachment_ids))):
                if slot.role == "system":
                    continue  # system messages are not logged as CONVERSATION_MESSAGE events
                at = stub.created_at + timedelta(seconds=slot.offset)
                self._place("CONVERSATION_MESSAGE", at, ("msg", stub.index, number))
        for call in ws.app_calls:
            app = events.app_call(ws, call)
            for part, body in ((0, app.request), (1, app.response)):
                at = datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
                self._place("APP_LOG", at, ("app", call.index, part))
        for position, stub in enumerate(ws.simple_events):
            self._place(stub.event_type, stub.at, ("simple", position))
        for position, stub in enumerate(ws.activities):
            for part, body in enumerate(events.activity(ws, stub).events):
                at = datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
                self._place(stub.event_type, at, ("activity", position, part))
        for event_type in self._files:
            self._resort(event_type)

    def _place(self, event_type: str, at: datetime, ref: tuple, late: bool = True) -> None:
        faults = self.settings.faults
        seed = self.workspace.seed
        delivered = at
        if late and faults.late_delivery_max_minutes > 0:
            delay = randomness.unit_hash(seed, "late", *ref) * faults.late_delivery_max_minutes
            delivered = at + timedelta(minutes=delay)
        window = self._window_of(delivered)
        self._file_for(event_type, window).refs.append((at, *ref))
        if faults.duplicate_event_rate > 0 and randomness.unit_hash(seed, "dup", *ref) < faults.duplicate_event_rate:
            later = window + 1 + int(randomness.unit_hash(seed, "dup-window", *ref) * 4)
            self._file_for(event_type, later).refs.append((at, *ref))

    def _window_of(self, moment: datetime) -> int:
        return int((moment - EPOCH) / self.roll)

    def _file_for(self, event_type: str, window: int) -> LogFile:
        per_type = self._files.setdefault(event_type, {})
        log_file = per_type.get(window)
        if log_file is None:
            seed = self.workspace.seed
            lag = timedelta(microseconds=int(randomness.unit_hash(seed, "lag", event_type, window) * 2_000_000))
            end_time = EPOCH + self.roll * (window + 1) + lag
            digest = hashlib.sha256(f"{seed}|{self.workspace.workspace_id}|{event_type}|{window}".encode())
            log_file = LogFile("eclf_" + digest.hexdigest()[:24], event_type, window, end_time)
            per_type[window] = log_file
            self._by_id[log_file.id] = log_file
        return log_file

    def _resort(self, event_type: str) -> None:
        ordered = sorted(self._files[event_type].values(), key=lambda f: f.end_time)
        self._sorted[event_type] = ordered
        self._sorted_ends[event_type] = [f.end_time for f in ordered]

    # -- live events ------------------------------------------------------------------------
    def append_live(self, event_type: str, event: dict[str, Any], now: datetime) -> None:
        """Add an event happening now (an audit record, a new message) to the open window."""
        with self._lock:
            window = self._window_of(now)
            existing = self._files.get(event_type, {}).get(window)
            self._file_for(event_type, window).refs.append((now, "live", event))
            if existing is None:
                self._resort(event_type)

    # -- listing and reading ----------------------------------------------------------------
    def list_files(self, event_type: str, after: datetime, before: datetime | None, limit: int,
                   now: datetime, inclusive: bool = False) -> tuple[list[LogFile], bool]:
        """Files with end_time > after (>= if inclusive; < before), visible now, ascending; and whether more remain."""
        with self._lock:
            ends = self._sorted_ends.get(event_type, [])
            ordered = self._sorted.get(event_type, [])
            oldest = now - timedelta(days=self.settings.log_retention_days)
            if inclusive or after < oldest:
                start = bisect.bisect_left(ends, max(after, oldest))
            else:
                start = bisect.bisect_right(ends, after)
            page: list[LogFile] = []
            has_more = False
            for log_file in ordered[start:]:
                if log_file.end_time > now or (before is not None and log_file.end_time >= before):
                    break
                if len(page) == limit:
                    has_more = True
                    break
                page.append(log_file)
            return page, has_more

    def max_event_time(self, event_type: str, now: datetime) -> datetime | None:
        """The newest event timestamp among the files visible now (None: no retained event)."""
        with self._lock:
            oldest = now - timedelta(days=self.settings.log_retention_days)
            times = [ref[0] for f in self._sorted.get(event_type, []) if oldest <= f.end_time <= now
                     for ref in f.refs]  # fmt: skip
            return max(times) if times else None

    def get_visible(self, file_id: str, now: datetime) -> LogFile | None:
        log_file = self._by_id.get(file_id)
        if log_file is None or log_file.end_time > now:
            return None
        if log_file.end_time < now - timedelta(days=self.settings.log_retention_days):
            return None
        return log_file

    def file_bytes(self, log_file: LogFile) -> bytes:
        with self._lock:
            return self._render_cached(log_file.id)

    def size_and_sha256(self, log_file: LogFile) -> tuple[int, str]:
        """The true size and digest (computed once: a listed file is closed and immutable)."""
        with self._lock:
            cached = self._digests.get(log_file.id)
            if cached is None:
                data = self.file_bytes(log_file)
                cached = (len(data), hashlib.sha256(data).hexdigest())
                self._digests[log_file.id] = cached
            return cached

    def listed_sha256(self, log_file: LogFile) -> str:
        """The digest the listing advertises; wrong on purpose for files picked by the sha-mismatch knob."""
        _, digest = self.size_and_sha256(log_file)
        rate = self.settings.faults.sha_mismatch_rate
        if rate > 0 and randomness.unit_hash(self.workspace.seed, "sha", log_file.id) < rate:
            return hashlib.sha256(b"mismatch" + digest.encode()).hexdigest()
        return digest

    def _render(self, file_id: str) -> bytes:
        log_file = self._by_id[file_id]
        lines = []
        for ref in sorted(log_file.refs, key=lambda r: r[0]):
            lines.append(json.dumps(self._event(ref), ensure_ascii=False, separators=(",", ":")))
        return ("\n".join(lines) + "\n").encode("utf-8")

    def _event(self, ref: tuple) -> dict[str, Any]:
        kind = ref[1]
        ws = self.workspace
        if kind == "msg":
            conversation = ws.conversation_at(ref[2])
            return events.conversation_message(ws, conversation, ref[3], self.settings.message_files_in_logs)
        if kind == "app":
            app = events.app_call(ws, ws.app_calls[ref[2]])
            return app.request if ref[3] == 0 else app.response
        if kind == "simple":
            return events.simple_event(ws, ws.simple_events[ref[2]])
        if kind == "activity":
            return events.activity(ws, ws.activities[ref[2]]).events[ref[3]]
        return ref[2]  # a live event, stored as rendered

    def all_files(self, event_type: str) -> list[LogFile]:
        with self._lock:
            return list(self._sorted.get(event_type, []))

    def event_types(self) -> list[str]:
        return sorted(self._files)
