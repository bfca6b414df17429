"""One scan: ingest -> extract -> detect -> store, with cursors that move only after the store commits.

Units of progress are committed one at a time, in order: one log file (its
messages, their attachments, the stream cursor past it), then one GPT (its
new config versions and knowledge files). Downloads of the next log files
overlap with the inspection of the current one through a bounded window, so
memory stays flat whatever the backlog.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from detectors.engine import Engine, EngineSpec
from dlp import soc
from dlp.config import MAX_LOOKBACK_DAYS, ScanConfig
from dlp.evidence import Fingerprinter
from dlp.extract import ExtractConfig
from dlp.ingest.conversations import (
    items_from_conversation,
    iter_conversation_pages,
    latest_activity,
)
from dlp.ingest.http import (
    ApiError,
    ComplianceClient,
    GoneError,
    NotFoundError,
    TooLargeError,
)
from dlp.ingest.logs import (
    LogCursor,
    LogFile,
    LogFileError,
    download_log_file,
    iso,
    items_from_event,
    list_log_files,
    parse_jsonl,
)
from dlp.ingest.ratelimit import EndpointClass
from dlp.ingest.scope import Scope
from dlp.ingest.stateful import (
    GPTS,
    PROJECTS,
    Family,
    Gpt,
    file_content_path,
    gpt_config_items,
    list_gpts,
    list_users,
)
from dlp.inspect import (
    Detection,
    FileJob,
    InspectorPool,
    InspectorSpec,
    InspectResult,
    TextJob,
    rehome,
)
from dlp.records import FileOutcome, Finding, Item, ScanContext
from dlp.store.db import Batch, FileRecord, ItemRecord, LogFileRecord, Store

log = logging.getLogger(__name__)

PREFETCH_LOG_FILES = 4  # log files downloaded and inspected ahead of the one being committed
FILE_FETCH_CONCURRENCY = 4
TEXT_JOB_CHUNK = 256  # messages per inspection task
FLUSH_ROWS = 5_000  # staged rows that trigger a commit
FLUSH_UNITS = 200  # staged log files / GPTs that trigger a commit
FLUSH_SECONDS = 5.0  # longest time staged work waits for its commit


class ScanStatus(StrEnum):
    """How a scan ended; the CLI maps it to an exit code and `scans.status` stores it."""

    RUNNING = "running"
    COMPLETED = "completed"  # every stream read to its end, every file given a final outcome
    INCOMPLETE = "incomplete"  # finished, but a stream stopped or was forbidden, or work was left for later
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
    retries: int = 0  # requests retried after a 429, a 5xx, a timeout or a truncated body
    warnings: list[str] = field(default_factory=list)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Scanner:
    """Wires a client, an inspector pool and a store for one scan."""

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
    ) -> None:
        self.config = config
        self.client = client
        self.pool = pool
        self.store = store
        self.mode = mode
        self.now = now
        self.progress = progress or (lambda message: None)
        self.scope = Scope.from_config(config.scope)
        self.report = ScanReport(scan_id=uuid.uuid4().hex)
        self.users: dict[str, str | None] = {}
        self._fetch_slots = asyncio.Semaphore(FILE_FETCH_CONCURRENCY)
        self._pending = Batch()
        self._pending_items: set[str] = set()
        self._pending_files: set[str] = set()
        self._pending_events: set[str] = set()
        self._pending_units = 0
        self._last_flush = time.monotonic()

    # -- the whole scan ----------------------------------------------------------------------
    async def run(self) -> ScanReport:
        report = self.report
        self.store.start_scan(
            report.scan_id, api_url=self.config.api.url, workspace_id=self.client.workspace_id or "", mode=self.mode
        )
        try:
            if self.config.ingest.users:
                await self._load_users()
            # Chat uploads expire 48 h after upload: the conversation streams, which reference them, go first.
            if self.config.ingest.conversations_fallback:
                await self._scan_conversations()
            for event_type in self.config.ingest.event_types:
                await self._scan_log_stream(event_type)
                self._flush()
            if self.config.ingest.gpts:
                await self._scan_gpts(GPTS)
            if self.config.ingest.projects:
                await self._scan_gpts(PROJECTS)
            self._flush()
        except BaseException as exc:
            try:  # staged units are complete and consistent with their cursors: keep them
                self._flush()
            except Exception:
                log.exception("could not store staged work while stopping")
            report.status = ScanStatus.FAILED
            self.store.finish_scan(report.scan_id, report.status, str(exc)[:500])
            raise
        report.status = ScanStatus.COMPLETED if not report.errors else ScanStatus.INCOMPLETE
        report.out_of_scope = self.scope.skipped
        report.requests = Counter({k.value: v for k, v in self.client.requests.items()})
        report.retries = self.client.retries
        self.store.finish_scan(report.scan_id, report.status, "; ".join(report.errors)[:500])
        return report

    async def _load_users(self) -> None:
        try:
            users = await list_users(self.client)
        except NotFoundError as exc:
            raise ApiError(
                f"Workspace {self.client.workspace_id} was not found ({exc}). Check api.workspace_id: it is the "
                "workspace UUID shown in the ChatGPT Enterprise admin console."
            ) from None
        rows = []
        for user in users:
            self.users[user.id] = user.email
            in_scope = self.scope.user_in_scope(user.id, user.email)
            rows.append((user.id, user.email, user.name, user.role, user.status, in_scope))
        self.store.upsert_users(rows)
        self.progress(f"{len(users)} users")

    # -- log streams -------------------------------------------------------------------------
    def _start_cursor(self, event_type: str) -> LogCursor:
        lookback = min(self.config.ingest.lookback_days, MAX_LOOKBACK_DAYS)
        floor = LogCursor(iso(self.now() - timedelta(days=lookback)))
        saved = self.store.get_cursor(f"logs:{event_type}")
        if saved is None or self.mode == "historical":
            return floor
        return LogCursor.from_json(saved)

    async def _scan_log_stream(self, event_type: str) -> None:
        """List, download and inspect up to PREFETCH_LOG_FILES files at once; commit them strictly in order."""
        stream = f"logs:{event_type}"
        cursor = self._start_cursor(event_type)
        window: asyncio.Queue[tuple[LogFile, asyncio.Task[Batch]] | None] = asyncio.Queue(PREFETCH_LOG_FILES)

        async def produce() -> None:
            try:
                async for log_file in list_log_files(self.client, event_type, cursor):
                    await window.put((log_file, asyncio.create_task(self._prepare_log_file(log_file))))
            finally:
                await window.put(None)

        producer = asyncio.create_task(produce())
        try:
            while (entry := await window.get()) is not None:
                log_file, prepared = entry
                try:
                    batch = await prepared
                except (LogFileError, ApiError) as exc:
                    # The cursor must never pass a file we could not read: record it and stop this stream.
                    message = f"{stream}: log file {log_file.id} not processed: {exc}"
                    batch = Batch(
                        log_files=[LogFileRecord(log_file.id, event_type, log_file.end_time, log_file.file_sha256,
                                                 0, "failed", str(exc)[:500])],
                        errors=[("ingest", log_file.id, message)],
                    )  # fmt: skip
                    self._commit(batch)
                    self._flush()
                    break
                cursor = cursor.advanced_past(log_file)
                batch.cursors[stream] = cursor.to_json()
                self._commit(batch)
                self.report.log_files += 1
            else:
                await producer  # surfaces a listing error
        finally:
            if not producer.done():
                producer.cancel()
            while not window.empty():  # work that will not be committed: stop it
                entry = window.get_nowait()
                if entry is not None:
                    entry[1].cancel()
            await asyncio.gather(producer, return_exceptions=True)

    async def _prepare_log_file(self, log_file: LogFile) -> Batch:
        """Download, verify, parse and inspect one log file; the caller commits the batch in order."""
        data = await download_log_file(self.client, log_file)
        batch = Batch()
        try:
            events = parse_jsonl(data)
        except (LogFileError, UnicodeDecodeError) as exc:
            events = []
            batch.errors.append(("ingest", log_file.id, f"log file {log_file.id} is not valid JSONL: {exc}"))
        event_ids = [str(e["event_id"]) for e in events if e.get("event_id")]
        seen = self.store.seen_events(event_ids) | (self._pending_events & set(event_ids))
        items: dict[str, Item] = {}
        for event in events:
            event_id = event.get("event_id")
            if event_id is not None and (str(event_id) in seen):
                continue
            parsed = items_from_event(event, self.client.workspace_id or "")
            if event_id is not None:
                seen.add(str(event_id))
                batch.event_ids.append((str(event_id), log_file.event_type, log_file.id))
            email = parsed.user_email or self.users.get(parsed.user_id or "")
            if not self.scope.user_in_scope(parsed.user_id, email):
                self.scope.count_skip("user_events")
                continue
            if not self.scope.gpt_in_scope(parsed.gpt_id, parsed.gpt_name):
                self.scope.count_skip("gpt_events")
                continue
            for item in parsed.items:
                if item.user_email is None and email:
                    item = _with_email(item, email)
                items.setdefault(item.item_id, item)
        await self._inspect_items(list(items.values()), batch)
        batch.log_files.append(
            LogFileRecord(log_file.id, log_file.event_type, log_file.end_time, log_file.file_sha256, len(events), "processed")
        )
        return batch

    # -- the deprecated conversations endpoint ----------------------------------------------
    async def _scan_conversations(self) -> None:
        stream = "conversations"
        saved = self.store.get_cursor(stream)
        lookback = min(self.config.ingest.lookback_days, MAX_LOOKBACK_DAYS)
        since = (self.now() - timedelta(days=lookback)).timestamp()
        if saved is not None and self.mode != "historical":
            since = float(saved["since_timestamp"])
        newest = since
        try:
            async for page in iter_conversation_pages(self.client, since):
                batch = Batch()
                items: dict[str, Item] = {}
                for conversation in page:
                    if not self.scope.user_in_scope(conversation.get("user_id"), conversation.get("user_email")):
                        self.scope.count_skip("user_conversations")
                        continue
                    for item in items_from_conversation(conversation, self.client.workspace_id or ""):
                        if self.scope.gpt_in_scope(item.gpt_id, None):
                            items.setdefault(item.item_id, item)
                await self._inspect_items(list(items.values()), batch)
                newest = max(newest, latest_activity(page) or newest)
                # since_timestamp is inclusive (>=): restarting from the newest time seen re-reads at most
                # the conversations updated in that second, which the item ids de-duplicate.
                batch.cursors[stream] = {"since_timestamp": newest}
                self._commit(batch)
        except GoneError:
            self.report.warnings.append(
                "the /conversations endpoint answered 410 (deprecated by OpenAI); conversation text comes "
                "from the Compliance Logs Platform instead"
            )

    # -- GPTs --------------------------------------------------------------------------------
    async def _scan_gpts(self, family: Family) -> None:
        """GPTs (or projects): every config version not yet stored, and its knowledge files."""
        try:
            containers = [g async for g in list_gpts(self.client, family)]
        except (NotFoundError, GoneError) as exc:
            self.report.warnings.append(f"{family.path} not scanned: the endpoint answered {exc}")
            return
        in_scope = {g.id: self._container_in_scope(g) for g in containers}
        rows = [(g.id, g.name, g.owner_id, g.owner_email, g.visibility, in_scope[g.id]) for g in containers]
        if family is GPTS:
            self.store.upsert_gpts(rows)
        else:
            self.store.upsert_projects(rows)
        for container in containers:
            if not in_scope[container.id]:
                self.scope.count_skip(family.path)
                continue
            # Config versions are immutable: if the newest is stored, every older one is too.
            latest = container.latest_config_item_id
            if latest and self._known_items([latest]):
                continue
            items = [item async for item in gpt_config_items(self.client, container)]
            batch = Batch()
            await self._inspect_items(items, batch)
            self._commit(batch)
        self.progress(f"{len(containers)} {family.path}")

    def _container_in_scope(self, container: Gpt) -> bool:
        if container.family is GPTS:
            return self.scope.gpt_in_scope(container.id, container.name)
        # Projects belong to a user: the user filters decide.
        return self.scope.user_in_scope(container.owner_id, container.owner_email)

    # -- inspection --------------------------------------------------------------------------
    async def _inspect_items(self, items: Sequence[Item], batch: Batch) -> None:
        """Inspect the items not already stored; add their records and findings to the batch."""
        items = list({i.item_id: i for i in items}.values())
        known = self._known_items([i.item_id for i in items if i.file_ref is None])
        file_ids = [i.file_id for i in items if i.file_ref is not None and i.file_id]
        known_files = self.store.known_files(file_ids) | (self._pending_files & set(file_ids))
        text_items = [i for i in items if i.file_ref is None and i.item_id not in known]
        file_items = [i for i in items if i.file_ref is not None and i.file_id not in known_files]
        if not self.config.ingest.files:  # metadata-only mode: no file content is downloaded
            self.scope.skipped["files_disabled"] += len(file_items)
            file_items = []
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
            result, record = await task
            batch.files.append(record)
            self.report.files[record.outcome] += 1
            if result is not None:
                self._add_result(item, result, batch)

    async def _inspect_file(self, item: Item) -> tuple[InspectResult | None, FileRecord]:
        ref = item.file_ref
        assert ref is not None
        base = dict(
            name=item.file_name, owner_kind=ref.owner_kind, user_id=item.user_id, gpt_id=item.gpt_id or item.project_id
        )
        path, params = file_content_path(self.client, ref)
        max_bytes = int(self.config.extract.max_file_mb * 1024 * 1024)
        try:
            async with self._fetch_slots:
                data = await self.client.download(path, params, EndpointClass.ITEM, max_bytes=max_bytes)
        except TooLargeError as exc:
            reason = f"larger than extract.max_file_mb ({self.config.extract.max_file_mb} MB): {exc}; not downloaded"
            return None, FileRecord(ref.file_id, FileOutcome.TOO_LARGE.value, reason, size_bytes=exc.size, **base)
        except GoneError:
            return None, FileRecord(ref.file_id, FileOutcome.EXPIRED.value, "the file expired before it was fetched (410)", **base)
        except NotFoundError:
            return None, FileRecord(ref.file_id, FileOutcome.FETCH_FAILED.value, "not found (404)", **base)
        except (ApiError, httpx.HTTPError) as exc:
            self.report.errors.append(f"file {ref.file_id}: {exc}")
            return None, FileRecord(ref.file_id, FileOutcome.FETCH_FAILED.value, str(exc)[:300], **base)
        result = self._same_content_as_before(item, data) or await self.pool.file(
            FileJob(item.item_id, data, item.file_name, ScanContext(kind=item.kind.value, role=item.role))
        )
        record = FileRecord(
            ref.file_id, result.outcome.value, result.reason, sha256=result.sha256, size_bytes=result.size_bytes,
            file_type=result.file_type, chars=result.chars, segments=result.segments, truncated=result.truncated,
            **base,
        )  # fmt: skip
        return result, record

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
    def _commit(self, batch: Batch) -> None:
        self._pending.extend(batch)
        self._pending_items.update(r.item.item_id for r in batch.items)
        self._pending_files.update(f.file_id for f in batch.files if f.outcome != FileOutcome.FETCH_FAILED.value)
        self._pending_events.update(e[0] for e in batch.event_ids)
        self._pending_units += 1
        if (
            len(self._pending) >= FLUSH_ROWS
            or self._pending_units >= FLUSH_UNITS
            or time.monotonic() - self._last_flush >= FLUSH_SECONDS
        ):
            self._flush()

    def _flush(self) -> None:
        batch = self._pending
        if self._pending_units or len(batch) or batch.errors or batch.cursors:
            self.report.findings_new += self.store.commit(self.report.scan_id, batch)
            self.report.items += len(batch.items)
            self.report.errors.extend(message for _, _, message in batch.errors)
        self._pending = Batch()
        self._pending_items.clear()
        self._pending_files.clear()
        self._pending_events.clear()
        self._pending_units = 0
        self._last_flush = time.monotonic()

    def _known_items(self, item_ids: list[str]) -> set[str]:
        return self.store.known_items(item_ids) | (self._pending_items & set(item_ids))


def _with_email(item: Item, email: str) -> Item:
    return dataclasses.replace(item, user_email=email)


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
) -> ScanReport:
    """Run one scan into the configured database. Raises RuleError before any request on a bad rule file."""
    Engine.from_spec(engine_spec(config))  # refuse to start on a broken rule file, with its file:line
    db_path = Path(config.store.database)
    key = Fingerprinter.key_for_database(db_path)
    pool = InspectorPool(inspector_spec(config, key), workers=config.workers)
    try:
        async with ComplianceClient(config.api, api_key, transport=transport) as client:
            with soc.open_store(config, progress) as store:
                report = await Scanner(config, client, pool, store, mode=mode, progress=progress).run()
                soc.after_scan(store, config, progress)  # alerts go out after their findings are committed
                return report
    finally:
        pool.close()


def run_scan(config: ScanConfig, api_key: str, *, mode: str = "forward", progress: Callable[[str], None] | None = None) -> ScanReport:
    return asyncio.run(scan(config, api_key, mode=mode, progress=progress))
