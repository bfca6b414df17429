"""What every Compliance API endpoint does before and after its handler.

In order: bearer-key authentication (401), scope (403), workspace or
organization id (404), rate limit (429 with Retry-After), injected faults
(5xx, slow responses), the handler itself, and an AUDIT_LOG record of the call.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dlp.emulator.errors import (
    ApiProblem,
    ValidationProblem,
    api_error,
    validation_error,
)
from dlp.emulator.settings import mask_key
from dlp.emulator.state import EmulatorState

WORKSPACE_PREFIX = "/v1/compliance/workspaces/{workspace_id}"
ORGANIZATION_PREFIX = "/v1/compliance/organizations/{organization_id}"


@dataclass
class Context:
    request: Request
    state: EmulatorState
    api_key: str
    now: datetime

    @property
    def style(self) -> str:
        return self.state.settings.error_style

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)

    def int_param(self, name: str, default: int, maximum: int) -> int:
        raw = self.query(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ValidationProblem(name, "Input should be a valid integer", "int_parsing") from None
        if value < 1:
            raise ValidationProblem(name, "Input should be greater than or equal to 1", "greater_than_equal")
        if value > maximum:
            raise ValidationProblem(name, f"Input should be less than or equal to {maximum}", "less_than_equal")
        return value

    def base_url(self) -> str:
        return str(self.request.base_url).rstrip("/")


Handler = Callable[[Context], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str  # path after the scope prefix, e.g. "/gpts/{gpt_id}"
    scope: str  # read | delete
    limit_class: str  # list | item | logs
    action: str  # the AUDIT_LOG action name
    handler: Handler
    organization: bool = False  # served under /organizations/{org} instead of /workspaces/{ws}

    @property
    def path(self) -> str:
        return (ORGANIZATION_PREFIX if self.organization else WORKSPACE_PREFIX) + self.template


def route(endpoint: Endpoint, state: EmulatorState) -> Route:
    async def serve(request: Request) -> Response:
        settings = state.settings
        style = settings.error_style
        key = _bearer(request)
        if key is None:
            return api_error(401, "You didn't provide an API key. Provide it in the Authorization header "
                                  "as 'Authorization: Bearer YOUR_KEY'.", "missing_api_key", style)
        scopes = settings.api_keys.get(key)
        if scopes is None:
            return api_error(401, f"Incorrect API key provided: {mask_key(key)}.", "invalid_api_key", style)
        hint = mask_key(key)
        params = dict(request.query_params)
        if endpoint.scope not in scopes:
            state.audit(hint, endpoint.action, params, "BLOCKED")
            return api_error(403, f"You have insufficient permissions for this operation. Missing scopes: "
                                  f"{endpoint.scope}.", "insufficient_scope", style)
        owner = request.path_params.get("organization_id" if endpoint.organization else "workspace_id")
        expected = settings.organization_id if endpoint.organization else settings.workspace_id
        if owner != expected:
            what = "Organization" if endpoint.organization else "Workspace"
            return api_error(404, f"{what} {owner} not found.", "not_found", style)
        now = state.clock.now()
        if settings.rate_limits_enabled:
            per_minute = {"list": settings.list_rate_per_minute, "item": settings.item_rate_per_minute,
                          "logs": settings.logs_rate_per_minute}[endpoint.limit_class]
            wait = state.limiter.acquire(key, f"{endpoint.method} {endpoint.path}", per_minute, now)
            if wait:
                return api_error(429, f"Rate limit exceeded: {per_minute} requests per minute for this endpoint. "
                                      f"Retry after {wait} seconds.", "rate_limit_exceeded", style,
                                 headers={"Retry-After": str(wait)})
        faults = settings.faults
        if faults.server_error_rate and state.roll() < faults.server_error_rate:
            status = (500, 502, 503)[state.randint(0, 2)]
            return api_error(status, "The server had an error while processing your request.", "server_error", style)
        if faults.slow_rate and state.roll() < faults.slow_rate:
            await asyncio.sleep(faults.slow_seconds)
        context = Context(request, state, key, now)
        try:
            response = await endpoint.handler(context)
        except ValidationProblem as problem:
            response = validation_error(problem.param, problem.message, problem.kind)
        except ApiProblem as problem:
            response = api_error(problem.status, problem.message, problem.code, style, problem.param)
        if endpoint.action:
            state.audit(hint, endpoint.action, params, "SUCCESS" if response.status_code < 400 else "FAILURE")
        return response

    return Route(endpoint.path, serve, methods=[endpoint.method], name=f"{endpoint.method} {endpoint.path}")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
