"""The streams one scan reads, each a class with a name, its own cursor, and its units of work.

A stream reads its source unit by unit (a log file, a user's library, a GPT)
and hands each unit's batch to the scanner, which inspects and commits it with
the stream's cursor. How a stream ended is a `StreamOutcome`: a 403 makes it
`forbidden` and the other streams go on; a source the API does not serve (the
deprecated conversations listing, a log category at the other scope) is
`not_served`, which is not an error.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from dlp.config import MAX_LOOKBACK_DAYS
from dlp.ingest.conversations import items_from_conversation, iter_conversation_pages, latest_activity
from dlp.ingest.events import KNOWN_EVENT_TYPES, event_id_of, items_from_event, parse_time
from dlp.ingest.http import ApiError, AuthError, GoneError, NotFoundError, ScopeError
from dlp.ingest.library import iter_library_files, library_file_item
from dlp.ingest.logs import (
    LogCursor,
    LogFile,
    LogFileError,
    LogScope,
    PageEnd,
    download_log_file,
    iso,
    list_log_files,
    parse_jsonl,
)
from dlp.errors import DlpError, is_transient
from dlp.ingest.stateful import GPTS, PROJECTS, Family, Gpt, gpt_config_items, list_gpts, list_users
from dlp.records import FileOutcome, Item
from dlp.retry import QueueRow, UnitKind, gave_up_reason, item_from_payload
from dlp.store.db import Batch, FileRecord, LogFileRecord

if TYPE_CHECKING:
    from dlp.pipeline import Claims, Scanner

PREFETCH_LOG_FILES = 4  # log files downloaded and inspected ahead of the one being committed


class StreamStatus(str, enum.Enum):
    READ = "read"  # read to its end
    EMPTY = "empty"  # read to its end; nothing was there
    FORBIDDEN = "forbidden"  # 403: the key lacks the permission; the scan is incomplete
    NOT_SERVED = "not_served"  # the API does not serve it (here): gone, or the other scope's category
    STOPPED = "stopped"  # an error stopped it before its end; the next scan resumes it
    SKIPPED = "skipped"  # nothing to ask for (no user known to read the libraries of)


@dataclass
class StreamOutcome:
    name: str  # the cursor name: logs:CONVERSATION_MESSAGE, org-logs:COSTS, library_files, gpts, ...
    scope: str = "workspace"  # workspace | organization
    status: StreamStatus = StreamStatus.READ
    units: int = 0  # log files, users' libraries, GPTs... read
    detail: str = ""
    freshness: str = ""  # "events up to T, N min behind" (log streams)

    def line(self) -> str:
        """`logs:CODEX_LOG (workspace): read; 3 log files; events up to T, 4 min behind`."""
        parts = [f"{self.name} ({self.scope}): {self.status.value.replace('_', ' ')}"]
        if self.status in (StreamStatus.READ, StreamStatus.EMPTY) or self.units:
            parts.append(f"{self.units} {_UNITS.get(self.name.partition(':')[0], 'units')}")
        if self.freshness:
            parts.append(self.freshness)
        if self.detail:
            parts.append(self.detail)
        return "; ".join(parts)


_UNITS = {"logs": "log files", "org-logs": "log files", "library_files": "users' libraries", "users": "users",
          "gpts": "GPTs", "projects": "projects", "conversations": "conversations", "retry_queue": "units retried"}


class StreamStopped(Exception):
    """A stream stopped on a unit it could not process; the failure is already recorded with the unit."""


class _NotDue(Exception):
    """A log file in the retry queue whose next attempt is later: its stream waits at it."""


class Stream(ABC):
    name: str
    scope: str = "workspace"

    def outcome(self) -> StreamOutcome:
        return StreamOutcome(self.name, self.scope)

    @abstractmethod
    async def run(self, scan: "Scanner", outcome: StreamOutcome) -> None:
        """Read the source unit by unit, committing each through `scan`; count units in `outcome`."""


# -- users ---------------------------------------------------------------------------------------


class UsersStream(Stream):
    name = "users"

    async def run(self, scan: "Scanner", outcome: StreamOutcome) -> None:
        try:
            users = await list_users(scan.client)
        except NotFoundError as exc:
            raise NotFoundError(
                f"Workspace {scan.client.workspace_id} was not found ({exc}). Check api.workspace_id: it is the "
                "workspace UUID shown in the ChatGPT Enterprise admin console.",
                404,
            ) from None
        rows = []
        for user in users:
            scan.users[user.id] = user.email
            if user.status == "inactive":
                scan.inactive_users.add(user.id)
            in_scope = scan.scope.user_in_scope(user.id, user.email)
            rows.append((user.id, user.email, user.name, user.role, user.status, in_scope))
        scan.store.upsert_users(rows)
        scan.users_listed = True
        outcome.units = len(users)
        scan.progress(f"{len(users)} users")


# -- log streams -----------------------------------------------------------------------------------


class LogStream(Stream):
    """One log category at one scope: list, download and inspect a few files ahead, commit strictly in order."""

    def __init__(self, event_type: str, scope: LogScope = LogScope.WORKSPACE) -> None:
        self.event_type = event_type
        self.log_scope = scope
        self.scope = scope.value
        self.name = scope.stream(event_type)

    def start_cursor(self, scan: "Scanner") -> LogCursor:
        lookback = min(scan.config.ingest.lookback_days, MAX_LOOKBACK_DAYS)
        floor = LogCursor(iso(scan.now() - timedelta(days=lookback)))
        saved = scan.store.get_cursor(self.name)
        if saved is None or scan.mode == "historical":
            return floor
        return LogCursor.from_json(saved)

    async def run(self, scan: "Scanner", outcome: StreamOutcome) -> None:
        cursor = self.start_cursor(scan)
        start, end = parse_time(cursor.after), scan.now()
        scan.progress_update(self.name, 0, covered=0.0)
        window: asyncio.Queue[tuple[LogFile | PageEnd, asyncio.Task[Batch] | None, Claims | None] | None] = (
            asyncio.Queue(PREFETCH_LOG_FILES)
        )
        pending: dict[asyncio.Task[Batch], Claims] = {}  # started, not yet committed: stopped on the way out

        async def produce() -> None:
            try:
                async for entry in list_log_files(scan.client, self.event_type, cursor, self.log_scope):
                    if isinstance(entry, PageEnd) or scan.store.processed_log_files([entry.id]):
                        await window.put((entry, None, None))  # nothing to fetch: only the cursor moves
                    else:
                        claims = scan.claim()
                        task = asyncio.create_task(self._prepare(scan, entry, claims))
                        pending[task] = claims
                        await window.put((entry, task, claims))
            finally:
                await window.put(None)

        producer = asyncio.create_task(produce())
        try:
            while (queued := await window.get()) is not None:
                entry, prepared, claims = queued
                if isinstance(entry, PageEnd):
                    cursor = cursor.at_page_end(entry)
                    scan.commit(Batch(cursors={self.name: cursor.to_json()}))
                    continue
                batch = Batch()
                if prepared is not None:
                    try:
                        batch = await prepared
                    except (AuthError, ScopeError):
                        raise  # a key problem, not this file's: the scanner records the stream as forbidden
                    except (LogFileError, ApiError, _NotDue) as exc:
                        batch = self._failed(scan, entry, exc)  # raises StreamStopped unless it is final
                    else:
                        outcome.units += 1
                        scan.report.log_files += 1
                    del pending[prepared]
                cursor = cursor.advanced_past(entry)
                batch.cursors[self.name] = cursor.to_json()
                scan.commit(batch, claims)
                position = parse_time(entry.end_time)
                covered = (position - start) / (end - start) if start and position and end > start else None
                scan.progress_update(self.name, outcome.units, covered=covered,
                                     note=f"{self.name}: log file {entry.id} ({entry.end_time})")  # fmt: skip
            await producer  # surfaces a listing error
        finally:
            if not producer.done():
                producer.cancel()
            while not window.empty():  # room for the producer's closing None
                window.get_nowait()
            for task, claims in pending.items():  # work that will not be committed: stop it, collect its errors
                task.cancel()
                scan.release(claims)
            await asyncio.gather(producer, *pending, return_exceptions=True)
        if outcome.units == 0:
            outcome.status = StreamStatus.EMPTY

    def _failed(self, scan: "Scanner", entry: LogFile, exc: Exception) -> Batch:
        """A log file that could not be read. The cursor must never pass it while it may still be read:
        record it, put it in the retry queue, and stop the stream (StreamStopped). Returns the batch that
        lets the cursor pass it only once that is final: gone (410) or its retries given up."""
        if isinstance(exc, _NotDue):
            raise StreamStopped(f"{self.name}: log file {entry.id} waits in the retry queue: {exc}") from None
        previous = scan.queued(UnitKind.LOG_FILE, entry.id)
        now = scan.now()

        def record(status: str, reason: str) -> LogFileRecord:
            return LogFileRecord(entry.id, entry.event_type, entry.end_time, entry.file_sha256, 0, status, reason[:500])

        if isinstance(exc, GoneError):  # the API says the file is past the platform's retention: final
            reason = f"gone (410): past the Logs Platform's retention before it was read: {exc}"
            done = [scan.retry.finished(previous, "expired", now, scan.report.scan_id, reason)] if previous else []
            scan.report.warnings.append(f"{self.name}: log file {entry.id}: {reason}")
            return Batch(log_files=[record("expired", reason)], retries=done)
        row = scan.retry.failed(previous, UnitKind.LOG_FILE, entry.id, stream=self.name, error=str(exc), payload=None,
                                now=now, scan_id=scan.report.scan_id)  # fmt: skip
        if not row.pending:  # the budget is spent: record why, and let the stream go on past it
            row = dataclasses.replace(row, outcome="given_up")
            return Batch(log_files=[record("given_up", gave_up_reason(row))], retries=[row])
        message = (f"{self.name}: log file {entry.id} not processed: {exc}; tried again next scan "
                   f"(attempt {row.attempts} of {scan.config.retry.max_attempts})")  # fmt: skip
        scan.commit(Batch(log_files=[record("failed", str(exc))], errors=[("ingest", entry.id, message)],
                          retries=[row]))  # fmt: skip
        scan.flush()
        raise StreamStopped(message)

    async def _prepare(self, scan: "Scanner", log_file: LogFile, claims: Claims) -> Batch:
        """Download, verify, parse and inspect one log file; the caller commits the batch in order.

        Its new events and items are taken in `claims` until that commit, so the log files prepared
        alongside it (an event delivered twice, an upload two messages name) leave them to it.
        """
        queued = scan.queued(UnitKind.LOG_FILE, log_file.id)
        if queued is not None and not queued.due(scan.now()):
            raise _NotDue(f"next attempt after {queued.next_attempt_at:%Y-%m-%d %H:%M} UTC ({queued.last_error})")
        data = await download_log_file(scan.client, log_file, self.log_scope)
        batch = Batch()
        try:
            events = parse_jsonl(data)
        except (LogFileError, UnicodeDecodeError) as exc:
            events = []
            batch.errors.append(("ingest", log_file.id, f"log file {log_file.id} is not valid JSONL: {exc}"))
        event_ids = [event_id_of(e) for e in events]
        seen = scan.seen_events(event_ids)
        items: dict[str, Item] = {}
        workspace_id = scan.client.workspace_id or ""
        for event, event_id in zip(events, event_ids):
            if event_id in seen:
                continue
            seen.add(event_id)
            claims.events.add(event_id)
            parsed = items_from_event(event, workspace_id, log_file.event_type)
            batch.event_ids.append((event_id, parsed.event_type, log_file.id))
            scan.report.event_types[parsed.event_type] += 1
            if parsed.event_type not in KNOWN_EVENT_TYPES:
                scan.report.unknown_event_types[parsed.event_type] += 1
            if parsed.user_id:
                scan.seen_users.setdefault(parsed.user_id, parsed.user_email)
            email = parsed.user_email or scan.users.get(parsed.user_id or "")
            if not scan.scope.user_in_scope(parsed.user_id, email):
                scan.scope.count_skip("user_events")
                continue
            if not scan.scope.gpt_in_scope(parsed.gpt_id, parsed.gpt_name):
                scan.scope.count_skip("gpt_events")
                continue
            for item in parsed.items:
                if item.user_email is None and email:
                    item = scan.with_email(item, email)
                items.setdefault(item.item_id, item)
        await scan.inspect_items(list(items.values()), batch, claims)
        batch.log_files.append(
            LogFileRecord(log_file.id, log_file.event_type, log_file.end_time, log_file.file_sha256, len(events),
                          "processed")
        )  # fmt: skip
        if queued is not None:
            batch.retries.append(scan.retry.finished(queued, "processed", scan.now(), scan.report.scan_id))
        return batch


# -- library files ---------------------------------------------------------------------------------


class LibraryFilesStream(Stream):
    """Each in-scope user's uploaded files: one unit per user; files are fetched once, whatever path found them."""

    name = "library_files"

    async def run(self, scan: "Scanner", outcome: StreamOutcome) -> None:
        workspace_id = scan.client.workspace_id or ""
        not_found = 0
        users = scan.library_users()
        if not users:
            outcome.status = StreamStatus.SKIPPED
            outcome.detail = "no user in scope is known (the users list was not readable and no event named one)"
            return
        for user_id, email in users:
            try:
                entries = [entry async for entry in iter_library_files(scan.client, user_id)]
            except NotFoundError:  # a user removed since the list, or a server without the route
                not_found += 1
                continue
            except DlpError as exc:
                if not is_transient(exc):
                    raise
                # Every scan lists every library again: note it (the scan is incomplete) and go on to the next.
                scan.commit(Batch(errors=[("ingest", user_id, f"{self.name}: user {user_id}: not listed: {exc}")]))
                continue
            items = [library_file_item(entry, workspace_id, user_id, email) for entry in entries if entry.get("id")]
            batch = Batch()
            await scan.inspect_items(items, batch)
            scan.commit(batch)
            outcome.units += 1
        if not_found and outcome.units == 0:
            outcome.status = StreamStatus.NOT_SERVED
            outcome.detail = "every users/{id}/library_files call answered 404"


