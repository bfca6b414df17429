"""HTTP access to the Compliance API: auth, rate limits, retries, redirects, clear errors.

Nothing here knows about streams or items; it turns requests into JSON or
bytes, or into an exception whose message tells a person what to do. No
message ever contains the API key or a signed download URL.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from dlp.config import ApiConfig
from dlp.errors import DlpError, Terminal, Transient
from dlp.ingest.permissions import (
    ADMIN_KEY_ADVICE,
    KEY_ORIGIN,
    LEGACY_KEY_ADVICE,
    STATEFUL_PERMISSION,
    WRONG_WORKSPACE_HINT,
    log_permission,
)
from dlp.ingest.ratelimit import RouteClass, RateLimiter, route_key
from dlp.redact import display_url, mask_api_key, redact

log = logging.getLogger(__name__)


class ApiError(DlpError, RuntimeError):
    """A request failed in a way retrying now will not fix."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ApiError, Terminal):
    """401: the key is missing, unknown or revoked."""


class RetryLaterError(ApiError, Transient):
    """Retries or the scan's 429 budget ran out: the next scan may well succeed."""


class ScopeError(ApiError, Terminal):
    """403: the key is valid but may not read this (or it belongs to another workspace)."""

    def __init__(self, message: str, status: int | None = 403, permission: str = "") -> None:
        super().__init__(message, status)
        self.permission = permission  # what to grant, e.g. chatgpt.enterprise.compliance_logs_platform.codex_log.read


class NotFoundError(ApiError):
    """404: an unknown workspace, object or file."""


class GoneError(ApiError):
    """410: an expired file, or the deprecated conversations endpoint."""


class UnreachableError(ApiError):
    """The first connection to the API failed (refused, unknown host, TLS, connect timeout): not retried."""


class NotComplianceApiError(ApiError):
    """The URL answers, but not as the Compliance API does (an HTML page, a 404 that is not the API's)."""


class TooLargeError(ApiError):
    """A download larger than the configured maximum: stopped before it is read whole."""

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.size = size


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def _error_text(response: httpx.Response) -> str:
    """The server's own words, from either error shape (`error.message` or FastAPI `detail`)."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:200]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        detail = body.get("detail")
        if isinstance(detail, list):
            return "; ".join(
                f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg', '')}" for d in detail if isinstance(d, dict)
            )
        if detail:
            return str(detail)
    return str(body)[:200]


def _params_of(response: httpx.Response) -> list[tuple[str, str]]:
    return list(response.request.url.params.multi_items()) if response.request is not None else []


def _permission_of(path: str, params: list[tuple[str, str]]) -> str:
    """The permission a GET needs: a log category's (from its `event_type`) or the compliance export read."""
    if "/logs" in path or path.endswith("/max_event_time"):
        types = [value for key, value in params if key == "event_type"]
        if types:
            return " and ".join(log_permission(t) for t in types)
        return "the read permission of the log category"
    return STATEFUL_PERMISSION


def _is_json(response: httpx.Response) -> bool:
    try:
        response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return True


def _root_cause(exc: BaseException) -> str:
    """The operating system's words for a failed connection ("Connection refused"), under httpx's wrappers."""
    reason = str(exc) or type(exc).__name__
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno is not None:  # asyncio rewords ECONNREFUSED; os does not
            reason = os.strerror(cause.errno) if cause.errno > 0 else (cause.strerror or str(cause))
        cause = cause.__cause__ or cause.__context__
    return reason


