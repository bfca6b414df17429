"""The plain records that flow between the pipeline stages.

ingest -> Item -> extract -> Segment -> detect -> Match -> store -> Finding

They are frozen dataclasses of plain values so that they pickle cheaply into
a process pool (and later onto a cluster executor) without change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class ItemKind(str, enum.Enum):
    """What an item is, as the analyst sees it (rules filter on it with `applies_to`)."""

    MESSAGE = "message"
    ATTACHMENT = "attachment"  # a file uploaded into a chat
    KNOWLEDGE_FILE = "knowledge_file"  # a GPT's knowledge file
    PROJECT_FILE = "project_file"
    GPT_CONFIG = "gpt_config"  # instructions, starters, custom action OpenAPI text
    PROJECT_CONFIG = "project_config"
    APP_LOG = "app_log"  # connector / tool input and output
    LOG_EVENT = "log_event"  # the text of another log event: Codex, agents, plugins, types not known yet
    CONVERSATION_TITLE = "conversation_title"


FILE_KINDS = frozenset({ItemKind.ATTACHMENT, ItemKind.KNOWLEDGE_FILE, ItemKind.PROJECT_FILE})


class FileOutcome(str, enum.Enum):
    """What happened to one file; every file ends with exactly one of these."""

    SCANNED = "scanned"
    TOO_LARGE = "too_large"
    TYPE_EXCLUDED = "type_excluded"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    TIMEOUT = "timeout"
    EXPIRED = "expired"
    UNSUPPORTED = "unsupported"
    UNSUPPORTED_IMAGE = "unsupported_image"
    NEEDS_OCR = "needs_ocr"  # an image, or a PDF with image-only pages, and no OCR engine to read it
    OUT_OF_SCOPE = "out_of_scope"
    FETCH_FAILED = "fetch_failed"  # final: not found (404), not fetchable, or its retries given up
    PENDING_RETRY = "pending_retry"  # not final: the download failed for a transient reason; in the retry queue


@dataclass(frozen=True, slots=True)
class FileRef:
    """Where the bytes of a file come from: one of the file-content endpoints."""

    file_id: str
    name: str | None = None
    # "user" (chat upload, needs user_id), "gpt" or "project" (knowledge files)
    owner_kind: str = "user"
    user_id: str | None = None
    conversation_id: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to inspect: a message text, a file, a GPT config, an app-log payload.

    `item_id` is stable across scans (it names the source object, never the
    scan), so finding ids derived from it are stable too.
    """

    item_id: str
    kind: ItemKind
    workspace_id: str
    source: str  # e.g. "logs:CONVERSATION_MESSAGE", "gpts", "files"
    user_id: str | None = None
    user_email: str | None = None
    gpt_id: str | None = None
    project_id: str | None = None
    conversation_id: str | None = None
    message_id: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    role: str | None = None  # message author role: user | assistant | tool | system
    created_at: datetime | None = None
    text: str | None = None
    # Located texts of a structured item (a GPT config's instructions, starters, actions):
    # (location, text) pairs, inspected in place of `text`.
    parts: tuple[tuple[str, str], ...] = ()
    file_ref: FileRef | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of an item's text with the place it came from.

    `offset` is where `text` starts within the item's part at `location`, so
    that overlapping windows of a long text map back to one coordinate system
    and a value on a window border is reported once.
    """

    item_id: str
    text: str
    location: str = ""  # "page 3", "Sheet1!B7", "paragraph 12", "" for a message body
    offset: int = 0
    context: str = ""  # what the text lacks on its own, e.g. the column header of a spreadsheet cell


@dataclass(frozen=True, slots=True)
class ScanContext:
    """What the detection engine may know of a segment's origin (for `applies_to`)."""

    kind: str | None = None
    role: str | None = None
    file_type: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """One detection in a text, as the engine returns it. Holds the raw value in memory only."""

    rule_id: str
    entity: str
    start: int
    end: int
    score: float
    likelihood: str
    severity: str
    detector: str  # regex | dictionary | ner | compound | ...
    value: str
    decoded: bool = False  # found inside a base64/hex/url-encoded run
    tags: tuple[str, ...] = ()

    def inspect_json(self) -> dict[str, object]:
        """The line `dlp inspect` prints for it (no value: offsets point into the caller's own text)."""
        return {"start": self.start, "end": self.end, "entity": self.entity, "rule_id": self.rule_id,
                "score": round(self.score, 4)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Finding:
    """A stored finding: never the raw value, only a masked snippet and a keyed fingerprint."""

    finding_id: str
    scan_id: str
    rule_id: str
    entity: str
    severity: str
    score: float
    likelihood: str
    detector: str
    item_id: str
    item_kind: str
    workspace_id: str
    location: str
    start: int
    end: int
    snippet: str
    fingerprint: str
    user_id: str | None = None
    user_email: str | None = None
    gpt_id: str | None = None
    project_id: str | None = None
    conversation_id: str | None = None
    message_id: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    item_created_at: datetime | None = None
    decoded: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)
