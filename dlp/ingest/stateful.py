"""The stateful endpoints: users, GPTs with every config version, and their knowledge files."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from dlp.ingest.http import ApiError, ComplianceClient
from dlp.ingest.events import list_of, parse_time
from dlp.ingest.ratelimit import RouteClass
from dlp.records import FileRef, Item, ItemKind

MAX_PAGES = 100_000  # a server that never ends its list fails the stream instead of hanging it


async def iter_list(
    client: ComplianceClient,
    path: str,
    params: dict[str, Any] | None = None,
    limit: int | None = None,
    route_class: RouteClass = RouteClass.LIST,
) -> AsyncIterator[dict[str, Any]]:
    """Page a `{data, has_more}` list; never stop on a short page.

    The next page is asked with the page's `cursor` where it names one (library files, Codex tasks: N1, S2),
    else with `after=last_id` (S2's lists).
    """
    base = dict(params or {})
    if limit:
        base["limit"] = limit
    query = dict(base)
    for _ in range(MAX_PAGES):
        page = await client.get_json(path, query, route_class)
        if not isinstance(page, dict):
            raise ApiError(f"GET {path}: expected a list object")
        data = page.get("data") or []
        for obj in data:
            if isinstance(obj, dict):
                yield obj
        if not page.get("has_more"):
            return
        last_id = page.get("last_id") or (data[-1].get("id") if data and isinstance(data[-1], dict) else None)
        if page.get("cursor"):
            query = {**base, "cursor": page["cursor"]}
        elif last_id and last_id != query.get("after"):
            query = {**base, "after": last_id}
        else:
            raise ApiError(f"GET {path}: has_more is true but the page names no cursor or last_id to continue from")
    raise ApiError(f"GET {path}: more than {MAX_PAGES} pages")


@dataclass(frozen=True)
class User:
    id: str
    email: str | None
    name: str | None
    role: str | None
    status: str | None


async def list_users(client: ComplianceClient) -> list[User]:
    users = []
    async for raw in iter_list(client, f"{client.workspace_path}/users", limit=200):
        if raw.get("id"):
            users.append(User(raw["id"], raw.get("email"), raw.get("name"), raw.get("role"), raw.get("status")))
    return users


@dataclass(frozen=True)
class Family:
    """GPTs and projects share one shape (object, configs, knowledge files); this names the differences."""

    path: str  # "gpts" | "projects"
    owner_kind: str  # FileRef.owner_kind: "gpt" | "project"
    config_kind: ItemKind
    file_kind: ItemKind
    config_prefix: str  # item id prefix of a config version


GPTS = Family("gpts", "gpt", ItemKind.GPT_CONFIG, ItemKind.KNOWLEDGE_FILE, "gptcfg")
PROJECTS = Family("projects", "project", ItemKind.PROJECT_CONFIG, ItemKind.PROJECT_FILE, "prjcfg")


@dataclass(frozen=True)
class Gpt:
    """A custom GPT or a project (see `family`)."""

    id: str
    name: str | None
    owner_id: str | None
    owner_email: str | None
    visibility: str | None
    latest_config_id: str | None = None
    family: Family = GPTS

    @property
    def latest_config_item_id(self) -> str | None:
        return f"{self.family.config_prefix}:{self.latest_config_id}" if self.latest_config_id else None

    def to_json(self) -> str:
        """What the retry queue keeps to read this GPT (or project) again."""
        value = dataclasses.asdict(self)
        value["family"] = self.family.path
        return json.dumps(value, sort_keys=True)

    @classmethod
    def from_json(cls, payload: str) -> "Gpt":
        value = json.loads(payload)
        value["family"] = PROJECTS if value.get("family") == PROJECTS.path else GPTS
        return cls(**value)


def _gpt(raw: dict[str, Any], family: Family) -> Gpt:
    latest = list_of(raw.get("latest_config"))
    head = latest[0] if latest and isinstance(latest[0], dict) else {}
    name = head.get("name") or raw.get("name")
    sharing = raw.get("sharing") if isinstance(raw.get("sharing"), dict) else {}
    return Gpt(
        raw["id"], name, raw.get("owner_id"), raw.get("owner_email"), sharing.get("visibility"), head.get("id"), family
    )


async def list_gpts(client: ComplianceClient, family: Family = GPTS) -> AsyncIterator[Gpt]:
    async for raw in iter_list(client, f"{client.workspace_path}/{family.path}", {"file_format": "id"}, limit=20):
        if raw.get("id"):
            yield _gpt(raw, family)


def config_parts(config: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The free-text fields of a GPT or project config, each with where it sits."""
    parts: list[tuple[str, str]] = []
    for key in ("name", "description", "instructions"):
        value = config.get(key)
        if isinstance(value, str) and value.strip():
            parts.append((key, value))
    for index, starter in enumerate(config.get("conversation_starters") or []):
        if isinstance(starter, str) and starter.strip():
            parts.append((f"conversation_starters[{index}]", starter))
    for index, tool in enumerate(list_of(config.get("tools"))):
        if not isinstance(tool, dict):
            continue
        domain = tool.get("action_domain") or ""
        openapi = tool.get("action_openapi_raw")
        where = f"tools[{index}] {domain} openapi".replace("  ", " ")
        if isinstance(openapi, str) and openapi.strip():
            parts.append((where, openapi))
        elif isinstance(openapi, (dict, list)):
            parts.append((where, json.dumps(openapi, ensure_ascii=False)))
    return tuple(parts)


async def gpt_config_items(client: ComplianceClient, gpt: Gpt) -> AsyncIterator[Item]:
    """One item per config version (its text fields), and one per knowledge file it lists."""
    family = gpt.family
    path = f"{client.workspace_path}/{family.path}/{gpt.id}/configs"
    owner = {"gpt_id": gpt.id} if family is GPTS else {"project_id": gpt.id}
    async for config in iter_list(client, path, {"file_format": "id"}, limit=20):
        config_id = config.get("id")
        if not config_id:
            continue
        author = config.get("version_author") if isinstance(config.get("version_author"), dict) else {}
        created = parse_time(config.get("created_at"))
        common = dict(
            workspace_id=client.workspace_id or "", source=family.path,
            user_id=author.get("id") or gpt.owner_id, user_email=author.get("email") or gpt.owner_email, **owner,
        )  # fmt: skip
        parts = config_parts(config)
        if parts:
            yield Item(
                item_id=f"{family.config_prefix}:{config_id}", kind=family.config_kind, created_at=created,
                parts=parts, **common,
            )  # fmt: skip
        for f in list_of(config.get("files")):
            if isinstance(f, dict) and f.get("id"):
                yield Item(
                    item_id=f"file:{f['id']}", kind=family.file_kind, file_id=f["id"], file_name=f.get("name"),
                    created_at=parse_time(f.get("created_at")) or created,
                    file_ref=FileRef(file_id=f["id"], name=f.get("name"), owner_kind=family.owner_kind), **common,
                )  # fmt: skip


def file_content_path(client: ComplianceClient, ref: FileRef) -> tuple[str, dict[str, Any] | None]:
    """The file-content endpoint for a file reference."""
    ws = client.workspace_path
    if ref.owner_kind == "gpt":
        return f"{ws}/gpt_files/{ref.file_id}", None
    if ref.owner_kind == "project":
        return f"{ws}/project_files/{ref.file_id}", None
    if not ref.user_id:
        raise ApiError(f"file {ref.file_id}: no user id to fetch it with (the event named no user)")
    params = {"conversation_id": ref.conversation_id} if ref.conversation_id else None
    return f"{ws}/users/{ref.user_id}/files/{ref.file_id}", params
