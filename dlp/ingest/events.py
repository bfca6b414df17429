"""Log events into inspectable items: message text, titles, attachments, and the payload of every other event.

Every field is optional (compliance-api.md §9). What is read, by type:
- `CONVERSATION_MESSAGE`: `message.content` (value, text or parts), the conversation title, and the files a
  message references (`message.files`, `content.file_id`, annotation `files`: psoxy's schema, S11).
- every other event: the free text under `input`, `output` (APP_LOG, S9) and `event_details` (CODEX_LOG
  `prompt_text`/`response_text`, CUSTOM_AGENTS_LOG `user_message_text`/`prompt`, CHATGPT_PLUGIN_*
  `prompt_text`: S9, N4), whatever the type, known or not.
The user is the actor, or for an agent actor its delegating user (`actor.agent_runtime.delegator`, S9),
or the person who invoked an agent run (`event_details.invoker.initiator.auth_user_id`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from dlp.config import DEFAULT_EVENT_TYPES
from dlp.records import FileRef, Item, ItemKind

CONTENT_EVENT_TYPES = DEFAULT_EVENT_TYPES
# Types the public record names (§7.3 and Update item 9); anything else is counted as unknown, never refused.
KNOWN_EVENT_TYPES = frozenset(DEFAULT_EVENT_TYPES) | {
    "APP_AUTH_LOG", "AUTH_LOG", "AUDIT_LOG", "CODEX_SECURITY_LOG", "COSTS", "APP_ORGANIZATION_LOG",
    "APP_AUTH_ORGANIZATION_LOG", "MEMORY_CONTEXT",
}  # fmt: skip
PAYLOAD_KEYS = ("input", "output", "event_details")
# Keys under a payload that describe the call rather than carry what was said (client, location, usage).
METADATA_KEYS = frozenset({"_meta", "token_usage", "internal", "initiator"})


def parse_time(value: Any) -> datetime | None:
    """Accept ISO-8601 strings (with Z or offset, or naive = UTC) and float epoch seconds."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def list_of(value: Any) -> list[Any]:
    """A list envelope `{data: [...]}` or a bare array."""
    if isinstance(value, dict):
        value = value.get("data")
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def text_of(content: Any) -> str | None:
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


def payload_text(value: Any) -> str:
    """The text a payload carries, one `path: value` line per leaf.

    Keys stay next to their values (a key such as `ssn` is context for the
    value after it) and strings stay unescaped (a PEM key keeps its line
    breaks). Ids and call metadata are left out: they are not what was said.
    """
    lines: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                key = str(key)
                if key in METADATA_KEYS or key == "id" or key.endswith("_id"):
                    continue
                walk(child, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{path}[{index}]")
        elif isinstance(node, str):
            if node.strip():
                lines.append(f"{path}: {node}" if path else node)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            lines.append(f"{path}: {node}" if path else str(node))

    walk(value, "")
    return "\n".join(lines)


def file_refs_of_message(message: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    """Every (file id, name) a message references: `files`, `content.file_id`, annotation `files`."""
    for f in list_of(message.get("files")):
        if isinstance(f, dict) and f.get("id"):
            yield str(f["id"]), f.get("name")
    content = message.get("content")
    if isinstance(content, dict):
        if content.get("file_id"):
            yield str(content["file_id"]), None
        for annotation in list_of(content.get("annotations")):
            yield from _annotation_files(annotation)
    for annotation in list_of(message.get("annotations")):
        yield from _annotation_files(annotation)


def _annotation_files(annotation: Any) -> Iterator[tuple[str, str | None]]:
    if isinstance(annotation, dict):
        for f in list_of(annotation.get("files")):
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


def event_type_of(event: dict[str, Any], listed_as: str = "") -> str:
    """The log category: the envelope's `type`; CODEX_LOG-style events use `event_type` for a sub-type."""
    value = event.get("type")
    return str(value) if isinstance(value, str) and value else listed_as


def event_id_of(event: dict[str, Any]) -> str:
    """`event_id`, or for an event without one a digest of its content (so a re-delivery still matches)."""
    value = event.get("event_id")
    if isinstance(value, (str, int)) and str(value):
        return str(value)
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def actor_user(event: dict[str, Any]) -> tuple[str | None, str | None]:
    """The person an event belongs to, for attribution and scope filters (user id, e-mail)."""
    actor = _dict(event.get("actor"))
    delegator = _dict(_dict(actor.get("agent_runtime")).get("delegator"))
    for who in (delegator, actor):  # an agent acts for its delegating user
        user_id = who.get("user_id")
        email = who.get("user_email") or who.get("email")
        if user_id or email:
            return (str(user_id) if user_id else None), (str(email) if email else None)
    initiator = _dict(_dict(_dict(event.get("event_details")).get("invoker")).get("initiator"))
    if initiator.get("auth_user_id"):
        return str(initiator["auth_user_id"]), None
    return None, None


@dataclass(frozen=True)
class EventItems:
    event_id: str
    event_type: str
    items: tuple[Item, ...]
    user_id: str | None
    user_email: str | None
    gpt_id: str | None
    gpt_name: str | None


def items_from_event(event: dict[str, Any], workspace_id: str, listed_as: str = "") -> EventItems:
    """The inspectable items of one log event (message text, title, attachments, payload text)."""
    event_type = event_type_of(event, listed_as)
    user_id, email = actor_user(event)
    event_id = event_id_of(event)
    timestamp = parse_time(event.get("timestamp"))
    source = f"logs:{event_type}"
    if event_type == "CONVERSATION_MESSAGE":
        message = _dict(event.get("message"))
        conversation = _dict(event.get("conversation"))
        gpt_id = conversation.get("gpt_id") or message.get("gpt_id")
        items = _message_items(event, message, conversation, workspace_id, source, user_id, email, timestamp)
        return EventItems(event_id, event_type, items, user_id, email, gpt_id, conversation.get("gpt_name"))
    parts = tuple((key, text) for key in PAYLOAD_KEYS if (text := payload_text(event.get(key))))
    items: tuple[Item, ...] = ()
    if parts:
        details = _dict(event.get("event_details"))
        conversation_id = event.get("conversation_id") or details.get("conversation_id")
        kind = ItemKind.APP_LOG if event_type == "APP_LOG" else ItemKind.LOG_EVENT
        items = (
            Item(
                item_id=f"event:{event_id}", kind=kind, workspace_id=workspace_id, source=source, user_id=user_id,
                user_email=email, conversation_id=str(conversation_id) if conversation_id else None,
                created_at=timestamp, parts=parts,
            ),
        )  # fmt: skip
    return EventItems(event_id, event_type, items, user_id, email, None, None)


def _message_items(
    event: dict[str, Any], message: dict[str, Any], conversation: dict[str, Any], workspace_id: str, source: str,
    user_id: str | None, email: str | None, timestamp: datetime | None,
) -> tuple[Item, ...]:  # fmt: skip
    conversation_id = conversation.get("id")
    author = _dict(message.get("author"))
    message_id = message.get("id") or event.get("event_id")
    common = dict(
        workspace_id=workspace_id, source=source, user_id=user_id, user_email=email,
        gpt_id=conversation.get("gpt_id") or message.get("gpt_id"),
        project_id=conversation.get("project_id") or message.get("project_id"), conversation_id=conversation_id,
    )  # fmt: skip
    items: list[Item] = []
    text = text_of(message.get("content"))
    if text and message_id:
        items.append(
            Item(
                item_id=f"msg:{message_id}", kind=ItemKind.MESSAGE, message_id=message_id,
                role=author.get("type") or author.get("role"),
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
    return tuple(items)