# -- the deprecated conversations listing --------------------------------------------------------


class ConversationsStream(Stream):
    """The stateful `/conversations` listing, where it still answers (404 and 410 mean it is gone)."""

    name = "conversations"

    async def run(self, scan: "Scanner", outcome: StreamOutcome) -> None:
        saved = scan.store.get_cursor(self.name)
        lookback = min(scan.config.ingest.lookback_days, MAX_LOOKBACK_DAYS)
        since = (scan.now() - timedelta(days=lookback)).timestamp()
        if saved is not None and scan.mode != "historical":
            since = float(saved["since_timestamp"])
        newest = since
        workspace_id = scan.client.workspace_id or ""
        try:
            async for page in iter_conversation_pages(scan.client, since):
                batch = Batch()
                items: dict[str, Item] = {}
                for conversation in page:
                    if not scan.scope.user_in_scope(conversation.get("user_id"), conversation.get("user_email")):
                        scan.scope.count_skip("user_conversations")
                        continue
                    for item in items_from_conversation(conversation, workspace_id):
                        if scan.scope.gpt_in_scope(item.gpt_id, None):
                            items.setdefault(item.item_id, item)
                await scan.inspect_items(list(items.values()), batch)
                newest = max(newest, latest_activity(page) or newest)
                # since_timestamp is inclusive (>=): restarting from the newest time seen re-reads at most
                # the conversations updated in that second, which the item ids de-duplicate.
                batch.cursors[self.name] = {"since_timestamp": newest}
                scan.commit(batch)
                outcome.units += len(page)
        except (NotFoundError, GoneError, ScopeError) as exc:
            # 404 in the newest route inventory, 410 on a live probe; a 403 where the same key reads users
            # is the same retired route (it is optional, so it never makes a scan incomplete).
            outcome.status = StreamStatus.NOT_SERVED
            outcome.detail = (
                f"the deprecated listing answered HTTP {exc.status}; conversation text comes from the Logs "
                "Platform and uploads from message references and the users' library files"
            )


