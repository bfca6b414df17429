"""The deprecated stateful `/conversations` endpoint, for workspaces that still serve it.

It is gone: 404 in the newest route inventory (N2), 410 on a live probe (S7);
the scanner treats both alike, notes it, and relies on the logs and on the
users' library files. Messages found here and in
the logs share item ids (`msg:<id>`), so reading both never double counts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from dlp.ingest.http import ComplianceClient
from dlp.ingest.events import (
    file_refs_of_message,
    list_of,
    parse_time,
    text_of,
    title_item,
)
from dlp.ingest.ratelimit import RouteClass
from dlp.records import FileRef, Item, ItemKind

PAGE_LIMIT = 100  # the API allows 500; the spec advises smaller pages for ~2 MB conversations


async def iter_conversation_pages(
    client: ComplianceClient, since_timestamp: float | None, limit: int = PAGE_LIMIT
) -> AsyncIterator[list[dict[str, Any]]]:
    """Pages of conversations updated since a time: `since_timestamp` first, then `after` alone (never both)."""
    params: dict[str, Any] = {"limit": limit, "file_format": "id"}
    if since_timestamp is not None:
        params["since_timestamp"] = int(since_timestamp)
    path = f"{client.workspace_path}/conversations"
    while True:
        page = await client.get_json(path, params, RouteClass.LIST)
        data = [c for c in (page.get("data") or []) if isinstance(c, dict)] if isinstance(page, dict) else []
        yield data
        if not isinstance(page, dict) or not page.get("has_more"):
            return
        last_id = page.get("last_id") or (data[-1].get("id") if data else None)
        if not last_id:
            return
        params = {"limit": limit, "file_format": "id", "after": last_id}


def items_from_conversation(conversation: dict[str, Any], workspace_id: str) -> list[Item]:
    conversation_id = conversation.get("id")
    user_id = conversation.get("user_id")
    email = conversation.get("user_email")
    items: list[Item] = []
    common = dict(
        workspace_id=workspace_id, source="conversations", user_id=user_id, user_email=email,
        conversation_id=conversation_id,
    )  # fmt: skip
    title = title_item(conversation, common)
    if title is not None:
        items.append(title)
    for message in list_of(conversation.get("messages")):
        if not isinstance(message, dict) or not message.get("id"):
            continue
        author = message.get("author") if isinstance(message.get("author"), dict) else {}
        extra = dict(gpt_id=message.get("gpt_id"), project_id=message.get("project_id"))
        text = text_of(message.get("content"))
        created = parse_time(message.get("created_at"))
        if text:
            items.append(
                Item(item_id=f"msg:{message['id']}", kind=ItemKind.MESSAGE, message_id=message["id"],
                     role=author.get("role") or author.get("type"), created_at=created, text=text, **common, **extra)
            )  # fmt: skip
        for file_id, name in dict(file_refs_of_message(message)).items():
            items.append(
                Item(item_id=f"file:{file_id}", kind=ItemKind.ATTACHMENT, message_id=message["id"], file_id=file_id,
                     file_name=name, created_at=created,
                     file_ref=FileRef(file_id=file_id, name=name, owner_kind="user", user_id=user_id,
                                      conversation_id=conversation_id),
                     **common, **extra)
            )  # fmt: skip
    return items


def latest_activity(conversations: list[dict[str, Any]]) -> float | None:
    times = [parse_time(c.get("last_active_at")) for c in conversations]
    stamps = [t.timestamp() for t in times if t is not None]
    return max(stamps) if stamps else None
