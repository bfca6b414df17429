"""One scan: ingest -> extract -> detect -> store, with cursors that move only after the store commits.

The scan reads its streams in order (`dlp/streams.py`): users, the deprecated
conversations listing where it still answers, CONVERSATION_MESSAGE logs, the
users' library files (uploads expire 48 h after upload, so the streams that
find them go first), the other log categories, then GPTs and projects. Units
of progress are committed one at a time, in order, each with its stream's
cursor. A 403 on one stream records it as forbidden and the others go on; the
scan then ends `incomplete`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path

import httpx

from detectors.engine import Engine, EngineSpec
from dlp import soc
from dlp.config import ScanConfig
from dlp.errors import DlpError, is_transient
from dlp.evidence import Fingerprinter
from dlp.extract import ExtractConfig
from dlp.ingest.freshness import max_event_times
from dlp.ingest.http import (
    ApiError,
    AuthError,
    ComplianceClient,
    GoneError,
    NotComplianceApiError,
    NotFoundError,
    RetryLaterError,
    ScopeError,
    TooLargeError,
    UnreachableError,
)
from dlp.ingest.logs import LogFileError, LogScope
from dlp.ingest.permissions import WRONG_WORKSPACE_HINT, advice, permission_for
from dlp.ingest.ratelimit import RouteClass
from dlp.ingest.scope import Scope
from dlp.ingest.stateful import GPTS, PROJECTS, file_content_path
from dlp.inspect import (
    Detection,
    FileJob,
    InspectorPool,
    InspectorSpec,
    InspectResult,
    TextJob,
    rehome,
)
from dlp.progress import ScanProgress
from dlp.records import FileOutcome, Finding, Item, ScanContext
from dlp.redact import display_url
from dlp.retry import QueueRow, QueueState, RetryPolicy, UnitKind, gave_up_reason, item_payload, upload_past_retention
from dlp.store.db import Batch, FileRecord, ItemRecord, Store
from dlp.streams import (
    ContainerStream,
    ConversationsStream,
    LibraryFilesStream,
    LogStream,
    RetryQueueStream,
    Stream,
    StreamOutcome,
    StreamStatus,
    StreamStopped,
    UsersStream,
)

log = logging.getLogger(__name__)

FILE_FETCH_CONCURRENCY = 4
TEXT_JOB_CHUNK = 256  # messages per inspection task
FLUSH_ROWS = 5_000  # staged rows that trigger a commit
FLUSH_UNITS = 200  # staged log files / GPTs that trigger a commit
FLUSH_SECONDS = 5.0  # longest time staged work waits for its commit
FIRST_EVENT_TYPE = "CONVERSATION_MESSAGE"  # read before library files and other types: it references uploads


class ScanStatus(StrEnum):
    """How a scan ended; the CLI maps it to an exit code and `scans.status` stores it."""

    RUNNING = "running"
    COMPLETED = "completed"  # every stream read to its end, every file final, nothing pending in the retry queue
    INCOMPLETE = "incomplete"  # finished, but a stream stopped or was forbidden, or units wait in the retry queue
    FAILED = "failed"  # stopped by an error before the end
    INTERRUPTED = "interrupted"  # stopped by a signal, or found still 'running' by a later scan


@dataclass
class ScanReport:
    scan_id: str
    status: ScanStatus = ScanStatus.RUNNING
    log_files: int = 0
    items: int = 0
    files: Counter[str] = field(default_factory=Counter)  # outcome -> count
    findings_new: int = 0
    errors: list[str] = field(default_factory=list)
    out_of_scope: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    retries: int = 0  # requests sent again after a 429, a 5xx, a timeout or a truncated body
    throttled: int = 0  # of those, 429 answers (waited out, never counted against api.max_retries)
    warnings: list[str] = field(default_factory=list)
    streams: dict[str, StreamOutcome] = field(default_factory=dict)  # how each stream ended
    event_types: Counter[str] = field(default_factory=Counter)  # new events read, per type
    unknown_event_types: Counter[str] = field(default_factory=Counter)  # of those, types not known yet
    # The retry queue after the scan: pending units per kind, the next attempt time, units done or given up
    retry_queue: dict[str, object] = field(default_factory=dict)

    @property
    def retry_pending(self) -> int:
        pending = self.retry_queue.get("pending") or {}
        return sum(pending.values()) if isinstance(pending, dict) else 0

    @property
    def forbidden(self) -> list[str]:
        return [name for name, s in self.streams.items() if s.status is StreamStatus.FORBIDDEN]

    def stream_lines(self) -> list[str]:
        """One line per stream for the scan summary (status, units, freshness)."""
        lines = [outcome.line() for outcome in self.streams.values()
                 if outcome.name != RetryQueueStream.name or outcome.status is not StreamStatus.EMPTY]
        if self.unknown_event_types:
            kinds = ", ".join(f"{t} ({n})" for t, n in sorted(self.unknown_event_types.items()))
            lines.append(f"events of types not known yet (ids stored, payload text inspected): {kinds}")
        return lines


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(eq=False)
class Claims:
    """Ids one unit of work took while it is being inspected, before its commit.

    Log files are downloaded and inspected a few at a time; an event delivered twice, or a file two
    messages name, must be inspected and counted by one of them only. The claim is given back when
    the unit is committed (its ids are staged then) or dropped.
    """

    events: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)


@dataclass
class _Staged:
    """Units of progress inspected but not yet committed (group commit), and what they hold."""

    batch: Batch = field(default_factory=Batch)
    items: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    units: int = 0
    since: float = field(default_factory=time.monotonic)


class Scanner:
    """Wires a client, an inspector pool and a store for one scan, and runs its streams."""

    def __init__(
        self,
        config: ScanConfig,
        client: ComplianceClient,
        pool: InspectorPool,
        store: Store,
        *,
        mode: str = "forward",
        now: Callable[[], datetime] = _utcnow,
        progress: Callable[[str], None] | None = None,
        on_progress: Callable[[ScanProgress], None] | None = None,
    ) -> None:
        self.config = config
        self.client = client
        self.pool = pool
        self.store = store
        self.mode = mode
        self.now = now
        self.progress = progress or (lambda message: None)  # notes: "12 users"
        self.on_progress = on_progress or (lambda snapshot: None)  # where the scan is, after each unit of work
        self.scope = Scope.from_config(config.scope)
        self.report = ScanReport(scan_id=uuid.uuid4().hex)
        self.users: dict[str, str | None] = {}  # user id -> e-mail, from the users list
        self.users_listed = False
        self.inactive_users: set[str] = set()
        self.seen_users: dict[str, str | None] = {}  # user ids named by events of this scan
        self._fetch_slots = asyncio.Semaphore(FILE_FETCH_CONCURRENCY)
        self._staged = _Staged()
        self._forbidden_files: dict[str, str] = {}  # file owner kind -> why its content route answered 403
        self._claims: list[Claims] = []  # units being inspected (log files prepared ahead)
        self._tried_files: set[str] = set()  # files fetched (or tried) in this scan: never twice in one scan
        self.retry = RetryPolicy(config.retry)
        self.queue: dict[tuple[str, str], QueueRow] = {}  # pending retry-queue rows as the scan started

    # -- the whole scan ----------------------------------------------------------------------
    def streams(self) -> list[Stream]:
        """The streams of this scan, in reading order."""
        ingest = self.config.ingest
        scopes = [LogScope.WORKSPACE] + ([LogScope.ORGANIZATION] if self.client.organization_id else [])
        event_types = list(dict.fromkeys(ingest.event_types))
        first = [t for t in event_types if t == FIRST_EVENT_TYPE]
        rest = [t for t in event_types if t != FIRST_EVENT_TYPE]
        streams: list[Stream] = []
        if ingest.users:
            streams.append(UsersStream())
        streams.append(RetryQueueStream())  # units that failed before: first, uploads expire
        if ingest.conversations_fallback:
            streams.append(ConversationsStream())
        streams += [LogStream(t, scope) for t in first for scope in scopes]
        if ingest.library_files and ingest.files:
            streams.append(LibraryFilesStream())
        streams += [LogStream(t, scope) for t in rest for scope in scopes]
        if self.client.organization_id:
            streams += [LogStream(t, LogScope.ORGANIZATION) for t in ingest.organization_event_types
                        if t not in event_types]  # fmt: skip
        if ingest.gpts:
            streams.append(ContainerStream(GPTS))
        if ingest.projects:
            streams.append(ContainerStream(PROJECTS))
        return streams

    async def run(self) -> ScanReport:
        report = self.report
        abandoned = self.store.start_scan(
            report.scan_id, api_url=display_url(self.config.api.url), workspace_id=self.client.workspace_id or "", mode=self.mode
        )
        for scan_id, seen in abandoned:
            seen_utc = seen.astimezone(timezone.utc)
            report.warnings.append(f"scan {scan_id} was still marked running (killed, or the machine went down): "
                                   f"recorded as interrupted, last seen alive at {seen_utc:%Y-%m-%d %H:%M:%S} UTC")
        self.queue = {(r.kind, r.unit_id): r for r in self.store.queued(QueueState.PENDING.value)}
        try:
            for stream in self.streams():
                await self._run_stream(stream)
                self.flush()
            # Whether anything could be read is a question for the sources, not for the retry queue.
            statuses = {s.status for s in report.streams.values() if s.name != RetryQueueStream.name}
            if StreamStatus.FORBIDDEN in statuses and not statuses & {StreamStatus.READ, StreamStatus.EMPTY}:
                admin, legacy = advice("logs:" + FIRST_EVENT_TYPE)
                raise ScopeError(
                    f"Nothing was readable (every stream answered HTTP 403 or is not served): the key "
                    f"{self.client.masked_key} may read nothing in workspace {self.client.workspace_id}. "
                    f"{WRONG_WORKSPACE_HINT} {admin} {legacy}",
                    403,
                )
            stopped = [s for s in report.streams.values() if s.status is StreamStatus.STOPPED]
            if stopped and not statuses & {StreamStatus.READ, StreamStatus.EMPTY}:
                # Nothing at all was read: a failed run (the scheduler tries again), not a partial one.
                raise RetryLaterError(
                    f"Nothing was read: every stream stopped ({len(stopped)}); the first: {stopped[0].name}: "
                    f"{stopped[0].detail}"
                )
            await self._measure_freshness()
            self.flush()
        except BaseException as exc:
            try:  # staged units are complete and consistent with their cursors: keep them
                self.flush()
            except Exception:
                log.exception("could not store staged work while stopping")
            stopped = isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt))
            report.status = ScanStatus.INTERRUPTED if stopped else ScanStatus.FAILED
            reason = (str(exc) or "cancelled") if stopped else str(exc)  # the CLI cancels with the signal's name
            self.store.finish_scan(report.scan_id, report.status, reason[:500])
            raise
        report.retry_queue = self.store.queue_summary(report.scan_id)
        if report.retry_queue["given_up"]:
            report.warnings.append(
                f"retry queue: {report.retry_queue['given_up']} unit(s) given up in this scan after "
                f"retry.max_attempts ({self.config.retry.max_attempts}); their outcome and last error are in "
                "retry_queue (state 'given_up') and files"
            )
        done = not report.errors and not report.retry_pending
        report.status = ScanStatus.COMPLETED if done else ScanStatus.INCOMPLETE
        report.out_of_scope = self.scope.skipped
        report.requests = Counter({k.value: v for k, v in self.client.requests.items()})
        report.retries = self.client.retries
        report.throttled = self.client.throttled
        for route, limit in self.client.limiter.lowered.items():
            report.warnings.append(f"{route}: the API answered 429 below our limit; this scan used {limit}/min there")
        self.store.finish_scan(report.scan_id, report.status, "; ".join(report.errors)[:500])
        return report

    async def _run_stream(self, stream: Stream) -> None:
        """Run one stream; a 403 or an unserved source ends it without stopping the scan."""
        outcome = stream.outcome()
        self.report.streams[outcome.name] = outcome
        try:
            await stream.run(self, outcome)
        except (AuthError, UnreachableError, NotComplianceApiError):
            raise  # a wrong key or api.url: no stream can work
        except ScopeError as exc:
            outcome.status = StreamStatus.FORBIDDEN
            outcome.detail = f"HTTP 403: the key needs {exc.permission or permission_for(outcome.name)}"
            self.commit(Batch(errors=[("forbidden", outcome.name, f"{outcome.name}: forbidden: {exc}")]))
        except StreamStopped as exc:
            outcome.status = StreamStatus.STOPPED
            outcome.detail = str(exc)[:300]
        except (ApiError, LogFileError) as exc:
            status = getattr(exc, "status", None)
            if isinstance(stream, LogStream) and status in (400, 404, 410, 422):
                # The category is not served at this scope (or not known to this server): not an error.
                outcome.status = StreamStatus.NOT_SERVED
                outcome.detail = f"HTTP {status}: {str(exc)[:200]}"
                if "organization" in str(exc).lower() and not self.client.organization_id:
                    outcome.detail += " (set api.organization_id to read it at organization scope)"
                return
            if outcome.name == "users" and isinstance(exc, NotFoundError):
                raise  # the workspace id is wrong: nothing else can work
            outcome.status = StreamStatus.STOPPED
            outcome.detail = str(exc)[:300]
            self.commit(Batch(errors=[("ingest", outcome.name, f"{outcome.name}: stopped: {exc}")]))

    async def _measure_freshness(self) -> None:
        """Each readable log stream's newest event time and its lag, for the summary."""
        for scope in (LogScope.WORKSPACE, LogScope.ORGANIZATION):
            outcomes = {o.name.partition(":")[2]: o for o in self.report.streams.values()
                        if o.scope == scope.value and o.name.startswith(("logs:", "org-logs:"))
                        and o.status in (StreamStatus.READ, StreamStatus.EMPTY)}  # fmt: skip
            if not outcomes:
                continue
            try:
                times = await max_event_times(self.client, list(outcomes), scope)
            except ApiError as exc:
                log.info("max_event_time not available: %s", exc)
                continue
            now = self.now()
            for event_type, freshness in times.items():
                outcomes[event_type].freshness = freshness.describe(now)

    # -- helpers the streams use --------------------------------------------------------------
    def library_users(self) -> list[tuple[str, str | None]]:
        """Users whose library files are read: in scope and active; without the users list, those events named."""
        known = self.users if self.users_listed else {**dict(self.store_users()), **self.seen_users}
        chosen = []
        for user_id, email in known.items():
            if user_id in self.inactive_users:
                continue
            if not self.scope.user_in_scope(user_id, email):
                self.scope.count_skip("user_libraries")
                continue
            chosen.append((user_id, email))
        return chosen

    def store_users(self) -> list[tuple[str, str | None]]:
        rows = self.store.con.execute("SELECT user_id, email FROM users").fetchall()
        return [(r[0], r[1]) for r in rows]

    def seen_events(self, event_ids: list[str]) -> set[str]:
        """Events stored, staged, or taken by a unit being inspected."""
        return self.store.seen_events(event_ids) | self._taken("events", event_ids, self._staged.events)

    def claim(self) -> Claims:
        claims = Claims()
        self._claims.append(claims)
        return claims

    def release(self, claims: Claims) -> None:
        """Give a unit's claims back: it is committed (its ids are staged now) or dropped."""
        if claims in self._claims:
            self._claims.remove(claims)

    def _taken(self, kind: str, ids: Iterable[str], staged: set[str]) -> set[str]:
        wanted = set(ids)
        taken = staged & wanted
        for claims in self._claims:
            taken |= getattr(claims, kind) & wanted
        return taken

    def queued(self, kind: UnitKind, unit_id: str) -> QueueRow | None:
        """The unit's pending retry-queue row, as the scan started."""
        return self.queue.get((kind.value, unit_id))

    @staticmethod
    def with_email(item: Item, email: str) -> Item:
        return dataclasses.replace(item, user_email=email)

    # -- inspection --------------------------------------------------------------------------
    async def inspect_items(
        self, items: Sequence[Item], batch: Batch, claims: Claims | None = None, *, retrying: bool = False
    ) -> None:
        """Inspect the items not already stored; add their records and findings to the batch.

        A file is fetched once whatever path found it (a message, a library listing, a GPT config): a
        file with a final outcome is never fetched again, and one in the retry queue only by the queue
        (`retrying`). The ids inspected are taken in `claims` (the caller's, held until its commit)
        so that units inspected at the same time do not inspect them twice.
        """
        own = claims is None
        claims = claims if claims is not None else self.claim()
        file_tasks: list[asyncio.Task[tuple[InspectResult | None, FileRecord, QueueRow | None]]] = []
        try:
            items = list({i.item_id: i for i in items}.values())
            known = self.known_items([i.item_id for i in items if i.file_ref is None])
            file_ids = [i.file_id for i in items if i.file_ref is not None and i.file_id]
            skip = self.store.known_files(file_ids) | self._taken("files", file_ids, self._tried_files)
            if not retrying:
                skip |= {f for f in file_ids if self.queued(UnitKind.FILE, f)}
            text_items = [i for i in items if i.file_ref is None and i.item_id not in known]
            files = {i.file_id: i for i in items if i.file_ref is not None and i.file_id not in skip}
            file_items = list(files.values())
            if not self.config.ingest.files:  # metadata-only mode: no file content is downloaded
                self.scope.skipped["files_disabled"] += len(file_items)
                file_items = []
            claims.items.update(i.item_id for i in text_items + file_items)
            claims.files.update(i.file_id for i in file_items if i.file_id)
            # Files first: their fetches wait on the network while texts use the CPU.
            file_tasks = [asyncio.create_task(self._inspect_file(item)) for item in file_items]
            for chunk_start in range(0, len(text_items), TEXT_JOB_CHUNK):
                chunk = text_items[chunk_start : chunk_start + TEXT_JOB_CHUNK]
                jobs = [
                    TextJob(i.item_id, i.parts or (("", i.text or ""),), ScanContext(kind=i.kind.value, role=i.role))
                    for i in chunk
                ]
                for item, result in zip(chunk, await self.pool.texts(jobs)):
                    self._add_result(item, result, batch)
            for item, task in zip(file_items, file_tasks):
                result, record, queued = await task
                self._tried_files.add(record.file_id)
                batch.files.append(record)
                if queued is not None:
                    batch.retries.append(queued)
                    if queued.pending:
                        batch.errors.append(("fetch", record.file_id, f"file {record.file_id}: {record.reason}"))
                if result is not None:
                    self._add_result(item, result, batch)
        finally:
            # Stopped early (an error, a cancelled stream): no fetch may outlive the unit or fail unheard.
            await finish_tasks(file_tasks)
            if own:
                self.release(claims)

    async def _inspect_file(self, item: Item) -> tuple[InspectResult | None, FileRecord, QueueRow | None]:
        """Fetch and inspect one file: its result (if read), its record, and its retry-queue row (if any).

        A transient failure (`is_transient`) puts the file in the retry queue; a 410 is `expired`, a
        404 `fetch_failed`, both final; a 403 waits in the queue for the permission without spending
        attempts.
        """
        ref = item.file_ref
        assert ref is not None
        base = dict(
            name=item.file_name, owner_kind=ref.owner_kind, user_id=item.user_id, gpt_id=item.gpt_id or item.project_id
        )
        previous = self.queued(UnitKind.FILE, ref.file_id)
        now = self.now()

        def final(outcome: FileOutcome, reason: str, **extra: object) -> tuple[None, FileRecord, QueueRow | None]:
            done = previous and self.retry.finished(previous, outcome.value, now, self.report.scan_id, reason)
            return None, FileRecord(ref.file_id, outcome.value, reason, **base, **extra), done  # type: ignore[arg-type]

        def failed(reason: str, *, spends: bool = True) -> tuple[None, FileRecord, QueueRow]:
            row = self.retry.failed(previous, UnitKind.FILE, ref.file_id, stream=item.source, error=reason,
                                    payload=item_payload(item), now=now, scan_id=self.report.scan_id, spends=spends)
            if row.pending:
                left = f"attempt {row.attempts} of {self.config.retry.max_attempts}" if spends else "for the permission"
                return None, FileRecord(ref.file_id, FileOutcome.PENDING_RETRY.value,
                                        f"{reason}; in the retry queue ({left})", **base), row  # fmt: skip
            # The budget is spent: an upload past its retention is gone anyway; anything else failed.
            outcome = FileOutcome.EXPIRED if upload_past_retention(item, now) else FileOutcome.FETCH_FAILED
            row = dataclasses.replace(row, outcome=outcome.value)
            return None, FileRecord(ref.file_id, outcome.value, gave_up_reason(row), **base), row

        forbidden = self._forbidden_files.get(ref.owner_kind)
        if forbidden is not None:  # the content route already answered 403: do not ask again in this scan
            return failed(forbidden, spends=False)
        max_bytes = int(self.config.extract.max_file_mb * 1024 * 1024)
        try:
            path, params = file_content_path(self.client, ref)
            async with self._fetch_slots:
                data = await self.client.download(path, params, RouteClass.ITEM, max_bytes=max_bytes)
        except TooLargeError as exc:
            reason = f"larger than extract.max_file_mb ({self.config.extract.max_file_mb} MB): {exc}; not downloaded"
            return final(FileOutcome.TOO_LARGE, reason, size_bytes=exc.size)
        except GoneError:
            return final(FileOutcome.EXPIRED, "the API answered 410: the file is gone (uploads are kept 48 h)")
        except NotFoundError:
            return final(FileOutcome.FETCH_FAILED, "not found (404): deleted before it was fetched")
        except AuthError:
            raise
        except ScopeError as exc:
            reason = f"forbidden (HTTP 403): the key may not read {ref.owner_kind} file content"
            self._forbidden_files[ref.owner_kind] = reason
            name = f"files:{ref.owner_kind}"
            self.report.streams[name] = StreamOutcome(name, "workspace", StreamStatus.FORBIDDEN, detail=str(exc)[:300])
            self.report.errors.append(f"{name}: forbidden: {exc}")
            return failed(reason, spends=False)
        except (DlpError, httpx.HTTPError) as exc:  # httpx's own: a transport fault the client did not wrap
            if isinstance(exc, DlpError) and not is_transient(exc):
                return final(FileOutcome.FETCH_FAILED, str(exc)[:300])
            return failed(str(exc)[:300])
        result = self._same_content_as_before(item, data) or await self.pool.file(
            FileJob(item.item_id, data, item.file_name, ScanContext(kind=item.kind.value, role=item.role))
        )
        record = FileRecord(
            ref.file_id, result.outcome.value, result.reason, sha256=result.sha256, size_bytes=result.size_bytes,
            file_type=result.file_type, chars=result.chars, segments=result.segments, truncated=result.truncated,
            **base,
        )  # fmt: skip
        done = previous and self.retry.finished(previous, result.outcome.value, now, self.report.scan_id)
        return result, record, done or None

    def _same_content_as_before(self, item: Item, data: bytes) -> InspectResult | None:
        """A file whose exact bytes were inspected before (the same upload shared or re-attached): reuse."""
        sha256 = hashlib.sha256(data).hexdigest()
        previous = self.store.file_with_content(sha256)
        if previous is None:
            return None
        detections = [
            Detection(
                finding_id=row["finding_id"], location=row["location"], start=row["start_offset"],
                end=row["end_offset"], rule_id=row["rule_id"], entity=row["entity"], severity=row["severity"],
                score=row["score"], likelihood=row["likelihood"], detector=row["detector"], snippet=row["snippet"],
                fingerprint=row["fingerprint"], decoded=row["decoded"], tags=tuple(row["tags"] or ()),
            )  # fmt: skip
            for row in self.store.findings_of_item(f"file:{previous['file_id']}")
        ]
        reason = f"same content as {previous['file_id']}, inspected before"
        if previous["reason"]:
            reason += f" ({previous['reason']})"
        return InspectResult(
            item.item_id, previous["chars"] or 0, previous["segments"] or 0, rehome(detections, item.item_id),
            FileOutcome(previous["outcome"]), reason, previous["file_type"], sha256, len(data),
            bool(previous["truncated"]),
        )  # fmt: skip

    def _add_result(self, item: Item, result: InspectResult, batch: Batch) -> None:
        batch.items.append(ItemRecord(item, result.chars, len(result.detections)))
        batch.findings.extend(findings_for(item, result, self.report.scan_id))

    # -- group commit -------------------------------------------------------------------------
    # Each DuckDB statement costs milliseconds, so units of progress are staged and written
    # together; a unit's cursor still lands in the same transaction as its data, so a kill
    # only loses staged work, which the next scan redoes.
    def commit(self, batch: Batch, claims: Claims | None = None) -> None:
        """Stage a unit's batch for the next group commit; its claims (if any) are given back."""
        staged = self._staged
        staged.batch.extend(batch)
        staged.items.update(r.item.item_id for r in batch.items)
        staged.events.update(e[0] for e in batch.event_ids)
        staged.units += 1
        if claims is not None:
            self.release(claims)
        if (
            len(staged.batch) >= FLUSH_ROWS
            or staged.units >= FLUSH_UNITS
            or time.monotonic() - staged.since >= FLUSH_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        batch = self._staged.batch
        if self._staged.units or len(batch) or batch.errors or batch.cursors:
            self.report.findings_new += self.store.commit(self.report.scan_id, batch)
            self.report.items += len(batch.items)
            self.report.files.update(f.outcome for f in batch.files)
            self.report.errors.extend(message for _, _, message in batch.errors)
        self._staged = _Staged()

    def known_items(self, item_ids: list[str]) -> set[str]:
        """Items stored, staged, or taken by a unit being inspected."""
        return self.store.known_items(item_ids) | self._taken("items", item_ids, self._staged.items)

    def progress_update(self, stage: str, done: int, *, total: int | None = None, covered: float | None = None,
                        note: str = "") -> None:
        """Tell the progress display where the scan is (after each unit of work of a stream)."""
        r = self.report
        self.on_progress(ScanProgress(
            stage, done, total, covered, r.log_files, r.items, r.findings_new, sum(r.files.values()),
            self.client.retries, self.client.limiter.waited_seconds, note,
        ))  # fmt: skip


async def finish_tasks(tasks: Sequence[asyncio.Task[object]]) -> None:
    """Cancel the tasks not done and wait for all, so none outlives its caller or fails unheard."""
    for task in tasks:
        if not task.done():
            task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


def findings_for(item: Item, result: InspectResult, scan_id: str) -> Iterable[Finding]:
    for d in result.detections:
        yield Finding(
            finding_id=d.finding_id, scan_id=scan_id, rule_id=d.rule_id, entity=d.entity, severity=d.severity,
            score=d.score, likelihood=d.likelihood, detector=d.detector, item_id=item.item_id,
            item_kind=item.kind.value, workspace_id=item.workspace_id, location=d.location, start=d.start, end=d.end,
            snippet=d.snippet, fingerprint=d.fingerprint, user_id=item.user_id, user_email=item.user_email,
            gpt_id=item.gpt_id, project_id=item.project_id, conversation_id=item.conversation_id,
            message_id=item.message_id, file_id=item.file_id, file_name=item.file_name,
            item_created_at=item.created_at, decoded=d.decoded, tags=d.tags,
        )  # fmt: skip


def engine_spec(config: ScanConfig) -> EngineSpec:
    d = config.detect
    return EngineSpec(rule_paths=tuple(d.rule_paths), policy_path=d.policy, min_likelihood=d.min_likelihood, ner_model=d.ner_model)


def extract_config(config: ScanConfig) -> ExtractConfig:
    return config.extract


def inspector_spec(config: ScanConfig, fingerprinter_key: bytes) -> InspectorSpec:
    return InspectorSpec(
        engine=engine_spec(config),
        extract=extract_config(config),
        fingerprint_key=fingerprinter_key,
        evidence_dir=config.store.evidence_dir,
    )


async def scan(
    config: ScanConfig,
    api_key: str,
    *,
    mode: str = "forward",
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    on_progress: Callable[[ScanProgress], None] | None = None,
    now: Callable[[], datetime] = _utcnow,
) -> ScanReport:
    """Run one scan into the configured database. Raises RuleError before any request on a bad rule file.

    `clock` and `sleep` drive the client's rate limits and waits, `now` the scan's wall clock (the
    lookback window, the retry queue's next attempts); tests and the bench pass fake ones.
    """
    Engine.from_spec(engine_spec(config))  # refuse to start on a broken rule file, with its file:line
    db_path = Path(config.store.database)
    key = Fingerprinter.key_for_database(db_path)
    pool = InspectorPool(inspector_spec(config, key), workers=config.workers)
    try:
        async with ComplianceClient(config.api, api_key, transport=transport, clock=clock, sleep=sleep) as client:
            with soc.open_store(config, progress) as store:
                report = await Scanner(config, client, pool, store, mode=mode, now=now, progress=progress,
                                       on_progress=on_progress).run()
                soc.after_scan(store, config, progress)  # alerts go out after their findings are committed
                return report
    finally:
        pool.close()


def run_scan(config: ScanConfig, api_key: str, *, mode: str = "forward", progress: Callable[[str], None] | None = None) -> ScanReport:
    return asyncio.run(scan(config, api_key, mode=mode, progress=progress))