# -- GPTs and projects -----------------------------------------------------------------------------


class ContainerStream(Stream):
    """GPTs (or projects): every config version not yet stored, and its knowledge files."""

    def __init__(self, family: Family) -> None:
        self.family = family
        self.name = family.path

    async def run(self, scan: "Scanner", outcome: StreamOutcome) -> None:
        family = self.family
        try:
            containers = [g async for g in list_gpts(scan.client, family)]
        except (NotFoundError, GoneError) as exc:
            outcome.status = StreamStatus.NOT_SERVED
            outcome.detail = f"the endpoint answered {exc}"
            return
        in_scope = {g.id: self.in_scope(scan, g) for g in containers}
        rows = [(g.id, g.name, g.owner_id, g.owner_email, g.visibility, in_scope[g.id]) for g in containers]
        if family is GPTS:
            scan.store.upsert_gpts(rows)
        else:
            scan.store.upsert_projects(rows)
        total = sum(in_scope.values())
        scan.progress_update(family.path, 0, total=total)
        given_up = {r.unit_id: r for r in scan.store.queued("given_up", self.kind.value)}
        for container in containers:
            if not in_scope[container.id]:
                scan.scope.count_skip(family.path)
                continue
            outcome.units += 1
            scan.progress_update(family.path, outcome.units, total=total, note=f"{family.path}: {container.id}")
            # Config versions are immutable: if the newest is stored, every older one is too.
            latest = container.latest_config_item_id
            if latest and scan.known_items([latest]):
                continue
            if scan.queued(self.kind, container.id) is not None:  # the retry queue's (done first)
                continue
            dropped = given_up.get(container.id)
            if dropped is not None and dropped.payload and \
                    Gpt.from_json(dropped.payload).latest_config_id == container.latest_config_id:
                continue  # given up at this version; a new version is read afresh
            await self.read(scan, container)
        scan.progress(f"{len(containers)} {family.path}")

    @property
    def kind(self) -> UnitKind:
        return UnitKind.GPT if self.family is GPTS else UnitKind.PROJECT

    async def read(self, scan: "Scanner", container: Gpt, previous: QueueRow | None = None) -> None:
        """Read one GPT's (or project's) config versions and knowledge files and commit them. A transient
        failure puts it in the retry queue and the stream goes on with the next one."""
        now = scan.now()
        try:
            items = [item async for item in gpt_config_items(scan.client, container)]
        except (NotFoundError, GoneError) as exc:
            if previous is None:
                raise
            # Deleted since it was queued: final, nothing left to read.
            scan.commit(Batch(retries=[scan.retry.finished(previous, "not_found", now, scan.report.scan_id, str(exc))]))
            return
        except DlpError as exc:
            if not is_transient(exc):
                raise
            row = scan.retry.failed(previous, self.kind, container.id, stream=self.name, error=str(exc),
                                    payload=container.to_json(), now=now, scan_id=scan.report.scan_id)  # fmt: skip
            if row.pending:
                message = (f"{self.name}: {container.id}: configs not read: {exc}; tried again next scan "
                           f"(attempt {row.attempts} of {scan.config.retry.max_attempts})")  # fmt: skip
                scan.commit(Batch(retries=[row], errors=[("ingest", container.id, message)]))
            else:
                scan.commit(Batch(retries=[dataclasses.replace(row, outcome="given_up")]))
            return
        batch = Batch()
        await scan.inspect_items(items, batch)
        if previous is not None:
            batch.retries.append(scan.retry.finished(previous, "read", now, scan.report.scan_id))
        scan.commit(batch)

    @staticmethod
    def in_scope(scan: "Scanner", container: Gpt) -> bool:
        if container.family is GPTS:
            return scan.scope.gpt_in_scope(container.id, container.name)
        # Projects belong to a user: the user filters decide.
        return scan.scope.user_in_scope(container.owner_id, container.owner_email)


