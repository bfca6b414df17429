"""What every Compliance API endpoint does before and after its handler.

In order: bearer-key authentication (401), workspace or organization id (403
"not authorized for this workspace", or 404), permission (403), rate limit (429
with Retry-After, per workspace, method and route), injected faults (5xx, slow
responses), the handler itself (log routes check the permission of each log
category they touch), and an AUDIT_LOG record of the call.
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

    def require_logs(self, event_types: list[str]) -> None:
        """403 unless the key may read every one of these log categories."""
        scopes = self.state.settings.api_keys[self.api_key]
        missing = [t for t in event_types if not ("read" in scopes or f"logs:{t}" in scopes)]
        if missing:
            raise ApiProblem(403, f"You have insufficient permissions for this operation. Missing scopes: "
                                  f"{', '.join(log_permission(t) for t in missing)}.", "insufficient_scope")


def log_permission(event_type: str) -> str:
    return f"chatgpt.enterprise.compliance_logs_platform.{event_type.lower()}.read"


def permitted(scopes: frozenset[str], endpoint: "Endpoint") -> bool:
    if endpoint.scope == "delete":
        return "delete" in scopes
    if endpoint.family == "logs":
        return True  # each handler checks the categories it reads (Context.require_logs)
    return bool(scopes & {"read", "stateful", f"stateful:{endpoint.family}"})


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
    family: str = "logs"  # what the read permission covers: logs, users, gpts, projects, files, library_files, ...

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
        owner = request.path_params.get("organization_id" if endpoint.organization else "workspace_id")
        expected = settings.organization_id if endpoint.organization else settings.workspace_id
        if owner != expected:
            what = "organization" if endpoint.organization else "workspace"
            if settings.unknown_workspace_status == 403:
                return api_error(403, f"This key is not authorized for this {what} ({owner}).", "not_authorized",
                                 style)
            return api_error(404, f"{what.capitalize()} {owner} not found.", "not_found", style)
        if not permitted(scopes, endpoint):
            state.audit(hint, endpoint.action, params, "BLOCKED")
            missing = "delete" if endpoint.scope == "delete" else "chatgpt.enterprise.compliance_export.read"
            return api_error(403, f"You have insufficient permissions for this operation. Missing scopes: "
                                  f"{missing}.", "insufficient_scope", style)
        now = state.clock.now()
        if settings.rate_limits_enabled:
            per_minute = {"list": settings.list_rate_per_minute, "item": settings.item_rate_per_minute,
                          "logs": settings.logs_rate_per_minute}[endpoint.limit_class]
            wait = state.limiter.acquire(owner, f"{endpoint.method} {endpoint.path}", per_minute, now)
            if wait:
                return api_error(429, f"Rate limit exceeded: {per_minute} requests per minute for this endpoint. "
                                      f"Retry after {wait} seconds.", "rate_limit_exceeded", style,
                                 headers={"Retry-After": str(wait)})
        faults = settings.faults
        faulty = not faults.fault_routes or bool({endpoint.family, endpoint.template} & set(faults.fault_routes))
        if faulty and faults.server_error_rate and state.roll() < faults.server_error_rate:
            status = (500, 502, 503)[state.randint(0, 2)]
            return api_error(status, "The server had an error while processing your request.", "server_error", style)
        if faulty and faults.slow_rate and state.roll() < faults.slow_rate:
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
