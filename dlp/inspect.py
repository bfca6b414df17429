"""The CPU stages, extract and detect, as plain functions over plain records.

They run in worker processes that each build the detection engine (and its
NER model) once. Raw matched values never leave the worker: what comes back
is a masked snippet and a keyed fingerprint per detection.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from detectors.engine import Engine, EngineSpec
from dlp.cells import from_header, under_header
from dlp.evidence import TAIL_ENTITIES, Fingerprinter, masked_snippet
from dlp.extract import (
    ExtractConfig,
    ExtractResult,
    TextPart,
    extract,
    extract_isolated,
    segment_parts,
)
from dlp.records import FileOutcome, Match, ScanContext, Segment


@dataclass(frozen=True)
class InspectorSpec:
    """Everything a worker needs to build its inspector; picklable."""

    engine: EngineSpec
    extract: ExtractConfig
    fingerprint_key: bytes
    segment_chars: int = 100_000
    segment_overlap: int = 256
    isolate_files: bool = True  # parse untrusted files in a killable child process
    evidence_dir: str | None = None  # opt-in raw evidence capture


@dataclass(frozen=True)
class Detection:
    finding_id: str
    location: str
    start: int
    end: int
    rule_id: str
    entity: str
    severity: str
    score: float
    likelihood: str
    detector: str
    snippet: str
    fingerprint: str
    decoded: bool = False
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextJob:
    item_id: str
    parts: tuple[tuple[str, str], ...]  # (location, text)
    context: ScanContext


@dataclass(frozen=True)
class FileJob:
    item_id: str
    data: bytes
    filename: str | None
    context: ScanContext


@dataclass(frozen=True)
class InspectResult:
    item_id: str
    chars: int
    segments: int
    detections: tuple[Detection, ...] = ()
    outcome: FileOutcome = FileOutcome.SCANNED
    reason: str = ""
    file_type: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    truncated: bool = False  # the file was not read to its end (a limit, a timeout)


def finding_id(
    item_id: str, location: str, start: int, end: int, rule_id: str, decoded: bool = False, tags: Sequence[str] = ()
) -> str:
    """Stable across scans: the same value at the same place by the same rule is one finding."""
    rule_key = rule_id
    if decoded:  # values inside one encoded run share its span: their decoded spans tell them apart
        rule_key += "|" + ",".join(t for t in tags if t.startswith("decoded_span:"))
    key = "\x1f".join((item_id, location, str(start), str(end), rule_key))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def rehome(detections: Sequence[Detection], item_id: str) -> tuple[Detection, ...]:
    """The same detections for another item with identical content (a file uploaded twice)."""
    return tuple(
        dataclasses.replace(d, finding_id=finding_id(item_id, d.location, d.start, d.end, d.rule_id, d.decoded, d.tags))
        for d in detections
    )


class Inspector:
    """Extract and detect in this process."""

    def __init__(self, spec: InspectorSpec) -> None:
        self.spec = spec
        self.engine = Engine.from_spec(spec.engine)
        self.fingerprint = Fingerprinter(spec.fingerprint_key)

    def inspect_texts(self, jobs: Sequence[TextJob]) -> list[InspectResult]:
        per_job: list[list[Segment]] = []
        flat: list[Segment] = []
        contexts: list[ScanContext] = []
        for job in jobs:
            segments = list(
                segment_parts(
                    job.item_id,
                    (TextPart(text=text, location=location) for location, text in job.parts),
                    self.spec.segment_chars,
                    self.spec.segment_overlap,
                )
            )
            per_job.append(segments)
            flat.extend(segments)
            contexts.extend([job.context] * len(segments))
        matches = self.engine.analyze_batch([s.text for s in flat], contexts) if flat else []
        results = []
        cursor = 0
        for job, segments in zip(jobs, per_job):
            detections = self._detections(segments, matches[cursor : cursor + len(segments)])
            cursor += len(segments)
            chars = sum(len(text) for _, text in job.parts)
            results.append(InspectResult(job.item_id, chars, len(segments), detections))
        return results

    def inspect_file(self, job: FileJob) -> InspectResult:
        sha256 = hashlib.sha256(job.data).hexdigest()
        run = extract_isolated if self.spec.isolate_files else extract
        result = run(job.data, job.filename, self.spec.extract)
        common = dict(file_type=result.file_type, sha256=sha256, size_bytes=len(job.data), truncated=result.truncated)
        # Text read before a limit or a timeout stopped the file is inspected too: the outcome says
        # the file was not read whole, the findings say what the part that was read contains.
        segments = list(segment_parts(job.item_id, result.parts, self.spec.segment_chars, self.spec.segment_overlap))
        context = ScanContext(kind=job.context.kind, role=job.context.role, file_type=result.file_type)
        # a cell is read under its column header (dlp.cells)
        read = [under_header(s.text, s.context) for s in segments]
        found = self.engine.analyze_batch([text for text, _ in read], [context] * len(segments)) if segments else []
        matches = [from_header(m, shift) for m, (_, shift) in zip(found, read)]
        detections = self._detections(segments, matches)
        return InspectResult(
            job.item_id, result.chars, len(segments), detections, result.outcome, result.reason, **common
        )

    def _detections(self, segments: Sequence[Segment], matches: Sequence[list[Match]]) -> tuple[Detection, ...]:
        out: dict[str, Detection] = {}
        evidence: list[tuple[str, str]] = []
        for segment, found in zip(segments, matches):
            spans = [(m.start, m.end) for m in found]
            for m in found:
                start, end = segment.offset + m.start, segment.offset + m.end
                fid = finding_id(segment.item_id, segment.location, start, end, m.rule_id, m.decoded, m.tags)
                if fid in out:  # the same value seen again in the overlap of two windows
                    continue
                out[fid] = Detection(
                    finding_id=fid, location=segment.location, start=start, end=end, rule_id=m.rule_id,
                    entity=m.entity, severity=m.severity, score=m.score, likelihood=m.likelihood,
                    detector=m.detector,
                    snippet=masked_snippet(segment.text, m.start, m.end, spans, keep_tail=m.entity in TAIL_ENTITIES),
                    fingerprint=self.fingerprint(m.value), decoded=m.decoded, tags=tuple(m.tags),
                )  # fmt: skip
                if self.spec.evidence_dir:
                    evidence.append((fid, m.value))
        if evidence:
            _write_evidence(Path(self.spec.evidence_dir or "."), evidence)
        return tuple(out.values())


def _write_evidence(directory: Path, rows: list[tuple[str, str]]) -> None:
    """Opt-in raw values, one JSON line per finding, in owner-only files."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"evidence-{os.getpid()}.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        for fid, value in rows:
            handle.write(json.dumps({"finding_id": fid, "value": value}) + "\n")