def _host_of(url: str) -> str:
    """The host (and port) of a URL, for messages: never the credentials or path."""
    parts = httpx.URL(url)
    return f"{parts.host}:{parts.port}" if parts.port else parts.host


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class ComplianceClient:
    """One workspace, one key, one set of rate limits shared by all tasks using this client."""

    def __init__(
        self,
        config: ApiConfig,
        api_key: str,
        *,
        workspace_id: str | None = None,
        organization_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not api_key:
            raise AuthError(f"No API key: set the environment variable {config.key_env} or api.key_file. {KEY_ORIGIN}")
        self.config = config
        self.workspace_id = workspace_id or config.workspace_id
        if not self.workspace_id:
            raise ApiError("No workspace id: set api.workspace_id in the config or pass --workspace-id.")
        self.organization_id = organization_id or config.organization_id
        self._key = api_key
        self._clock = clock
        self._sleep = sleep
        self._random = random.Random()
        self.limiter = RateLimiter(
            {
                RouteClass.LIST: config.list_per_minute,
                RouteClass.ITEM: config.item_per_minute,
                RouteClass.LOGS: config.logs_per_minute,
            },
            clock=clock,
            sleep=sleep,
        )
        timeout = httpx.Timeout(config.timeout_seconds)
        self._api = httpx.AsyncClient(
            base_url=config.url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
            timeout=timeout,
            follow_redirects=False,
            verify=config.verify_tls,
            transport=transport,
        )
        # Signed download URLs are capabilities of their own: the API key must never travel there.
        self._blob = httpx.AsyncClient(timeout=timeout, follow_redirects=True, verify=config.verify_tls, transport=transport)
        self.requests: Counter[RouteClass] = Counter()
        self.retries = 0  # requests sent again: after a fault (5xx, timeout, truncated body) or a 429
        self.throttled = 0  # 429 answers received
        self.throttle_waited = 0.0  # seconds spent waiting on Retry-After, against api.throttle_budget_seconds
        self._paused_until = 0.0
        # Until the API has answered once, a refused connection or a foreign page means a wrong
        # api.url: say so at once instead of retrying for half a minute.
        self._reached = False
        self._confirmed = False

    @property
    def masked_key(self) -> str:
        return mask_api_key(self._key)

    @property
    def workspace_path(self) -> str:
        return f"/compliance/workspaces/{self.workspace_id}"

    @property
    def organization_path(self) -> str | None:
        return f"/compliance/organizations/{self.organization_id}" if self.organization_id else None

    async def aclose(self) -> None:
        await self._api.aclose()
        await self._blob.aclose()

    async def __aenter__(self) -> "ComplianceClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def get_json(self, path: str, params: dict[str, Any] | None, route_class: RouteClass) -> Any:
        response = await self._request(path, params, route_class)
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if not self._confirmed:
                raise self._not_the_api(path, response) from None
            raise ApiError(f"GET {path}: the response is not JSON ({exc})", response.status_code) from exc
        self._confirmed = True
        return body

    def _not_the_api(self, path: str, response: httpx.Response) -> NotComplianceApiError:
        kind = response.headers.get("content-type", "no content type").split(";")[0]
        return NotComplianceApiError(
            f"{display_url(self.config.url)} answered GET {path} with HTTP {response.status_code} ({kind}), "
            "not as the Compliance API does: check api.url (the API's base URL with its version, "
            "like https://api.chatgpt.com/v1)",
            response.status_code,
        )

    def _unreachable(self, exc: Exception) -> UnreachableError:
        host = _host_of(self.config.url)
        reason = redact(_root_cause(exc), (self._key,))
        return UnreachableError(
            f"cannot reach {host}: {reason} ({type(exc).__name__}). Check api.url "
            f"({display_url(self.config.url)}), the network, and any proxy ($HTTPS_PROXY)"
        )

    async def download(
        self, path: str, params: dict[str, Any] | None, route_class: RouteClass, *, max_bytes: int | None = None
    ) -> bytes:
        """GET an endpoint that answers 307 to a signed URL, then fetch the bytes without our credentials.

        Every retry starts again at the API: a signed URL may be single-use or expire, so a download
        cut short (a 5xx, a timeout, a truncated body, a refused signature) asks for a fresh one. Only
        the API route itself says a file is gone (410, GoneError) or unknown (404). A body past
        `max_bytes` raises TooLargeError as soon as that is known, so an oversized file is never held
        in memory.
        """

        async def attempt() -> bytes:
            response = await self._send(path, params, route_class, expect_redirect=True)
            if response.status_code == 200:  # some servers serve the bytes directly
                return response.content
            location = response.headers.get("location")
            if not location:
                raise ApiError(f"GET {path}: redirect without a Location header", response.status_code)
            target = str(self._api.base_url.join(location)) if location.startswith("/") else location
            return await self._fetch_blob(path, target, max_bytes)

        return await self._with_fault_retries(path, attempt)

    async def _fetch_blob(self, path: str, url: str, max_bytes: int | None) -> bytes:
        try:
            async with self._blob.stream("GET", url) as response:
                status = response.status_code
                if status >= 500 or status == 429:
                    raise _Retryable(f"download for {path}: HTTP {status}", _retry_after(response))
                if status in (403, 404, 410):
                    # A spent or expired signature, not the file's fate: the retry asks the API for a fresh URL.
                    raise _Retryable(f"download for {path}: the signed URL answered {status}")
                if status != 200:
                    raise ApiError(f"download for {path}: HTTP {status}", status)
                declared = response.headers.get("content-length")
                if max_bytes is not None and declared and declared.isdigit() and int(declared) > max_bytes:
                    raise TooLargeError(f"{int(declared)} bytes, over the {max_bytes}-byte limit", int(declared))
                chunks: list[bytes] = []
                received = 0
                async for chunk in response.aiter_bytes():
                    received += len(chunk)
                    if max_bytes is not None and received > max_bytes:
                        raise TooLargeError(f"over the {max_bytes}-byte limit", received)
                    chunks.append(chunk)
                if declared and declared.isdigit() and received < int(declared):
                    raise _Retryable(f"download for {path}: truncated ({received} of {declared} bytes)")
                return b"".join(chunks)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise _Retryable(f"download for {path} failed: {type(exc).__name__}") from None

    async def _request(
        self, path: str, params: dict[str, Any] | None, route_class: RouteClass, expect_redirect: bool = False
    ) -> httpx.Response:
        async def attempt() -> httpx.Response:
            return await self._send(path, params, route_class, expect_redirect)

        return await self._with_fault_retries(path, attempt)

    async def _send(
        self, path: str, params: dict[str, Any] | None, route_class: RouteClass, expect_redirect: bool = False
    ) -> httpx.Response:
        """One request through the route's limiter; a 429 is waited out here, a fault raises _Retryable."""
        route = route_key("GET", path)
        while True:
            async with self.limiter.slot(route_class, route):
                self.requests[route_class] += 1
                try:
                    response = await self._api.get(path, params=params)
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    if not self._reached:
                        raise self._unreachable(exc) from None
                    raise _Retryable(f"GET {path}: {type(exc).__name__}") from None
                except (httpx.TimeoutException, httpx.TransportError) as exc:
                    raise _Retryable(f"GET {path}: {type(exc).__name__}") from None
                self._reached = True
                if response.status_code != 429:
                    return self._check(path, response, expect_redirect)
                wait = self._throttle_wait(path, _retry_after(response))
                self.limiter.throttled(route_class, route, wait)
            # A 429 is the server pacing us, not a fault: wait and ask again, on the scan's 429 budget.
            self.throttled += 1
            self.retries += 1
            if self.limiter.limit_of(route_class) is None:  # no client-side limit to carry the pause
                await self._sleep(wait)

    def _throttle_wait(self, path: str, retry_after: float | None) -> float:
        """How long a 429 makes us wait; past the scan's budget for such waits, the request fails.

        Concurrent 429s wait together, so the budget counts the time the pause grows by, not each wait.
        """
        if retry_after is None:  # no Retry-After (undocumented either way): back off, up to a minute
            retry_after = min(60.0, 2.0 ** min(self.throttled, 6))
        now = self._clock()
        grows_by = max(0.0, now + retry_after - max(self._paused_until, now))
        budget = self.config.throttle_budget_seconds
        if self.throttle_waited + grows_by > budget:
            raise RetryLaterError(
                f"GET {path}: rate limited (HTTP 429) for longer than api.throttle_budget_seconds ({budget:g} s) "
                "in this scan; the next scan continues from here",
                429,
            )
        self.throttle_waited += grows_by
        self._paused_until = max(self._paused_until, now + retry_after)
        log.info("GET %s: HTTP 429, waiting %.1f s (Retry-After)", path, retry_after)
        return retry_after

    async def _with_fault_retries(self, path: str, attempt: Callable[[], Awaitable[Any]]) -> Any:
        """Run `attempt`, retrying 5xx, timeouts and truncated bodies with jittered backoff, capped."""

        def wait(state: Any) -> float:
            exc = state.outcome.exception()
            if isinstance(exc, _Retryable) and exc.retry_after is not None:
                return exc.retry_after
            base = min(self.config.backoff_cap_seconds, 0.5 * 2 ** (state.attempt_number - 1))
            return base / 2 + self._random.uniform(0, base / 2)

        def before_sleep(state: Any) -> None:
            self.retries += 1
            log.warning("retrying (%d): %s", state.attempt_number, redact(str(state.outcome.exception()), (self._key,)))

        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda e: isinstance(e, _Retryable)),
            stop=stop_after_attempt(self.config.max_retries + 1),
            wait=wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return await retrying(attempt)
        except _Retryable as exc:
            raise RetryLaterError(f"{exc}; gave up after {self.config.max_retries} retries") from None

    def _check(self, path: str, response: httpx.Response, expect_redirect: bool) -> httpx.Response:
        status = response.status_code
        if status == 200 or (expect_redirect and status in (301, 302, 303, 307, 308)):
            return response
        text = redact(_error_text(response), (self._key,))
        if status >= 500:
            raise _Retryable(f"GET {path}: HTTP {status}: {text}")
        if status == 401:
            raise AuthError(
                f"The API rejected the key {self.masked_key} (HTTP 401: {text}). Check that "
                f"${self.config.key_env} (or api.key_file) holds a Compliance API key for this workspace. "
                f"{KEY_ORIGIN}",
                status,
            )
        if status == 403:
            permission = _permission_of(path, _params_of(response))
            raise ScopeError(
                f"The key {self.masked_key} may not read GET {path} (HTTP 403: {text}). "
                f"{ADMIN_KEY_ADVICE.format(permission=permission)} {LEGACY_KEY_ADVICE} {WRONG_WORKSPACE_HINT}",
                status,
                permission,
            )
        if status in (404, 405) and not self._confirmed and not _is_json(response):
            raise self._not_the_api(path, response)
        if status == 404:
            raise NotFoundError(f"GET {path}: not found (HTTP 404: {text})", status)
        if status == 410:
            raise GoneError(f"GET {path}: gone (HTTP 410: {text})", status)
        raise ApiError(f"GET {path}: HTTP {status}: {text}", status)
