"""An independent Compliance API for contract tests: built from the public sample events, not from our emulator.

Event and listing shapes follow the public samples (Elastic's pipeline test logs, psoxy's example responses,
XSOAR's test data: /work/shared/api-samples) with our own values; the routes follow compliance-api.md,
"Update 2026-12": `after` strictly later, `event_type` required and repeatable, `limit` 1..100, log
downloads and file content by 307 to a signed URL, `max_event_time`, per-user `library_files` paged by
`cursor`, no conversations listing (404), and 100 requests per rolling minute per method and route,
answered with 429 and `Retry-After`. Planted values sit in every content-bearing event type and, for
files, only in the users' library files (no message names an upload).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import docx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .planted import Plant, Values

WORKSPACE = "3c0f6a8e-5d21-4b7a-9e44-7a1d2b3c4d5e"
API_KEY = "sk-contract-test-key-000000000000"
PER_MINUTE = 100
CONTENT_TYPES = ("CONVERSATION_MESSAGE", "APP_LOG", "CODEX_LOG", "CUSTOM_AGENTS_LOG", "CHATGPT_PLUGIN_DOCUMENT",
                 "CHATGPT_PLUGIN_PRESENTATION", "CHATGPT_PLUGIN_SPREADSHEET")
# log files per type: CONVERSATION_MESSAGE alone needs well over a minute's allowance of downloads
FILES_PER_TYPE = {"CONVERSATION_MESSAGE": 240, "APP_LOG": 24, "CODEX_LOG": 12, "CUSTOM_AGENTS_LOG": 12,
                  "CHATGPT_PLUGIN_DOCUMENT": 6, "CHATGPT_PLUGIN_PRESENTATION": 6, "CHATGPT_PLUGIN_SPREADSHEET": 6,
                  "AUTH_LOG": 8}
# Listing entries with only an id (psoxy's sample): the client must still download and record them.
ID_ONLY_TYPES = frozenset({"CHATGPT_PLUGIN_SPREADSHEET"})


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class LogFile:
    id: str
    event_type: str
    end_time: datetime
    body: bytes
    max_event_time: datetime


@dataclass
class Upload:
    id: str
    user_id: str
    name: str
    mime_type: str
    created_at: datetime
    body: bytes


@dataclass
class Person:
    id: str
    email: str
    name: str


@dataclass
class Data:
    users: list[Person]
    logs: dict[str, list[LogFile]]
    uploads: dict[str, Upload]
    plants: list[Plant]


def build(now: datetime, seed: int = 11) -> Data:
    values = Values(seed)
    plants: list[Plant] = []
    users = [Person("user-Aa11QwErTyUiOp", "alice.martin@example.com", "Alice Martin"),
             Person("user-Bb22AsDfGhJkLz", "bob.turner@example.com", "Bob Turner"),
             Person("user-Cc33ZxCvBnMqWe", "carol.diaz@example.com", "Carol Diaz"),
             Person("user-Dd44PoIuYtReWq", "dev.rao@example.com", "Dev Rao")]

    def plant(user: Person, where: str) -> str:
        value, entity, sentence = values.next()
        plants.append(Plant(value, entity, user.id, where))
        return sentence

    logs: dict[str, list[LogFile]] = {}
    start = now - timedelta(days=5)
    counter = 0
    for event_type, count in FILES_PER_TYPE.items():
        files = []
        for index in range(count):
            # Pairs of files share an end_time (a same-time file must not be skipped under a strict `after`).
            end_time = start + timedelta(minutes=5 * (index // 2 + 1))
            user = users[(index + len(event_type)) % len(users)]
            events = _events(event_type, index, user, end_time - timedelta(minutes=3), plant)
            counter += 1
            lines = [json.dumps(e, separators=(",", ":")) for e in events]
            if event_type == "APP_LOG" and index == 0 and len(lines) > 1:
                lines = ["".join(lines)]  # two events on one line, as in XSOAR's test data
            body = ("\n".join(lines) + "\n").encode()
            newest = max(datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")) for e in events)
            files.append(LogFile(f"eclf_{hashlib.sha256(f'{seed}{counter}'.encode()).hexdigest()[:20]}",
                                 event_type, end_time, body, newest))
        logs[event_type] = files
    uploads: dict[str, Upload] = {}
    for index in range(9):
        user = users[index % len(users)]
        sentence = plant(user, "library_file")
        file_id = f"file-{hashlib.sha256(f'{seed}upload{index}'.encode()).hexdigest()[:22]}"
        created = now - timedelta(hours=2 + index)
        if index % 3 == 0:
            document = docx.Document()
            document.add_paragraph("Quarterly vendor notes.")
            document.add_paragraph(sentence)
            buffer = io.BytesIO()
            document.save(buffer)
            upload = Upload(file_id, user.id, f"vendor-notes-{index}.docx",
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", created,
                            buffer.getvalue())
        elif index % 3 == 1:
            upload = Upload(file_id, user.id, f"orders-{index}.csv", "text/csv", created,
                            f"order,note\n{1000 + index},\"{sentence}\"\n".encode())
        else:
            upload = Upload(file_id, user.id, f"notes-{index}.txt", "text/plain", created,
                            f"Meeting notes\n\n{sentence}\n".encode())
        uploads[file_id] = upload
    return Data(users, logs, uploads, plants)


def _actor(user: Person) -> dict[str, str]:
    return {"type": "ACCOUNT_USER", "user_id": user.id, "user_email": user.email}


def _events(event_type: str, index: int, user: Person, at: datetime,
            plant: Callable[[Person, str], str]) -> list[dict[str, Any]]:
    """One file's events, shaped like the public samples of each type."""
    principal = {"id": WORKSPACE, "type": "CHATGPT_WORKSPACE"}

    def eid(n: int) -> str:
        prefix = hashlib.md5(f"{event_type}{index}{n}".encode()).hexdigest()[:8]
        return f"{prefix}-1111-4a11-8b11-{index:06d}{n:06d}"

    base = {"principal": principal, "actor": _actor(user)}
    if event_type == "CONVERSATION_MESSAGE":
        conversation = {"id": f"6a57a2e4-ba84-832d-9604-{index:012d}", "title": "Vendor follow-up",
                        "created_at": iso(at - timedelta(minutes=1)), "is_pinned": False,
                        "is_temporary_chat": index % 7 == 0}
        asks = plant(user, event_type) if index % 4 == 0 else "Draft a short status update for the vendor."
        first = {"event_id": eid(0), "type": event_type, **base, "timestamp": iso(at),
                 "message": {"id": f"39adf8b1-e281-42c0-920b-{index:012d}", "created_at": iso(at),
                             "author": {"type": "user", "client_type": "desktop_web"},
                             "content": {"type": "text", "value": asks}},
                 "conversation": conversation}
        reply = {"event_id": eid(1), "type": event_type, **base, "timestamp": iso(at + timedelta(seconds=6)),
                 "previous_message_id": first["message"]["id"],
                 "message": {"id": f"af1f845c-583e-40d5-a5e2-{index:012d}", "created_at": iso(at + timedelta(seconds=6)),
                             "author": {"type": "assistant", "model": "gpt-5-5", "tools_used": []},
                             "content": {"type": "text", "value": "Here is a concise status update.",
                                         "annotations": [{"type": "url_citation", "urls": ["https://docs.example.com/x"]}]}},
                 "conversation": conversation}
        return [first, reply]
    if event_type == "APP_LOG":
        common = {**base, "app_id": "asdk_app_1111111111111111aaaa", "app_name": "Slack", "app_type": "MCP",
                  "conversation_id": None if index % 5 == 0 else f"c-1111-aaaa-{index:04d}"}
        request = {"event_id": eid(0), "type": event_type, "timestamp": iso(at), **common, "log_type": "request",
                   "input": {"query": plant(user, event_type), "limit": 20,
                             "_meta": {"openai/locale": "en-GB", "openai/userLocation": {"city": "London"}}}}
        response = {"event_id": eid(1), "type": event_type, "timestamp": iso(at + timedelta(seconds=1)), **common,
                    "log_type": "response",
                    "output": [{"response": {"result": {"content": [{"type": "text", "text": plant(user, event_type)}],
                                                        "isError": False},
                                             "connector_name": "Slack", "action_name": "slack_search_public"}}]}
        return [request, response]
    if event_type == "CODEX_LOG":
        return [{"event_id": eid(0), "type": event_type, "timestamp": iso(at), **base,
                 "event_type": "PROMPT_RESPONSE_RECEIVED", "client_id": "CODEX_CLI", "workspace_id": WORKSPACE,
                 "event_details": {"detail_type": "PROMPT_RESPONSE_RECEIVED", "session_id": f"session-{index}",
                                   "prompt_text": plant(user, event_type), "response_text": plant(user, event_type),
                                   "status": "success", "model": "gpt-5.1-codex-max",
                                   "token_usage": {"input_tokens": 4200, "output_tokens": 1800}}}]
    if event_type == "CUSTOM_AGENTS_LOG":
        agent = {"type": "AGENT", "product_type": "COLLAB_AGENT", "id": f"agent-harness-{index}", "name": "Ops Agent",
                 "product_id": f"agent-{index}",
                 "agent_runtime": {"id": f"runtime-{index}", "delegator": _actor(user)},
                 "agent_task": {"id": f"task-{index}"}}
        run = {"agent_id": f"agent-{index}", "version_id": "version-7", "run_id": f"thread_{index:08d}"}
        created = {"event_id": eid(0), "type": event_type, "timestamp": iso(at), **base,
                   "event_type": "AGENT_RUN_CREATED", "client_id": "CHATGPT_WEB", "workspace_id": WORKSPACE,
                   "event_details": {"detail_type": "AGENT_RUN_CREATED", **run,
                                     "invoker": {"type": "chatgpt",
                                                 "initiator": {"kind": "account_user", "id": f"account-user-{index}",
                                                               "display_name": user.name, "auth_user_id": user.id},
                                                 "user_message_text": plant(user, event_type),
                                                 "is_shared_invocation": False, "connector_id": None}}}
        updated = {"event_id": eid(1), "type": event_type, "timestamp": iso(at + timedelta(seconds=40)),
                   "principal": principal, "actor": agent, "event_type": "AGENT_UPDATED", "client_id": "CHATGPT_WEB",
                   "workspace_id": WORKSPACE,
                   "event_details": {"detail_type": "AGENT_UPDATED", **run, "prompt": plant(user, event_type)}}
        memory = {"event_id": eid(2), "type": event_type, "timestamp": iso(at + timedelta(seconds=41)),
                  "principal": principal, "actor": agent, "event_type": "MEMORY_READ", "client_id": "CHATGPT_WEB",
                  "workspace_id": WORKSPACE,
                  "event_details": {"detail_type": "MEMORY_READ", **run, "memory_path": "customer-notes/q4.md",
                                    "access_method": "read"}}
        return [created, updated, memory]
    if event_type.startswith("CHATGPT_PLUGIN_"):
        return [{"event_id": eid(0), "type": event_type, "timestamp": iso(at), **base, "event_type": "PROMPT_SENT",
                 "client_id": "OFFICE_ADDIN", "workspace_id": WORKSPACE,
                 "event_details": {"detail_type": "PROMPT_SENT", "session_id": f"session-{index}",
                                   "prompt_text": plant(user, event_type), "model": "gpt-5.1",
                                   "environment_id": None}}]
    return [{"event_id": eid(0), "type": event_type, "timestamp": iso(at), **base,
             "request_metadata": {"client_ip": "203.0.113.7"}, "action_data": {"action": "login_success"}}]