# -- `dlp inspect FILE` ----------------------------------------------------------------------


def extract_untrusted_file(data: bytes, filename: str, config: ExtractConfig = ExtractConfig()) -> ExtractResult:
    """Extract a file given on the command line as a scan extracts a downloaded one: in a killable
    child process, with the scan's limits (time, memory, characters, archive depth)."""
    return extract_isolated(data, filename, config)


def file_summary(path: str, result: ExtractResult) -> dict[str, object] | None:
    """The summary line `dlp inspect FILE` prints after its findings when the file was not read whole
    (a limit, a timeout, an encrypted or unreadable file, images that need OCR); None when it was."""
    if result.outcome is FileOutcome.SCANNED and not result.truncated:
        return None
    return {
        "summary": True, "file": path, "file_type": result.file_type, "outcome": result.outcome.value,
        "truncated": result.truncated or result.outcome is not FileOutcome.SCANNED,
        "chars_read": result.chars, "reason": result.reason,
    }  # fmt: skip


# -- running inspectors in a pool ------------------------------------------------------------

_worker_inspector: Inspector | None = None  # one per worker process, built by the pool initializer


def _init_worker(spec: InspectorSpec) -> None:
    global _worker_inspector
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the parent handles it
    _worker_inspector = Inspector(spec)


def _texts_in_worker(jobs: Sequence[TextJob]) -> list[InspectResult]:
    assert _worker_inspector is not None
    return _worker_inspector.inspect_texts(jobs)


def _file_in_worker(job: FileJob) -> InspectResult:
    assert _worker_inspector is not None
    return _worker_inspector.inspect_file(job)


@dataclass
class InspectorPool:
    """Inspect in `workers` processes, or in this process when workers == 0."""

    spec: InspectorSpec
    workers: int = 0
    _executor: Executor | None = field(default=None, init=False)
    _local: Inspector | None = field(default=None, init=False)
    # In-process mode runs on worker threads; the engine's scratch space is not shared between them.
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        if self.workers > 0:
            context = multiprocessing.get_context("forkserver")
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_init_worker, initargs=(self.spec,)
            )
        else:
            self._local = Inspector(self.spec)

    async def texts(self, jobs: Sequence[TextJob]) -> list[InspectResult]:
        if not jobs:
            return []
        if self._executor is None:
            assert self._local is not None
            return await asyncio.to_thread(self._locked, self._local.inspect_texts, jobs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, _texts_in_worker, list(jobs))

    async def file(self, job: FileJob) -> InspectResult:
        if self._executor is None:
            assert self._local is not None
            return await asyncio.to_thread(self._locked, self._local.inspect_file, job)
        return await asyncio.get_running_loop().run_in_executor(self._executor, _file_in_worker, job)

    def _locked(self, function, argument):  # type: ignore[no-untyped-def]
        with self._lock:
            return function(argument)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
