"""The files a user uploaded, from `GET users/{user_id}/library_files`.

Only one public sample puts file references in `CONVERSATION_MESSAGE` events
(psoxy, S11); the documented way to list a user's files is this route
(compliance-api.md, Update 2026-12 item 8: N1, N2). Its pages carry an opaque
`cursor` (N1: `cursor`, `limit` default 200; entries `{id, name, mime_type,
state, created_at, trashed_at, is_project}`); a `last_id` is followed as
`after` too. The bytes come from the user-file content route, like any upload.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from dlp.ingest.events import parse_time
from dlp.ingest.http import ComplianceClient
from dlp.ingest.ratelimit import RouteClass
from dlp.ingest.stateful import iter_list
from dlp.records import FileRef, Item, ItemKind

PAGE_LIMIT = 200
SOURCE = "library_files"


def iter_library_files(client: ComplianceClient, user_id: str) -> AsyncIterator[dict[str, Any]]:
    path = f"{client.workspace_path}/users/{user_id}/library_files"
    return iter_list(client, path, limit=PAGE_LIMIT, route_class=RouteClass.ITEM)


def library_file_item(entry: dict[str, Any], workspace_id: str, user_id: str, email: str | None) -> Item:
    file_id = str(entry["id"])
    name = entry.get("name") if isinstance(entry.get("name"), str) else None
    return Item(
        item_id=f"file:{file_id}", kind=ItemKind.ATTACHMENT, workspace_id=workspace_id, source=SOURCE,
        user_id=user_id, user_email=email, file_id=file_id, file_name=name,
        created_at=parse_time(entry.get("created_at")),
        file_ref=FileRef(file_id=file_id, name=name, owner_kind="user", user_id=user_id),
    )  # fmt: skip