# -- the retry queue -------------------------------------------------------------------------------

RETRY_FILES_PER_COMMIT = 16


class RetryQueueStream(Stream):
    """The units earlier scans could not finish, whose next attempt is due: files (uploads first: they
    expire), then GPTs and projects. Log files wait in their own stream, which resumes at them."""

    name = "retry_queue"

    async def run(self, scan: "Scanner", outcome: StreamOutcome) -> None:
        now = scan.now()
        due = [row for row in scan.queue.values() if row.due(now)]
        files = [(row, item_from_payload(row.payload or "")) for row in due if row.kind == UnitKind.FILE.value]
        files.sort(key=lambda queued: (queued[1].file_ref is None or queued[1].file_ref.owner_kind != "user",
                                       queued[0].first_failed_at))  # fmt: skip
        if not scan.config.ingest.files:  # metadata-only mode: the files wait until files are read again
            files = []
        for start in range(0, len(files), RETRY_FILES_PER_COMMIT):
            batch = Batch()
            items = []
            for row, item in files[start : start + RETRY_FILES_PER_COMMIT]:
                if self._in_scope(scan, item):
                    items.append(item)
                    continue
                reason = "out of scope since it was queued (the scope filters changed): never fetched"
                batch.files.append(FileRecord(row.unit_id, FileOutcome.OUT_OF_SCOPE.value, reason, name=item.file_name,
                                              owner_kind=item.file_ref.owner_kind if item.file_ref else None,
                                              user_id=item.user_id, gpt_id=item.gpt_id or item.project_id))  # fmt: skip
                batch.retries.append(scan.retry.finished(row, FileOutcome.OUT_OF_SCOPE.value, now, scan.report.scan_id,
                                                         reason))  # fmt: skip
            await scan.inspect_items(items, batch, retrying=True)
            scan.commit(batch)
            outcome.units += len(items)
            scan.progress_update(self.name, outcome.units, total=len(due), note=f"{self.name}: files")
        for family in (GPTS, PROJECTS):
            stream = ContainerStream(family)
            for row in due:
                if row.kind != stream.kind.value:
                    continue
                container = Gpt.from_json(row.payload or "")
                if not ContainerStream.in_scope(scan, container):
                    scan.commit(Batch(retries=[scan.retry.finished(row, "out_of_scope", now, scan.report.scan_id)]))
                    continue
                await stream.read(scan, container, row)
                outcome.units += 1
        if outcome.units == 0:
            outcome.status = StreamStatus.EMPTY

    @staticmethod
    def _in_scope(scan: "Scanner", item: Item) -> bool:
        """The scope filters as the stream that found the file applied them, with today's configuration."""
        owner = item.file_ref.owner_kind if item.file_ref else "user"
        if owner == "project":  # a project belongs to its owner: the user filters decide
            project = scan.store.container(PROJECTS.path, item.project_id)
            if project is None:
                return scan.scope.user_in_scope(item.user_id, item.user_email)
            return scan.scope.user_in_scope(project.owner_id, project.owner_email)
        gpt = scan.store.container(GPTS.path, item.gpt_id)
        if not scan.scope.gpt_in_scope(item.gpt_id, gpt.name if gpt else None):
            return False
        return owner == "gpt" or scan.scope.user_in_scope(item.user_id, item.user_email)
