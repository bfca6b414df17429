"""Stateful endpoints: users, GPTs, projects, conversations, and their deletes."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Sequence, TypeVar

from starlette.responses import JSONResponse, Response

from dlp.emulator import serializers
from dlp.emulator.endpoint import Context, Endpoint
from dlp.emulator.errors import ApiProblem, ValidationProblem
from dlp.emulator.model import Assistant
from dlp.emulator.settings import CONVERSATIONS_STATUS

T = TypeVar("T")

GONE_MESSAGE = ("The conversations endpoints of the Compliance API have been deprecated. Use the Compliance "
                "Logs Platform (GET /v1/compliance/workspaces/{workspace_id}/logs?event_type=CONVERSATION_MESSAGE).")


def paginate(context: Context, items: Sequence[T], id_of: Callable[[T], str], default: int,
             maximum: int) -> tuple[list[T], bool]:
    """A page after the `after` id, honouring `limit` and the short-page fault; and whether more remain."""
    limit = context.int_param("limit", default, maximum)
    after = context.query("after")
    start = 0
    if after:
        ids = [id_of(item) for item in items]
        if after not in ids:
            raise ApiProblem(400, f"Invalid 'after' cursor: {after} is not a known id.", "invalid_cursor", "after")
        start = ids.index(after) + 1
    page = list(items[start:start + limit])
    has_more = start + limit < len(items)
    faults = context.state.settings.faults
    if faults.short_page_rate and len(page) > 1 and context.state.roll() < faults.short_page_rate:
        page, has_more = page[: context.state.randint(1, len(page) - 1)], True
    return page, has_more


def _file_format(context: Context) -> str:
    value = context.query("file_format") or "url"
    if value not in ("url", "id"):
        raise ValidationProblem("file_format", "Input should be 'url' or 'id'", "enum")
    return value


def _serializer(context: Context) -> serializers.Serializer:
    return serializers.Serializer(context.state, context.base_url(), _file_format(context))


def _list_body(data: list[dict[str, Any]], has_more: bool) -> JSONResponse:
    return JSONResponse(serializers.envelope(data, data[-1]["id"] if data else None, has_more))


# -- users ------------------------------------------------------------------------------------
async def list_users(context: Context) -> Response:
    users = sorted(context.state.workspace.users, key=lambda u: u.id)
    page, has_more = paginate(context, users, lambda u: u.id, 200, 200)
    return _list_body([serializers.user(u) for u in page], has_more)


# -- GPTs and projects --------------------------------------------------------------------------
def _assistants(context: Context, kind: str) -> list[Assistant]:
    workspace = context.state.workspace
    pool = workspace.gpts if kind == "gpt" else workspace.projects
    return [a for a in pool if a.id not in context.state.deletions.assistants]


def _assistant(context: Context, kind: str) -> Assistant:
    key = "gpt_id" if kind == "gpt" else "project_id"
    wanted = context.request.path_params[key]
    for assistant in _assistants(context, kind):
        if assistant.id == wanted:
            return assistant
    raise ApiProblem(404, f"{'GPT' if kind == 'gpt' else 'Project'} {wanted} not found.", "not_found")


def _assistant_handlers(kind: str) -> dict[str, Callable]:
    obj = f"compliance.workspace.{kind}"

    async def list_all(context: Context) -> Response:
        serializer = _serializer(context)
        page, has_more = paginate(context, _assistants(context, kind), lambda a: a.id, 20, 100)
        return _list_body([serializer.assistant(a) for a in page], has_more)

    async def get_one(context: Context) -> Response:
        return JSONResponse(_serializer(context).assistant(_assistant(context, kind)))

    async def configs(context: Context) -> Response:
        assistant = _assistant(context, kind)
        serializer = _serializer(context)
        newest_first = list(reversed(assistant.configs))
        page, has_more = paginate(context, newest_first, lambda c: c.id, 20, 100)
        return _list_body([serializer.config(assistant, c) for c in page], has_more)

    async def shared_users(context: Context) -> Response:
        assistant = _assistant(context, kind)
        users = [context.state.workspace.user_by_id[u] for u in _serializer(context).shared_users(assistant)]
        page, has_more = paginate(context, users, lambda u: u.id, 200, 200)
        return _list_body([serializers.user(u) for u in page], has_more)

    async def delete(context: Context) -> Response:
        assistant = _assistant(context, kind)
        context.state.deletions.assistants.add(assistant.id)
        return JSONResponse({"id": assistant.id, "object": obj, "deleted": True})

    async def isolate(context: Context) -> Response:
        assistant = _assistant(context, kind)
        context.state.deletions.isolated.add(assistant.id)
        return JSONResponse({"id": assistant.id, "object": f"{obj}.shared_users", "deleted": True})

    async def delete_file(context: Context) -> Response:
        assistant = _assistant(context, kind)
        file_id = context.request.path_params["file_id"]
        if file_id not in assistant.file_ids or file_id in context.state.deletions.assistant_files:
            raise ApiProblem(404, f"File {file_id} not found in {assistant.id}.", "not_found")
        context.state.deletions.assistant_files.add(file_id)
        return JSONResponse({"id": file_id, "object": f"{obj}.file", "deleted": True})

    return {"list": list_all, "get": get_one, "configs": configs, "shared_users": shared_users,
            "delete": delete, "isolate": isolate, "delete_file": delete_file}


# -- conversations ------------------------------------------------------------------------------
def _ensure_not_gone(context: Context) -> None:
    """The listing is gone: 404 by default (not in the newest route inventory, N2), or 410 (S7's live probe)."""
    status = CONVERSATIONS_STATUS[context.state.settings.conversations_endpoint]
    if status == 410:
        raise ApiProblem(410, GONE_MESSAGE, "endpoint_deprecated")
    if status == 404:
        raise ApiProblem(404, "Not found.", "not_found")


async def list_conversations(context: Context) -> Response:
    _ensure_not_gone(context)
    state = context.state
    since_raw = context.query("since_timestamp")
    if since_raw is not None and context.query("after") is not None:
        raise ApiProblem(400, "'after' and 'since_timestamp' cannot be used together.", "invalid_request",
                         "since_timestamp")
    stubs = state.live_conversations()
    users = context.request.query_params.getlist("users")
    if users:
        wanted = set(users)
        stubs = [s for s in stubs if s.user_id in wanted]
    if since_raw is not None:
        try:
            since = datetime.fromtimestamp(float(since_raw), tz=timezone.utc)
        except ValueError:
            raise ValidationProblem("since_timestamp", "Input should be a valid integer", "int_parsing") from None
        stubs = [s for s in stubs if state.updated_at(s) >= since]
    ordered = sorted(stubs, key=lambda s: (state.updated_at(s), s.id))
    page, has_more = paginate(context, ordered, lambda s: s.id, 500, 500)
    serializer = _serializer(context)
    return _list_body([serializer.conversation(state.conversation(s)) for s in page], has_more)


def _conversation_stub(context: Context):
    conversation_id = context.request.path_params["conversation_id"]
    stub = context.state.workspace.conversation_by_id.get(conversation_id)
    if stub is None or conversation_id in context.state.deletions.conversations:
        raise ApiProblem(404, f"Conversation {conversation_id} not found.", "not_found")
    return stub


async def conversation_messages(context: Context) -> Response:
    _ensure_not_gone(context)
    if not context.state.settings.conversation_messages_endpoint:
        raise ApiProblem(404, "Not found.", "not_found")
    conversation = context.state.conversation(_conversation_stub(context))
    serializer = _serializer(context)
    page, has_more = paginate(context, list(conversation.messages), lambda m: m.id, 100, 500)
    return _list_body([serializer.message(conversation, m) for m in page], has_more)


async def delete_conversation(context: Context) -> Response:
    _ensure_not_gone(context)
    stub = _conversation_stub(context)
    context.state.deletions.conversations.add(stub.id)
    return JSONResponse({"id": stub.id, "object": "compliance.workspace.conversation", "deleted": True})


def endpoints() -> list[Endpoint]:
    out = [Endpoint("GET", "/users", "read", "list", "LIST_USERS", list_users, family="users")]
    for kind, plural, files in (("gpt", "gpts", "gpts"), ("project", "projects", "projects")):
        handlers = _assistant_handlers(kind)
        key = "{gpt_id}" if kind == "gpt" else "{project_id}"
        upper = kind.upper()
        out += [
            Endpoint("GET", f"/{plural}", "read", "list", f"LIST_{upper}S", handlers["list"], family=plural),
            Endpoint("GET", f"/{plural}/{key}", "read", "item", f"GET_{upper}", handlers["get"], family=plural),
            Endpoint("DELETE", f"/{plural}/{key}", "delete", "item", f"DELETE_{upper}", handlers["delete"],
                     family=plural),
            Endpoint("GET", f"/{plural}/{key}/configs", "read", "list", f"LIST_{upper}_CONFIGS", handlers["configs"],
                     family=plural),
            Endpoint("GET", f"/{plural}/{key}/shared_users", "read", "list", f"LIST_{upper}_SHARED_USERS",
                     handlers["shared_users"], family=plural),
            Endpoint("DELETE", f"/{plural}/{key}/shared_users", "delete", "item", f"ISOLATE_{upper}",
                     handlers["isolate"], family=plural),
            Endpoint("DELETE", f"/{files}/{key}/files/{{file_id}}", "delete", "item", f"DELETE_{upper}_FILE",
                     handlers["delete_file"], family=plural),
        ]
    out += [
        Endpoint("GET", "/conversations", "read", "list", "LIST_CONVERSATIONS", list_conversations,
                 family="conversations"),
        Endpoint("GET", "/conversations/{conversation_id}/messages", "read", "list", "LIST_CONVERSATION_MESSAGES",
                 conversation_messages, family="conversations"),
        Endpoint("DELETE", "/conversations/{conversation_id}", "delete", "item", "DELETE_CONVERSATION",
                 delete_conversation, family="conversations"),
    ]
    return out
