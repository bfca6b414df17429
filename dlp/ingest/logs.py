"""The Logs Platform: list JSONL log files per event type, download, verify, parse, turn into items.

The cursor is the `end_time` of the last fully stored file plus the ids of
the files stored at exactly that time, because the API's `after` is
inclusive and re-returns them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from dlp.ingest.http import ApiError, ComplianceClient, GoneError
from dlp.ingest.ratelimit import EndpointClass
from dlp.records import FileRef, Item, ItemKind

PAGE_LIMIT = 100


@dataclass(frozen=True)
class LogCursor:
    after: str  # ISO-8601: list files whose end_time >= after
    boundary_ids: frozenset[str] = frozenset()  # files already stored whose end_time == after

    def to_json(self) -> dict[str, Any]:
        return {"after": self.after, "boundary_ids": sorted(self.boundary_ids)}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "LogCursor":
        return cls(after=value["after"], boundary_ids=frozenset(value.get("boundary_ids", ())))

    def advanced_past(self, log_file: "LogFile") -> "LogCursor":
        """The cursor once `log_file` is stored."""
        if log_file.end_time == self.after:
            return LogCursor(self.after, self.boundary_ids | {log_file.id})
        return LogCursor(log_file.end_time, frozenset({log_file.id}))


@dataclass(frozen=True)
class LogFile:
    id: str
    event_type: str
    end_time: str
    file_name: str | None
    file_size: int | None
    file_sha256: str | None


class LogFileError(Exception):
    """A log file that could not be read intact (checksum mismatch, not JSONL)."""


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def parse_time(value: Any) -> datetime | None:
    """Accept ISO-8601 strings (with Z or offset, or naive = UTC) and float epoch seconds."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _time_key(value: str) -> datetime:
    return parse_time(value) or datetime.min.replace(tzinfo=timezone.utc)


async def list_log_files(
    client: ComplianceClient, event_type: str, cursor: LogCursor
) -> AsyncIterator[LogFile]:
    """Every listed file after the cursor, ascending, once; files already stored at the boundary skipped."""
    after = cursor.after
    seen: set[str] = set(cursor.boundary_ids)
    while True:
        page = await client.get_json(
            f"{client.workspace_path}/logs",
            {"event_type": event_type, "after": after, "limit": PAGE_LIMIT},
            EndpointClass.LOGS,
        )
        documents = _documents(page)
        new_on_page = 0
        for document in documents:
            for raw in document.get("data") or []:
                log_file = _log_file(raw, event_type)
                if log_file is None or log_file.id in seen:
                    continue
                seen.add(log_file.id)
                new_on_page += 1
                yield log_file
        last = documents[-1] if documents else {}
        next_after = last.get("last_end_time")
        if not last.get("has_more"):
            return
        if not next_after or _time_key(next_after) < _time_key(after):
            raise ApiError(f"logs list for {event_type}: has_more is true but last_end_time does not advance")
        if next_after == after and new_on_page == 0:
            # A full page of files all at the boundary time, all seen: the inclusive `after`
            # cannot move past them, so more pages would repeat this one.
            raise ApiError(f"logs list for {event_type}: more than {PAGE_LIMIT} files share end_time {after}")
        after = next_after


def _documents(page: Any) -> list[dict[str, Any]]:
    """The list response; tolerate the occasional multi-document body seen in production."""
    if isinstance(page, dict):
        return [page]
    if isinstance(page, list):
        return [p for p in page if isinstance(p, dict)]
    return []


def _log_file(raw: Any, event_type: str) -> LogFile | None:
    if not isinstance(raw, dict) or not raw.get("id") or not raw.get("end_time"):
        return None
    return LogFile(
        id=str(raw["id"]),
        event_type=str(raw.get("event_type") or event_type),
        end_time=str(raw["end_time"]),
        file_name=raw.get("file_name"),
        file_size=raw.get("file_size"),
        file_sha256=(raw.get("file_sha256") or None),
    )


async def download_log_file(client: ComplianceClient, log_file: LogFile, attempts: int = 3) -> bytes:
    """The file's bytes, checked against its sha256; a mismatch is fetched again, then reported."""
    last_problem = ""
    for _ in range(attempts):
        try:
            data = await client.download(f"{client.workspace_path}/logs/{log_file.id}", None, EndpointClass.LOGS)
        except GoneError as exc:  # an expired signed URL: ask for a fresh one
            last_problem = str(exc)
            continue
        if not log_file.file_sha256 or hashlib.sha256(data).hexdigest() == log_file.file_sha256.lower():
            return data
        last_problem = f"sha256 mismatch ({len(data)} bytes received)"
    raise LogFileError(f"log file {log_file.id}: {last_problem}")


def parse_jsonl(data: bytes) -> list[dict[str, Any]]:
    """One JSON object per line; also objects concatenated without newlines. Bad lines raise."""
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


# -- events -> items -----------------------------------------------------------------------