@dataclass
class Served:
    method: str
    route: str
    status: int
    at: datetime


@dataclass
class ContractServer:
    """Serve `build(now)` over loopback with uvicorn in a thread; `clock` is any object with `now()`."""

    clock: Any
    seed: int = 11
    requests: list[Served] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.data = build(self.clock.now(), self.seed)
        self._windows: dict[str, deque[datetime]] = {}
        self._signed: dict[str, tuple[bytes, str, datetime]] = {}
        self._lock = threading.Lock()
        self.app = Starlette(routes=self._routes())
        self.port = 0

    @property
    def plants(self) -> list[Plant]:
        return self.data.plants

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- the routes -------------------------------------------------------------------------------
    def _routes(self) -> list[Route]:
        ws = "/v1/compliance/workspaces/{workspace_id}"
        api = [
            (f"{ws}/users", self._users), (f"{ws}/users/{{user_id}}/library_files", self._library),
            (f"{ws}/users/{{user_id}}/files/{{file_id}}", self._file), (f"{ws}/gpts", self._empty),
            (f"{ws}/projects", self._empty), (f"{ws}/logs", self._list_logs),
            (f"{ws}/logs/max_event_time", self._freshness), (f"{ws}/logs/{{log_file_id}}", self._download),
        ]
        routes = [Route(path, self._guarded(path, handler), methods=["GET"]) for path, handler in api]
        routes.append(Route("/blob/{token}", self._blob, methods=["GET"]))
        return routes

    def _guarded(self, template: str, handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
        route = f"GET {template}"

        async def serve(request: Request) -> Response:
            now = self.clock.now()
            if request.headers.get("authorization") != f"Bearer {API_KEY}":
                return self._record(route, now, _error(401, "Incorrect API key provided.", "invalid_api_key"))
            if request.path_params.get("workspace_id") != WORKSPACE:
                return self._record(route, now, _error(403, "Key not authorized for this workspace.", "forbidden"))
            wait = self._admit(route, now)
            if wait:
                return self._record(route, now, _error(429, "Rate limit exceeded.", "rate_limit_exceeded",
                                                       {"Retry-After": str(wait)}))
            return self._record(route, now, await handler(request))

        return serve

    def _admit(self, route: str, now: datetime) -> int:
        """At most PER_MINUTE requests per route in any rolling 60 s; else the seconds until a slot frees."""
        with self._lock:
            window = self._windows.setdefault(route, deque())
            while window and window[0] <= now - timedelta(seconds=60):
                window.popleft()
            if len(window) >= PER_MINUTE:
                return max(1, math.ceil((window[0] + timedelta(seconds=60) - now).total_seconds()))
            window.append(now)
            return 0

    def _record(self, route: str, now: datetime, response: Response) -> Response:
        with self._lock:
            self.requests.append(Served("GET", route, response.status_code, now))
        return response

    async def _users(self, request: Request) -> Response:
        data = [{"object": "compliance.workspace.user", "id": u.id, "email": u.email, "name": u.name,
                 "created_at": 1718000000.0, "role": "standard-user", "status": "active"} for u in self.data.users]
        return JSONResponse({"object": "list", "data": data, "last_id": data[-1]["id"], "has_more": False})

    async def _empty(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [], "last_id": None, "has_more": False})

    async def _library(self, request: Request) -> Response:
        user_id = request.path_params["user_id"]
        if user_id not in {u.id for u in self.data.users}:
            return _error(404, "User not found.", "not_found")
        mine = [u for u in self.data.uploads.values() if u.user_id == user_id]
        limit = min(int(request.query_params.get("limit", 200)), 200)
        start = int(request.query_params.get("cursor") or 0)
        page = mine[start:start + limit]
        more = start + limit < len(mine)
        return JSONResponse({
            "data": [{"id": u.id, "name": u.name, "mime_type": u.mime_type, "state": "active",
                      "created_at": u.created_at.timestamp(), "trashed_at": None, "is_project": False} for u in page],
            "has_more": more, "cursor": str(start + limit) if more else None,
        })

    async def _file(self, request: Request) -> Response:
        upload = self.data.uploads.get(request.path_params["file_id"])
        if upload is None or upload.user_id != request.path_params["user_id"]:
            return _error(404, "File not found.", "not_found")
        return self._redirect(upload.body, upload.mime_type)

    async def _list_logs(self, request: Request) -> Response:
        types = request.query_params.getlist("event_type")
        after_raw = request.query_params.get("after")
        if not types or after_raw is None:
            missing = "event_type" if not types else "after"
            return JSONResponse({"detail": [{"loc": ["query", missing], "msg": "Field required", "type": "missing"}]},
                                status_code=422)
        limit = int(request.query_params.get("limit", 100))
        if not 1 <= limit <= 100:
            return JSONResponse({"detail": [{"loc": ["query", "limit"], "msg": "Input should be less than or equal "
                                             "to 100", "type": "less_than_equal"}]}, status_code=422)
        after = datetime.fromisoformat(after_raw.replace("Z", "+00:00"))
        now = self.clock.now()
        files = sorted((f for t in types for f in self.data.logs.get(t, [])
                        if after < f.end_time <= now), key=lambda f: f.end_time)  # strictly later
        page = files[:limit]
        # never split files that share an end_time across pages: a strict `after` would skip the rest
        while page and len(page) < len(files) and files[len(page)].end_time == page[-1].end_time:
            page.append(files[len(page)])
        data = []
        for f in page:
            if f.event_type in ID_ONLY_TYPES:
                data.append({"id": f.id})
            else:
                data.append({"id": f.id, "event_type": f.event_type, "end_time": iso(f.end_time),
                             "file_name": f"{f.event_type}_{f.end_time.isoformat()}.jsonl", "file_size": len(f.body),
                             "file_sha256": hashlib.sha256(f.body).hexdigest()})
        return JSONResponse({"data": data, "has_more": len(page) < len(files),
                             "last_end_time": iso(page[-1].end_time) if page else None})

    async def _freshness(self, request: Request) -> Response:
        now = self.clock.now()
        times = {}
        for event_type in request.query_params.getlist("event_type"):
            visible = [f.max_event_time for f in self.data.logs.get(event_type, []) if f.end_time <= now]
            times[event_type] = iso(max(visible)) if visible else None
        return JSONResponse({"max_event_time": times})

    async def _download(self, request: Request) -> Response:
        wanted = request.path_params["log_file_id"]
        for files in self.data.logs.values():
            for f in files:
                if f.id == wanted:
                    return self._redirect(f.body, "application/x-ndjson")
        return _error(404, "Log file not found.", "not_found")

    def _redirect(self, body: bytes, media_type: str) -> Response:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._signed[token] = (body, media_type, self.clock.now() + timedelta(minutes=5))
        return RedirectResponse(f"http://127.0.0.1:{self.port}/blob/{token}?sig={token[:8]}", status_code=307)

    async def _blob(self, request: Request) -> Response:
        if "authorization" in request.headers:  # a signed URL must be fetched without the API key
            return _error(400, "Authorization header not allowed on signed URLs.", "bad_request")
        entry = self._signed.get(request.path_params["token"])
        if entry is None or entry[2] < self.clock.now():
            return _error(403, "Signed URL has expired.", "expired")
        return Response(entry[0], media_type=entry[1])

    # -- serving ----------------------------------------------------------------------------------
    def __enter__(self) -> "ContractServer":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        self._socket = sock
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", access_log=False,
                                                     lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the contract server did not start")
            time.sleep(0.005)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


def _error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}},
                        status_code=status, headers=headers)
