"""The Starlette application: every endpoint, the signed blob route, and the request log."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dlp.emulator import routes_files, routes_logs, routes_stateful
from dlp.emulator.endpoint import route
from dlp.emulator.errors import api_error
from dlp.emulator.state import EmulatorState, RequestRecord

log = logging.getLogger("dlp.emulator")
_SECRET_PARAMS = {"sig"}


def create_app(state: EmulatorState) -> Starlette:
    endpoints = [*routes_logs.endpoints(), *routes_stateful.endpoints(), *routes_files.endpoints()]
    routes = [route(endpoint, state) for endpoint in endpoints]
    routes.append(routes_files.blob_route(state))

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        message = "Not found." if status == 404 else "Method not allowed." if status == 405 else "Error."
        return api_error(status, message, "not_found" if status == 404 else "invalid_request",
                         state.settings.error_style)

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.add_middleware(RequestLogMiddleware, state=state)
    return app


def redact_query(query: str) -> str:
    """The query string with signatures masked: signed URLs are capabilities and never logged."""
    if not query:
        return ""
    pairs = [(k, "REDACTED" if k in _SECRET_PARAMS else v) for k, v in parse_qsl(query, keep_blank_values=True)]
    return urlencode(pairs)


class RequestLogMiddleware:
    """Records method, path, redacted query, status and clock time of every request (never headers)."""

    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            recorded = True
            query = redact_query(scope.get("query_string", b"").decode("latin-1"))
            entry = RequestRecord(scope["method"], scope["path"], query, status, self.state.clock.now())
            self.state.record_request(entry)
            log.debug("%s %s%s -> %s", entry.method, entry.path, f"?{query}" if query else "", status)

        async def capture(message: Message) -> None:
            # Record before the response leaves: a client that got its answer sees the request logged.
            if message["type"] == "http.response.start":
                record(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            if not recorded:
                record(500)