def _text_of(content: Any) -> str | None:
    """`content.value`, or `parts`, or `text`; non-string values as compact JSON."""
    if content is None:
        return None
    if isinstance(content, str):
        return content
    if not isinstance(content, dict):
        return json.dumps(content, ensure_ascii=False)
    for key in ("value", "text"):
        value = content.get(key)
        if isinstance(value, str):
            return value
        if value is not None:
            return json.dumps(value, ensure_ascii=False)
    parts = content.get("parts")
    if isinstance(parts, list):
        return "\n".join(p if isinstance(p, str) else json.dumps(p, ensure_ascii=False) for p in parts)
    return None


def _list(value: Any) -> list[Any]:
    """A list envelope `{data: [...]}` or a bare array."""
    if isinstance(value, dict):
        value = value.get("data")
    return value if isinstance(value, list) else []


def file_refs_of_message(message: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    """Every (file id, name) a message references: `files`, `content.file_id`, annotation `files`."""
    for f in _list(message.get("files")):
        if isinstance(f, dict) and f.get("id"):
            yield str(f["id"]), f.get("name")
    content = message.get("content")
    if isinstance(content, dict):
        if content.get("file_id"):
            yield str(content["file_id"]), None
        for annotation in _list(content.get("annotations")):
            if isinstance(annotation, dict):
                for f in _list(annotation.get("files")):
                    if isinstance(f, dict) and f.get("id"):
                        yield str(f["id"]), f.get("name")
    for annotation in _list(message.get("annotations")):
        if isinstance(annotation, dict):
            for f in _list(annotation.get("files")):
                if isinstance(f, dict) and f.get("id"):
                    yield str(f["id"]), f.get("name")


def title_item(conversation: dict[str, Any], common: dict[str, Any]) -> Item | None:
    """A conversation title as an item; titles change, so the id carries a hash of the text."""
    title = conversation.get("title")
    conversation_id = conversation.get("id")
    if not (isinstance(title, str) and title.strip() and conversation_id):
        return None
    digest = hashlib.sha256(title.encode("utf-8")).hexdigest()[:16]
    return Item(
        item_id=f"title:{conversation_id}:{digest}", kind=ItemKind.CONVERSATION_TITLE,
        created_at=parse_time(conversation.get("created_at")), text=title, **common,
    )  # fmt: skip


@dataclass(frozen=True)
class EventItems:
    event_id: str | None
    items: tuple[Item, ...]
    user_id: str | None
    user_email: str | None
    gpt_id: str | None
    gpt_name: str | None


def items_from_event(event: dict[str, Any], workspace_id: str) -> EventItems:
    """The inspectable items of one log event (message text, title, attachments, app payloads)."""
    event_type = str(event.get("type") or event.get("event_type") or "")
    actor = event.get("actor") if isinstance(event.get("actor"), dict) else {}
    user_id = actor.get("user_id")
    email = actor.get("user_email") or actor.get("email")
    event_id = event.get("event_id")
    timestamp = parse_time(event.get("timestamp"))
    source = f"logs:{event_type}"
    items: list[Item] = []
    gpt_id = gpt_name = None
    if event_type == "CONVERSATION_MESSAGE":
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        conversation = event.get("conversation") if isinstance(event.get("conversation"), dict) else {}
        conversation_id = conversation.get("id")
        gpt_id = conversation.get("gpt_id") or message.get("gpt_id")
        gpt_name = conversation.get("gpt_name")
        project_id = conversation.get("project_id") or message.get("project_id")
        author = message.get("author") if isinstance(message.get("author"), dict) else {}
        role = author.get("type") or author.get("role")
        message_id = message.get("id") or event_id
        common = dict(
            workspace_id=workspace_id, source=source, user_id=user_id, user_email=email, gpt_id=gpt_id,
            project_id=project_id, conversation_id=conversation_id,
        )  # fmt: skip
        text = _text_of(message.get("content"))
        if text and message_id:
            items.append(
                Item(
                    item_id=f"msg:{message_id}", kind=ItemKind.MESSAGE, message_id=message_id, role=role,
                    created_at=parse_time(message.get("created_at")) or timestamp, text=text, **common,
                )  # fmt: skip
            )
        title = title_item(conversation, common)
        if title is not None:
            items.append(title)
        for file_id, name in dict(file_refs_of_message(message)).items():
            items.append(
                Item(
                    item_id=f"file:{file_id}", kind=ItemKind.ATTACHMENT, message_id=message_id, file_id=file_id,
                    file_name=name, created_at=timestamp,
                    file_ref=FileRef(file_id=file_id, name=name, owner_kind="user", user_id=user_id,
                                     conversation_id=conversation_id),
                    **common,
                )  # fmt: skip
            )
    elif event_id:
        # APP_LOG and other payload-carrying events: scan what crossed between ChatGPT and a third party.
        parts = tuple(
            (key, json.dumps(event[key], ensure_ascii=False, sort_keys=True))
            for key in ("input", "output", "event_details")
            if event.get(key) not in (None, "", {}, [])
        )
        if parts:
            items.append(
                Item(
                    item_id=f"event:{event_id}", kind=ItemKind.APP_LOG, workspace_id=workspace_id, source=source,
                    user_id=user_id, user_email=email, conversation_id=event.get("conversation_id"),
                    created_at=timestamp, parts=parts,
                )  # fmt: skip
            )
    return EventItems(event_id, tuple(items), user_id, email, gpt_id, gpt_name)
