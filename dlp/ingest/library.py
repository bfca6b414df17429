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
from dlp.ingest.http import ApiError, ComplianceClient
from dlp.ingest.ratelimit import RouteClass
from dlp.records import FileRef, Item, ItemKind

PAGE_LIMIT = 200
SOURCE = "library_files"


async def iter_library_files(client: ComplianceClient, user_id: str) -> AsyncIterator[dict[str, Any]]:
    path = f"{client.workspace_path}/users/{user_id}/library_files"
    params: dict[str, Any] = {"limit": PAGE_LIMIT}
    pages = 0
    while True:
        page = await client.get_json(path, params, RouteClass.ITEM)
        if not isinstance(page, dict):
            raise ApiError(f"GET {path}: expected a list object")
        data = page.get("data") or []
        for entry in data:
            if isinstance(entry, dict) and entry.get("id"):
                yield entry
        pages += 1
        if not page.get("has_more"):
            return
        if page.get("cursor"):
            params = {"limit": PAGE_LIMIT, "cursor": page["cursor"]}
        elif page.get("last_id") and page.get("last_id") != params.get("after"):
            params = {"limit": PAGE_LIMIT, "after": page["last_id"]}
        else:
            raise ApiError(f"GET {path}: has_more is true but the page names no cursor to continue from")
        if pages >= 10_000:
            raise ApiError(f"GET {path}: more than 10,000 pages")


def library_file_item(entry: dict[str, Any], workspace_id: str, user_id: str, email: str | None) -> Item:
    file_id = str(entry["id"])
    name = entry.get("name") if isinstance(entry.get("name"), str) else None
    return Item(
        item_id=f"file:{file_id}", kind=ItemKind.ATTACHMENT, workspace_id=workspace_id, source=SOURCE,
        user_id=user_id, user_email=email, file_id=file_id, file_name=name,
        created_at=parse_time(entry.get("created_at")),
        file_ref=FileRef(file_id=file_id, name=name, owner_kind="user", user_id=user_id),
    )  # fmt: skip
